// npm packages that replace `module.exports` keep their files importable, and importing a package's
// file does not change the package's exports: on-disk packages imported through createImportSystem,
// compared with what plain Node's `require` gives for the same files.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { createImportSystem } from '@importlib/hooks';

import { tree, workFolder } from './helpers.js';

const work = workFolder('replaced-exports-');

const files = {
  'package.json': '{ "type": "commonjs" }',
  // lodash-style: the index replaces its exports with a function; files are required lazily, later.
  'fnpkg/index.js': [
    "'use strict';",
    'function fnpkg(x) { return x * 2; }',
    "fnpkg.later = function () { return require('./sub').value; };",
    "Object.defineProperty(fnpkg, 'lazy', { enumerable: true, get() { return require('./lazy'); } });",
    'module.exports = fnpkg;',
  ].join('\n'),
  'fnpkg/sub.js': "exports.value = 'sub';",
  'fnpkg/lazy.js': "module.exports = function lazy() { return 'lazy'; };",
  'fnpkg/debounce.js': "module.exports = function debounce() { return 'debounce'; };",
  // A plain CommonJS package whose file is imported on its own: its keys stay Node's.
  'objpkg/index.js': "exports.a = 1;\nexports.b = require('./b');",
  'objpkg/b.js': 'exports.b = 2;',
  'objpkg/util.js': "exports.util = 'util';",
  // A TypeScript module re-exporting everything of objpkg (the `export *` copy).
  'star.ts': "import './objpkg/util';\nexport * from './objpkg';\nexport const own = 'own';",
};

/** A fresh tree (each test its own, so its compiled cache starts empty) and Node's require of it. */
function setUp(): { root: string; nodeRequire: NodeJS.Require } {
  const root = tree(work.path, files);
  return { root, nodeRequire: createRequire(join(root, 'index.js')) };
}

describe('a package whose index replaces module.exports', () => {
  it("imports its files with importModule('pkg.file') and a lazy require('./file'), as Node requires them", () => {
    const { root, nodeRequire } = setUp();
    const system = createImportSystem({ path: [root] });
    const fnpkg = system.importModule('fnpkg') as ((x: number) => number) & Record<string, unknown>;
    const viaNode = nodeRequire('./fnpkg') as typeof fnpkg;

    expect(fnpkg(21)).toBe(42);
    // lodash/debounce: a file of the package, imported by its dotted name long after the index ran.
    expect((system.importModule('fnpkg.debounce') as () => string)()).toBe('debounce');
    // body-parser: a getter that requires lazily, and a function that requires when called.
    expect((fnpkg.lazy as () => string)()).toBe('lazy');
    expect((fnpkg.later as () => string)()).toBe('sub');
    expect(system.modules.get('fnpkg.sub')).toMatchObject({ value: 'sub' });

    // The files imported meanwhile did not become keys of the package.
    expect(Object.keys(fnpkg)).toEqual(Object.keys(viaNode));
    expect(Object.keys(fnpkg)).toEqual(['later', 'lazy']);
  });

  it('works warm, from the compiled cache, and on the async path', async () => {
    const { root } = setUp();
    createImportSystem({ path: [root] }).importModule('fnpkg.debounce'); // fills the cache
    const system = createImportSystem({ path: [root] });
    const fnpkg = (await system.importModuleAsync('fnpkg')) as Record<string, unknown>;
    expect(((await system.importModuleAsync('fnpkg.debounce')) as () => string)()).toBe('debounce');
    expect((fnpkg.later as () => string)()).toBe('sub');
  });
});

describe("importing a package's file leaves the package's exports as Node gives them", () => {
  it('Object.keys of a package after importing one of its files', () => {
    const { root, nodeRequire } = setUp();
    const system = createImportSystem({ path: [root] });
    system.importModule('objpkg.util');
    const objpkg = system.importModule('objpkg') as Record<string, unknown>;
    nodeRequire('./objpkg/util');
    expect(Object.keys(objpkg)).toEqual(Object.keys(nodeRequire('./objpkg') as object));
    expect(Object.keys(objpkg)).toEqual(['a', 'b']);
    // Python's attribute is still there.
    expect(objpkg.util).toBe(system.modules.get('objpkg.util'));
  });

  it('an export-star re-export of the package copies only its exports', () => {
    const { root } = setUp();
    const system = createImportSystem({ path: [root] });
    const star = system.importModule('star') as Record<string, unknown>;
    expect(Object.keys(star).sort()).toEqual(['a', 'b', 'own']);
    expect(star.b).toMatchObject({ b: 2 });
  });
});
