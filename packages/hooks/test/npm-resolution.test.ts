// How bare specifiers and npm packages resolve under createImportSystem (docs/guide/npm.md): Node's
// builtins by bare name at top level, Node's resolution from the importing file (nested versions,
// `exports` conditions, ESM-only packages), package folders on `path` entered at their package.json
// entry, and a file beside a folder of the same name. Every package here is a small tree written by
// the test, so nothing is fetched.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { RequireAsyncError, type ModuleType } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';

import { tree, workFolder, writeTree } from './helpers.js';

const work = workFolder('npm-');
const nodeRequire = createRequire(import.meta.url);

describe('Node builtins by bare name at top level', () => {
  it('importModule("fs") is Node\'s fs when nothing on the path is called fs', () => {
    const root = tree(work.path, { 'app.ts': 'export const x = 1;\n' });
    const system = createImportSystem({ path: [root] });
    expect(system.importModule('fs')).toBe(nodeRequire('node:fs'));
    expect(system.importModule('events')).toBe(nodeRequire('node:events'));
  });

  it('a project module of that name shadows it, as a module on sys.path shadows the stdlib', () => {
    const root = tree(work.path, { 'fs.ts': 'export const project = true;\n' });
    const system = createImportSystem({ path: [root] });
    expect((system.importModule('fs') as ModuleType).project).toBe(true);
  });
});

/** A project with installed packages: nested versions, a dual package, ESM-only ones, an `imports` map. */
function installed(): string {
  const json = (value: unknown): string => JSON.stringify(value);
  return tree(work.path, {
    'package.json': json({ name: 'proj', imports: { '#util': './src/util.ts' } }),
    'node_modules/debug/package.json': json({ name: 'debug', version: '4.0.0', main: './src/index.js' }),
    'node_modules/debug/src/index.js': "module.exports = { version: 4, common: require('./common') };\n",
    'node_modules/debug/src/common.js': "module.exports = 'common';\n",
    'node_modules/express/package.json': json({ name: 'express', main: 'index.js' }),
    'node_modules/express/index.js':
      "module.exports = { debug: require('debug'), router: require('./lib/router') };\n",
    'node_modules/express/lib/router.js': "module.exports = { debug: require('debug') };\n",
    'node_modules/express/node_modules/debug/package.json': json({ name: 'debug', version: '2.6.9' }),
    'node_modules/express/node_modules/debug/index.js': 'module.exports = { version: 2 };\n',
    'node_modules/dual/package.json': json({
      name: 'dual',
      exports: { '.': { import: './esm.mjs', require: './cjs.cjs' } },
    }),
    'node_modules/dual/esm.mjs': "export const kind = 'esm';\n",
    'node_modules/dual/cjs.cjs': "exports.kind = 'cjs';\n",
    'node_modules/tla/package.json': json({ name: 'tla', type: 'module', exports: { import: './index.js' } }),
    'node_modules/tla/index.js': 'export const answer = await Promise.resolve(42);\n',
    'node_modules/esm-only/package.json': json({ name: 'esm-only', type: 'module', exports: './index.js' }),
    'node_modules/esm-only/index.js': "export const named = 1;\nexport default 'the default';\n",
    'src/util.ts': 'export const util = {};\n',
  });
}

describe('bare specifiers resolve as Node resolves them from the importing file', () => {
  it('a package imported through a node_modules folder on the path gets its own nested dependency', () => {
    const root = installed();
    const system = createImportSystem({ path: [join(root, 'node_modules')] });
    const express = system.importModule('express') as {
      debug: { version: number };
      router: { debug: unknown };
    };
    expect(express.debug.version).toBe(2);
    expect(express.router.debug).toBe(express.debug);
    expect((system.importModule('debug') as { version: number }).version).toBe(4);
  });

  it('a project module gets the top-level version, and the same object Node gives (one file, one module)', () => {
    const root = installed();
    const system = createImportSystem({ path: [join(root, 'src')] });
    tree(root, {}, 'unused-'); // the tree is written; now the project module
    const user = createImportSystem({
      path: [
        tree(
          root,
          {
            'user.ts': "export const debug = require('debug');\nexport const express = require('express');\n",
          },
          'src-',
        ),
      ],
    });
    const module = user.importModule('user') as { debug: unknown; express: { debug: { version: number } } };
    const fromNode = createRequire(join(root, 'x.js'));
    expect(module.debug).toBe(fromNode('debug'));
    expect(module.express.debug.version).toBe(2);
    expect(system.importModule('debug')).toBe(fromNode('debug'));
  });

  it('uses the require conditions on the sync path and the import conditions on the async path and in ES module files', async () => {
    const root = installed();
    const src = tree(
      root,
      {
        'cjs.ts': "exports.viaRequire = require('dual').kind;\n",
        'lazy.ts': "export const later = () => import('dual');\n",
        'esm.mts': "import { kind } from 'dual';\nexport const viaImport = kind;\n",
      },
      'src-',
    );
    const system = createImportSystem({ path: [src] });
    expect((system.importModule('cjs') as { viaRequire: string }).viaRequire).toBe('cjs');
    const lazy = system.importModule('lazy') as { later: () => Promise<{ kind: string }> };
    expect((await lazy.later()).kind).toBe('esm');
    expect((system.importModule('esm') as { viaImport: string }).viaImport).toBe('esm');
    expect((system.importModule('dual') as { kind: string }).kind).toBe('cjs');
    const other = createImportSystem({ path: [src] });
    expect(((await other.importModuleAsync('dual')) as { kind: string }).kind).toBe('esm');
  });

  it("loads an ES-module-only package with top-level await through Node's import() on the async path, with Node's keys", async () => {
    const root = installed();
    const src = tree(root, { 'lazy.ts': "export const load = () => import('tla');\n" }, 'src-');
    const system = createImportSystem({ path: [src] });
    const tla = (await system.importModuleAsync('tla')) as Record<string, unknown>;
    expect(Object.keys(tla)).toEqual(['answer']);
    expect(tla.answer).toBe(42);
    const lazy = system.importModule('lazy') as { load: () => Promise<unknown> };
    expect(await lazy.load()).toBe(tla); // Node's module cache: one namespace for the file
    const onPath = createImportSystem({ path: [join(root, 'node_modules')] });
    expect(await onPath.importModuleAsync('tla')).toBe(tla);
    const esmOnly = (await onPath.importModuleAsync('esm-only')) as Record<string, unknown>;
    expect(Object.keys(esmOnly).sort()).toEqual(['default', 'named']);
    expect(esmOnly.__esModule).toBeUndefined();
  });

  it('refuses a synchronous import of a top-level-await ES module with a typed error naming it', () => {
    const root = installed();
    const system = createImportSystem({ path: [join(root, 'node_modules')] });
    const error = (() => {
      try {
        system.importModule('tla');
      } catch (caught) {
        return caught as RequireAsyncError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(RequireAsyncError);
    expect(error?.moduleName).toBe('tla');
    expect(error?.path).toBe(join(root, 'node_modules', 'tla', 'index.js'));
  });

  it('imports a file of the system that Node resolves (an imports map) under its own name, once', () => {
    const root = installed();
    const system = createImportSystem({ path: [join(root, 'src')] });
    writeTree(join(root, 'src'), { 'a.ts': "export const util = require('#util');\n" });
    const a = system.importModule('a') as { util: unknown };
    expect(a.util).toBe(system.importModule('util'));
  });
});

describe('a folder of installed packages on the path (site-packages)', () => {
  it('enters a package at the file its package.json names, with no index or __init__', () => {
    const root = installed();
    const system = createImportSystem({ path: [join(root, 'node_modules')] });
    const debug = system.importModule('debug') as { version: number; common: string };
    expect([debug.version, debug.common]).toEqual([4, 'common']);
    expect(debug).toBe(createRequire(join(root, 'x.js'))('debug'));
    const spec = createImportSystem({ path: [join(root, 'node_modules')] }).findSpec('debug');
    expect([spec?.origin, spec?.submoduleSearchLocations]).toEqual([
      join(root, 'node_modules', 'debug', 'src', 'index.js'),
      [join(root, 'node_modules', 'debug')],
    ]);
    // Its files are Node's: the submodule is the object the entry's own require('./common') got.
    expect(system.importModule('debug.src.common')).toBe('common');
    expect(system.importModule('debug.src.index')).toBe(debug);
  });
});

describe('one file, one module object per system', () => {
  it('a file the system ran under another name is the same module when Node resolution reaches it', () => {
    const root = installed();
    writeTree(join(root, 'src'), { 'a.ts': "export const util = require('#util');\n" });
    // src/util.ts is both `util` (through src, first on the path) and `src.util` (through the root).
    const system = createImportSystem({ path: [join(root, 'src'), root] });
    const first = system.importModule('src.util');
    expect((system.importModule('a') as { util: unknown }).util).toBe(first);
  });
});

describe('ES modules of installed packages imported by an ES module of the project', () => {
  it("gives the module's own keys on the sync path (no __esModule from Node's require of an ES module)", () => {
    const root = installed();
    const src = tree(
      root,
      {
        'uses.mjs':
          "import * as ns from 'esm-only';\nimport byDefault from 'esm-only';\nexport const keys = Object.keys(ns).sort();\nexport { byDefault };\n",
      },
      'src-',
    );
    const uses = createImportSystem({ path: [src] }).importModule('uses') as {
      keys: string[];
      byDefault: string;
    };
    expect(uses.keys).toEqual(['default', 'named']);
    expect(uses.byDefault).toBe('the default');
  });

  it("imports a top-level-await package with Node's import() before the body runs, on the async path", async () => {
    const root = installed();
    const src = tree(
      root,
      { 'uses.mjs': "import * as ns from 'tla';\nimport { answer } from 'tla';\nexport { ns, answer };\n" },
      'src-',
    );
    const system = createImportSystem({ path: [src] });
    const uses = (await system.importModuleAsync('uses')) as { ns: unknown; answer: number };
    expect(uses.answer).toBe(42);
    expect(uses.ns).toBe(await system.importModuleAsync('tla'));
  });
});
