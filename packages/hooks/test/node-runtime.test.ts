// Code inside a file runs as Node runs that file: ES modules that declare their own `__dirname`,
// hashbang lines, strict mode and `this` of ES modules, the CommonJS `module`/`require` details, the
// default-import interop of each kind of file, type-only re-exports, and a polluted Object.prototype.
// Every module here is a real file in a temporary tree, imported through createImportSystem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import type { ImportSystem } from '@importlib/core';
import { createImportSystem, runModule } from '@importlib/hooks';

import { thrownBy, workFolder, writeTree } from './helpers.js';

const work = workFolder('node-runtime-');

// Module code reports what it saw by pushing to this global array (module code runs in this realm).
const LOG = '__nodeRuntimeLog';
const logged = (): unknown[] => (globalThis as Record<string, unknown>)[LOG] as unknown[];
beforeEach(() => {
  (globalThis as Record<string, unknown>)[LOG] = [];
});
afterAll(() => {
  delete (globalThis as Record<string, unknown>)[LOG];
});

/** A new project folder holding `files`, and a system with it on `path`. */
function project(files: Record<string, string>): { root: string; system: ImportSystem } {
  const root = mkdtempSync(join(work.path, 'p-'));
  // A package.json of its own: the tree is not part of this (`"type": "module"`) package.
  writeTree(root, { 'package.json': '{}', ...files });
  return { root, system: createImportSystem({ path: [root], cache: { write: false } }) };
}

type Exports = Record<string, unknown>;

describe('ES modules that declare what the CommonJS wrapper passes', () => {
  const idiom = [
    "import path from 'node:path';",
    "import { fileURLToPath } from 'node:url';",
    "import { createRequire } from 'node:module';",
    'const __filename = fileURLToPath(import.meta.url);',
    'const __dirname = path.dirname(__filename);',
    'const require = createRequire(import.meta.url);',
    'const module = { own: true };',
    'const exports = "mine";',
    'export const seen = [__dirname, __filename, typeof require.resolve, module.own, exports];',
  ].join('\n');

  it('run, in .mjs, in .ts of a "type": "module" package, and in .ts with import/export', () => {
    const { root, system } = project({
      'plain.mjs': idiom,
      'typed/package.json': '{"type": "module"}',
      'typed/mod.ts': idiom,
      // A licence comment first: swc keeps it above its "use strict".
      'detected.ts': `/*! licence */\n// more\n${idiom}`,
    });
    expect((system.importModule('plain') as Exports).seen).toEqual([
      root,
      join(root, 'plain.mjs'),
      'function',
      true,
      'mine',
    ]);
    expect((system.importModule('typed.mod') as Exports).seen).toEqual([
      join(root, 'typed'),
      join(root, 'typed', 'mod.ts'),
      'function',
      true,
      'mine',
    ]);
    expect((system.importModule('detected') as Exports).seen).toEqual([
      root,
      join(root, 'detected.ts'),
      'function',
      true,
      'mine',
    ]);
  });

  it('still refuse in a CommonJS file, as Node does', () => {
    const { system } = project({ 'old.cjs': 'const __dirname = "x";\nmodule.exports = __dirname;' });
    const error = thrownBy(() => system.importModule('old'));
    expect(error).toMatchObject({ code: 'ERR_IMPORTLIB_SYNTAX', moduleName: 'old' });
    expect(String(error.message)).toMatch(/__dirname/);
  });
});

describe('a hashbang line', () => {
  it('is accepted at the top of any source file', () => {
    const { system } = project({
      'a.js': '#!/usr/bin/env node\nexports.kind = "script";',
      'b.cjs': '#!/usr/bin/env node\nmodule.exports = "cjs";',
      'c.mjs': '#!/usr/bin/env node\nexport const kind = "esm";',
      'd.ts': '#!/usr/bin/env -S npx tsx\nconst n: number = 4;\nexport default n;',
    });
    expect((system.importModule('a') as Exports).kind).toBe('script');
    expect(system.importModule('b')).toBe('cjs');
    expect((system.importModule('c') as Exports).kind).toBe('esm');
    expect((system.importModule('d') as Exports).default).toBe(4);
  });

  it('keeps the line numbers of errors below it', () => {
    const { system } = project({
      'broken.cjs': '#!/usr/bin/env node\nconst ok = 1;\nconst = 2;\n',
      'thrower.js': '#!/usr/bin/env node\n\nthrow new Error("at line 3");\n',
    });
    expect(thrownBy(() => system.importModule('broken'))).toMatchObject({
      code: 'ERR_IMPORTLIB_SYNTAX',
      line: 3,
    });
    const error = thrownBy(() => system.importModule('thrower'));
    expect(String(error.stack)).toMatch(/thrower\.js:3:/);
  });
});

describe('strict mode and this', () => {
  const probe = [
    `globalThis.${LOG}.push(this === undefined);`,
    `globalThis.${LOG}.push((function () { return this; })() === undefined);`,
    `try { undeclaredName = 1; globalThis.${LOG}.push('sloppy'); } catch (e) { globalThis.${LOG}.push(e.name); }`,
  ].join('\n');

  it('an ES module without import or export runs strict, with this undefined', () => {
    const { system } = project({
      'a.mjs': probe,
      'esm/package.json': '{"type": "module"}',
      'esm/b.js': probe,
      'esm/c.ts': probe,
      'd.mts': probe,
    });
    for (const name of ['a', 'esm.b', 'esm.c', 'd']) {
      (globalThis as Record<string, unknown>)[LOG] = [];
      system.importModule(name);
      expect(logged(), name).toEqual([true, true, 'ReferenceError']);
    }
    delete (globalThis as Record<string, unknown>).undeclaredName;
  });

  it('a CommonJS file stays sloppy, with this its exports, as Node runs it', () => {
    const { system } = project({
      'a.cjs': `globalThis.${LOG}.push(this === module.exports);`,
      'b.js': `globalThis.${LOG}.push(this === exports, (function () { return this; })() === globalThis);`,
    });
    system.importModule('a');
    system.importModule('b');
    expect(logged()).toEqual([true, true, true]);
  });
});

describe('type-only re-exports of TypeScript sources', () => {
  it('do not become export keys', () => {
    const { system } = project({
      'lib/types.ts':
        'export interface Props { a: number }\nexport type Id = string;\nexport const value = 1;',
      'lib/other.ts': 'export class Thing {}\nexport type Shape = { x: number };',
      'lib/index.ts': [
        '// types and values',
        "export { Props, Id, value } from './types';",
        "import { Thing, Shape } from './other';",
        'export { Thing, Shape };',
        "export { Id as Renamed } from './types';",
      ].join('\n'),
      'single.ts': "export { Props } from './lib/types';",
    });
    const lib = system.importModule('lib') as Exports;
    // (The package's submodules `types` and `other` are bound on it as Python does.)
    const keys = Object.keys(lib).filter((key) => key !== 'types' && key !== 'other');
    expect(keys.sort()).toEqual(['Thing', 'value']);
    expect('Props' in lib).toBe(false);
    expect(lib.value).toBe(1);
    expect(Object.keys(system.importModule('single') as object)).toEqual([]);
  });
});

// (The submodule bound on its package lives on a prototype of the package's own: core's job. This
// guards the export helpers swc inlines against it.)
describe('export * from a submodule of the same name', () => {
  it("exports the submodule's own export, not the submodule bound on the package", () => {
    const { system } = project({
      'pkg/index.ts': "export * from './memo.js';\nexport * from './other.js';",
      'pkg/memo.ts': 'export function memo() { return "fn"; }',
      'pkg/other.js': 'export const other = 1;',
      'user.mjs': "import { memo } from './pkg/index.ts';\nexport const called = memo();",
    });
    const pkg = system.importModule('pkg') as { memo: () => string; other: number };
    expect(pkg.memo()).toBe('fn');
    expect(pkg.other).toBe(1);
    expect((system.importModule('user') as Exports).called).toBe('fn');
  });
});

describe('an enumerable property on Object.prototype', () => {
  it('does not break modules with several named exports', () => {
    const { system } = project({
      'a.ts': 'export const one = 1;\nexport const two = 2;\nexport default 3;',
      'b.mjs': "export * from './a.ts';\nexport { default } from './a.ts';\nexport const three = 3;",
    });
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      const b = system.importModule('b') as Exports;
      expect([b.one, b.two, b.three, b.default]).toEqual([1, 2, 3, 3]);
      expect(Object.keys(b).sort()).toEqual(['default', 'one', 'three', 'two']);
    } finally {
      delete proto.polluted;
    }
  });
});

describe('default-import interop', () => {
  const files = {
    // Babel's CommonJS output: `__esModule` and a `default`.
    'babel.cjs':
      'Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = "inner";\nexports.named = 1;',
    'plain.cjs': 'module.exports = function plain() { return "called"; };',
    'esm.mjs': 'export default "esm default";\nexport const named = 2;',
    'spoof.json': '{"__esModule": true, "default": "spoofed", "real": true}',
  };
  const importer = [
    "import babel, * as babelNs from './babel.cjs';",
    "import plain from './plain.cjs';",
    "import esm from './esm.mjs';",
    "import json from './spoof.json';",
    'export const seen = { babel, babelNs, plain, esm, json };',
  ].join('\n');

  it('follows Node in .mjs and in .js of a "type": "module" package', () => {
    const { system } = project({
      ...files,
      'node.mjs': importer,
      'pkg/package.json': '{"type": "module"}',
      'pkg/node.js': importer.replaceAll("'./", "'../"),
    });
    for (const name of ['node', 'pkg.node']) {
      const { seen } = system.importModule(name) as { seen: Record<string, Exports> };
      const babel = system.importModule('babel');
      expect(seen.babel, name).toBe(babel); // module.exports, not its .default
      expect(seen.babelNs?.default, name).toBe(babel);
      // Node lists __esModule among a CommonJS module's exports when the module defines it.
      expect(Object.keys(seen.babelNs as object).sort(), name).toEqual(['__esModule', 'default', 'named']);
      expect((seen.plain as unknown as () => string)(), name).toBe('called');
      expect(seen.esm, name).toBe('esm default');
      expect(seen.json, name).toEqual({ __esModule: true, default: 'spoofed', real: true });
    }
  });

  it('takes an ES module that Node loads itself (an npm dependency) as an ES module', () => {
    const { system } = project({
      'node_modules/esm-dep/package.json': '{"name": "esm-dep", "type": "module", "exports": "./index.js"}',
      'node_modules/esm-dep/index.js':
        'export default function hi() { return "hi"; }\nexport const named = 1;',
      'app.mjs': [
        "import hi, * as ns from 'esm-dep';",
        'export const seen = [hi(), ns.default === hi, ns.named, Object.keys(ns), Object.prototype.toString.call(ns)];',
      ].join('\n'),
    });
    // Exactly the keys of Node's import (its require(esm) adds __esModule), a namespace still.
    expect((system.importModule('app') as Exports).seen).toEqual([
      'hi',
      true,
      1,
      ['default', 'named'],
      '[object Module]',
    ]);
  });

  it("follows TypeScript's esModuleInterop in .ts files", () => {
    const { system } = project({ ...files, 'typed.ts': importer });
    const { seen } = system.importModule('typed') as { seen: Record<string, unknown> };
    expect(seen.babel).toBe('inner');
    expect((seen.plain as () => string)()).toBe('called');
    expect(seen.esm).toBe('esm default');
  });

  it('import() follows the same rule', async () => {
    const { system } = project({
      ...files,
      'dynm.mjs': "export const load = () => import('./babel.cjs');",
      'dynt.ts': "export const load = () => import('./babel.cjs');",
    });
    const babel = system.importModule('babel') as Exports;
    const load = (name: string) => (system.importModule(name) as { load: () => Promise<Exports> }).load();
    const nodeNs = await load('dynm');
    expect(nodeNs.default).toBe(babel);
    expect(Object.keys(nodeNs).sort()).toEqual(['__esModule', 'default', 'named']);
    expect((await load('dynt')).default).toBe('inner');
  });
});

describe('the CommonJS details Node gives every file', () => {
  it('module.exports set by Object.defineProperty is what the import gives', () => {
    const { system } = project({
      'getter.js': 'const api = { ok: true };\nObject.defineProperty(module, "exports", { get: () => api });',
    });
    expect(system.importModule('getter')).toEqual({ ok: true });
  });

  it('module.id, filename, path, loaded, parent, children, paths and require', () => {
    const { root, system } = project({
      'child.js': `globalThis.${LOG}.push(['child', module.parent && module.parent.filename, module.loaded]);\nexports.n = 1;`,
      'main.js': [
        "const child = require('./child');",
        "require('./child');",
        `globalThis.${LOG}.push(['main', module.id, module.filename, module.path, module.loaded,`,
        '  module.children.map((c) => c.filename), module.children[0].loaded,',
        "  module.paths[0], module.require('./child') === child]);",
      ].join('\n'),
    });
    system.importModule('main');
    expect(logged()).toEqual([
      ['child', join(root, 'main.js'), false],
      [
        'main',
        join(root, 'main.js'),
        join(root, 'main.js'),
        root,
        false,
        [join(root, 'child.js')],
        true,
        join(root, 'node_modules'),
        true,
      ],
    ]);
  });

  it('require.cache: deleting a module file runs it again on the next require (import-fresh)', () => {
    const { root, system } = project({
      'counter.js': `exports.n = (globalThis.${LOG}.push('ran'), globalThis.${LOG}.length);`,
      'fresh.js': [
        "const file = require.resolve('./counter');",
        "const first = require('./counter');",
        'const cached = require.cache[file];',
        'delete require.cache[file];',
        "const second = require('./counter');",
        'module.exports = { file, first: first.n, second: second.n, cachedExports: cached.exports === first,',
        '  listed: Object.keys(require.cache).includes(file), self: require.cache[__filename] === module };',
      ].join('\n'),
    });
    expect(system.importModule('fresh')).toEqual({
      file: join(root, 'counter.js'),
      first: 1,
      second: 2,
      cachedExports: true,
      listed: true,
      self: true,
    });
    expect(system.modules.has('counter')).toBe(true);
  });

  it('require.resolve with paths, and require.resolve.paths', () => {
    const { root, system } = project({
      'other/node_modules/dep/index.js': 'module.exports = 1;',
      'app.js': [
        `module.exports = [require.resolve('dep', { paths: [${JSON.stringify(join(work.path, 'x'))}, __dirname + '/other'] }),`,
        "  require.resolve.paths('dep')[0], require.resolve.paths('fs'), require.main === module];",
      ].join('\n'),
    });
    expect(system.importModule('app')).toEqual([
      join(root, 'other', 'node_modules', 'dep', 'index.js'),
      join(root, 'node_modules'),
      null,
      false,
    ]);
  });

  it('require.main is the module run as __main__', async () => {
    const { system } = project({
      'prog.js': `globalThis.${LOG}.push(require.main === module, module.id);`,
    });
    await runModule(system, 'prog');
    expect(logged()).toEqual([true, '.']);
  });

  it('__loader__, __name__ and __spec__ are in scope', () => {
    const { root, system } = project({
      'pkg/index.js': '',
      'pkg/data.txt': 'some data',
      'pkg/reader.js': [
        "const { join } = require('node:path');",
        'module.exports = [__name__, __spec__.name,',
        "  Buffer.from(__loader__.getData(join(__dirname, 'data.txt'))).toString()];",
      ].join('\n'),
    });
    writeFileSync(join(root, 'pkg', 'data.txt'), 'some data');
    expect(system.importModule('pkg.reader')).toEqual(['pkg.reader', 'pkg.reader', 'some data']);
  });
});

describe('top-level await', () => {
  const files = {
    'f.ts': 'export default async function f() { return 42; }',
    'tla.ts': `import f from './f';\nglobalThis.${LOG}.push('ran');\nexport const value = await f();`,
    'user.cjs': "module.exports = require('./tla.ts');",
    'lazy.mjs': "export const loading = import('./tla.ts');",
  };

  it('is found in the code: the body awaits, it does not call a function named await', async () => {
    const { system } = project(files);
    expect(((await system.importModuleAsync('tla')) as Exports).value).toBe(42);
    expect(logged()).toEqual(['ran']);
  });

  it('a synchronous import refuses the module before running it, cold and warm', async () => {
    const root = mkdtempSync(join(work.path, 'p-'));
    writeTree(root, { 'package.json': '{}', ...files });
    for (const start of ['cold', 'warm']) {
      (globalThis as Record<string, unknown>)[LOG] = [];
      const system = createImportSystem({ path: [root], cache: { background: false } });
      for (const name of ['tla', 'user']) {
        const error = thrownBy(() => system.importModule(name));
        expect(error, `${start} ${name}`).toMatchObject({
          code: 'ERR_IMPORTLIB_REQUIRE_ASYNC',
          moduleName: 'tla',
          path: join(root, 'tla.ts'),
        });
        expect(String(error.message)).toMatch(/importModuleAsync/);
      }
      expect(logged(), start).toEqual([]);
      expect(system.modules.has('tla')).toBe(false);
      // Nothing ran in the background: the async import runs the body once.
      expect(((await system.importModuleAsync('tla')) as Exports).value).toBe(42);
      expect(logged(), start).toEqual(['ran']);
    }
  });

  it("import() from a module being imported synchronously waits for the module's await", async () => {
    const { system } = project(files);
    const lazy = system.importModule('lazy') as { loading: Promise<Exports> };
    expect((await lazy.loading).value).toBe(42);
    expect(logged()).toEqual(['ran']);
  });
});
