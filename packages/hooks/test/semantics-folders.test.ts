// The registry, the algorithm, module attributes, the path finder and folder finder, namespace
// packages, locks, failures and reload (docs/conformance.md, first eight sections) again, over real
// folders: the same behaviours as packages/core/test, but every module is a TypeScript or
// JavaScript file in a temporary tree, found by the FileFinder, run by the source loader (through
// the compiled cache) and imported through createImportSystem. The subset is chosen for what files
// add: real paths and listings, module code importing through `require`, `import` and `import()`,
// ESM exports, edits on disk between imports, folders that appear or vanish.
//
// The whole suite runs twice: over folders, and over zip archives holding the same trees (found by
// the ZipImporter, run by the zip entry loaders; an edit on disk rewrites the archive). The few
// cases about folder listings and mtime ticks run over folders only.
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  ImportArgumentError,
  ImportError,
  ModuleNotFoundError,
  NamespaceLoader,
  type ImportSystem,
  type ModuleType,
} from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';
import { writeZip } from '@importlib/loaders';

import { thrownBy, workFolder, writeTree } from './helpers.js';

const work = workFolder('semantics-folders-');

// Module code reports what it did by pushing to this global array (module code runs in this realm).
const LOG = '__semanticsFoldersLog';
const say = (entry: string): string => `globalThis.${LOG}.push(${JSON.stringify(entry)});\n`;
const logged = (): string[] => (globalThis as Record<string, unknown>)[LOG] as string[];

afterAll(() => {
  delete (globalThis as Record<string, unknown>)[LOG];
});

beforeEach(() => {
  (globalThis as Record<string, unknown>)[LOG] = [];
});

type Files = Record<string, string>;

/** What the trees of the running suite are: folders, or zip archives holding the same files. */
type TreeKind = 'folder' | 'zip';
let treeKind: TreeKind = 'folder';
/** The files of each archive made by the tests (an edit rewrites the archive from this). */
const archives = new Map<string, Files>();

function writeArchive(archive: string, files: Files): void {
  archives.set(archive, files);
  writeZip(
    archive,
    Object.entries(files).map(([name, data]) => ({ name, data })),
  );
}

/**
 * Write `files` (path relative to `dir` → text) under `dir`, making folders as needed; over zip
 * archives, rewrite the archive `dir` with them added (making it if it does not exist).
 */
function write(dir: string, files: Files): void {
  if (treeKind === 'zip') {
    const before = existsSync(dir) ? (archives.get(dir) ?? {}) : {};
    writeArchive(dir, { ...before, ...files });
    return;
  }
  writeTree(dir, files);
}

/** Delete the file `file` (relative to `dir`); over zip archives, rewrite the archive without it. */
function remove(dir: string, file: string): void {
  if (treeKind === 'zip') {
    const { [file]: _gone, ...rest } = archives.get(dir) ?? {};
    writeArchive(dir, rest);
    return;
  }
  rmSync(join(dir, file));
}

let archiveCounter = 0;

/** A new folder (or zip archive) under the work root holding `files`. */
function folder(files: Files = {}): string {
  // Still works if another test file clears test/.work while this one runs.
  mkdirSync(work.path, { recursive: true });
  if (treeKind === 'zip') {
    const archive = join(work.path, `entry-${process.pid}-${++archiveCounter}.zip`);
    writeArchive(archive, files);
    return archive;
  }
  const dir = mkdtempSync(join(work.path, 'entry-'));
  write(dir, files);
  return dir;
}

/** A system whose only path entry is a new folder holding `files`; no fallback to Node's resolution. */
function project(
  files: Files,
  options: Parameters<typeof createImportSystem>[0] = {},
): { root: string; system: ImportSystem } {
  const root = folder(files);
  return { root, system: createImportSystem({ path: [root], nodeFallback: false, ...options }) };
}

/** Fail instead of hanging: `promise`, or a rejection if it has not settled after a few seconds. */
async function settles<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the import never settled (hang)')), 5_000);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Set a folder's mtime to a fixed whole second, so it can be put back exactly later. */
function pinMtime(dir: string, seconds: number): void {
  utimesSync(dir, seconds, seconds);
}

const keys = (system: ImportSystem): string[] => [...system.modules.keys()];

// ------------------------------------------------------------------------------------------------

describe.each(['folder', 'zip'] as const)('over trees of kind %s', (kind) => {
  beforeAll(() => {
    treeKind = kind;
  });
  /** A case about folder listings and mtime ticks: a zip archive is read again whenever it changes. */
  const folderOnly = it.runIf(kind === 'folder');

  describe('the registry and module objects, over files', () => {
    it('returns the registry entry by identity, even a non-module, without reading the file (test_caching.test_using_cache)', () => {
      const { system } = project({ 'config.ts': `${say('config ran')}export const real = true;\n` });
      const stub = 'a plain string';
      system.modules.set('config', stub);
      expect(system.importModule('config')).toBe(stub);
      expect(logged()).toEqual([]);
    });

    it('gives require() in a real file the registry entry, so a stub under node:fs replaces Node’s fs (test_caching.test_using_cache)', () => {
      const { system } = project({
        'reader.ts': "import fs from 'fs';\nexport const seen = fs;\n",
      });
      const stub = { stub: true };
      system.modules.set('node:fs', stub);
      const reader = system.importModule('reader') as ModuleType;
      expect(reader.seen).toBe(stub);
    });

    it('runs a file once: a second import returns the same object from the registry (test_caching.test_using_cache)', () => {
      const { system } = project({ 'once.ts': `${say('once ran')}export const value = {};\n` });
      const first = system.importModule('once');
      expect(system.importModule('once')).toBe(first);
      expect(logged()).toEqual(['once ran']);
    });

    it('halts on null in modules even though the file exists, naming the module (_find_and_load: None in sys.modules)', () => {
      const { system } = project({ 'blocked.ts': `${say('blocked ran')}` });
      system.modules.set('blocked', null);
      const error = thrownBy(() => system.importModule('blocked'));
      expect(error).toBeInstanceOf(ModuleNotFoundError);
      expect(error).toMatchObject({ code: 'ERR_IMPORTLIB_NOT_FOUND', moduleName: 'blocked' });
      expect(error.message).toBe('import of blocked halted; null in modules');
      expect(logged()).toEqual([]);
    });

    it('halts a relative require() in module code on a null entry too (_find_and_load: None in sys.modules)', () => {
      const { system } = project({
        'user.ts': "export const dep = require('./blocked');\n",
        'blocked.ts': `${say('blocked ran')}`,
      });
      system.modules.set('blocked', null);
      expect(() => system.importModule('user')).toThrow(/import of blocked halted/);
      expect(logged()).toEqual([]);
    });

    it('halts a bare require() on a null entry instead of falling back to Node (_find_and_load: None in sys.modules)', () => {
      // `ms` is an npm dependency Node's resolution finds from these files.
      const { system } = project({ 'user.ts': "export const ms = require('ms');\n" }, { nodeFallback: true });
      system.modules.set('ms', null);
      const error = thrownBy(() => system.importModule('user'));
      expect(error).toBeInstanceOf(ModuleNotFoundError);
      expect(error.moduleName).toBe('ms');
    });

    it('rejects an import() in module code of a name blocked by null, instead of asking Node (_find_and_load: None in sys.modules)', async () => {
      const { system } = project(
        { 'user.ts': "export const load = () => import('ms');\n" },
        { nodeFallback: true },
      );
      system.modules.set('ms', null);
      const user = system.importModule('user') as ModuleType;
      await expect(settles((user.load as () => Promise<unknown>)())).rejects.toMatchObject({
        code: 'ERR_IMPORTLIB_NOT_FOUND',
        moduleName: 'ms',
      });
    });

    it('registers a module before its body runs: require() of itself returns the same, partly filled object (_load_unlocked)', () => {
      const { system } = project({
        'self.js': [
          'exports.early = 1;',
          "const me = require('./self');",
          'exports.sawEarly = me.early;',
          "exports.sawLate = 'late' in me;",
          'exports.me = me;',
          'exports.late = 2;',
        ].join('\n'),
      });
      const self = system.importModule('self') as ModuleType;
      expect(self.me).toBe(self);
      expect(self.sawEarly).toBe(1);
      expect(self.sawLate).toBe(false);
    });

    it('hands a submodule that imports its package back the partly run package (_load_unlocked)', () => {
      const { system } = project({
        'pkg/__init__.js': ["exports.before = 'set';", "require('./sub');", "exports.after = 'set';"].join(
          '\n',
        ),
        'pkg/sub.js': [
          "const pkg = require('.');",
          'exports.pkgKeys = Object.keys(pkg);',
          'exports.pkg = pkg;',
        ].join('\n'),
      });
      const pkg = system.importModule('pkg') as ModuleType;
      const sub = system.modules.get('pkg.sub') as ModuleType;
      expect(sub.pkg).toBe(pkg);
      expect(sub.pkgKeys).toEqual(['before']);
      expect(pkg.sub).toBe(sub);
    });

    it('returns what module.exports = value put into modules, to importModule and to require() (_load_unlocked: sys.modules.pop)', () => {
      const { system } = project({
        'double.cjs': 'module.exports = function double(n) { return 2 * n; };\n',
        'user.ts': "import double from './double';\nexport const four = double(2);\n",
      });
      const double = system.importModule('double');
      expect(typeof double).toBe('function');
      expect(system.modules.get('double')).toBe(double);
      expect((system.importModule('user') as ModuleType).four).toBe(4);
    });

    it('moves a module to the end of modules when it finishes, after the files it imported (_load_unlocked: re-insert)', () => {
      const { system } = project({
        'first.ts': "import './second';\nexport const x = 1;\n",
        'second.ts': 'export const y = 2;\n',
      });
      system.importModule('first');
      expect(keys(system).slice(-2)).toEqual(['second', 'first']);
    });

    it('moves a module.exports replacement to the end of modules too (_load_unlocked: sys.modules.pop, _load_unlocked: re-insert)', () => {
      const { system } = project({
        'replacer.cjs': "const dep = require('./dep');\nmodule.exports = { replaced: true, dep };\n",
        'dep.ts': 'export const d = 1;\n',
      });
      const result = system.importModule('replacer');
      expect(result).toMatchObject({ replaced: true });
      expect(keys(system).slice(-2)).toEqual(['dep', 'replacer']);
      expect(system.modules.get('replacer')).toBe(result);
    });

    it('binds a submodule file as an attribute of its package (_find_and_load_unlocked: setattr(parent_module))', () => {
      const { system } = project({
        'pkg/__init__.ts': 'export const p = 1;\n',
        'pkg/sub.ts': 'export const s = 1;\n',
      });
      const sub = system.importModule('pkg.sub');
      const pkg = system.modules.get('pkg') as ModuleType;
      expect(pkg.sub).toBe(sub);
    });

    it('warns instead of failing when an ESM export of the package has the submodule’s name, and keeps the export (_find_and_load_unlocked: setattr(parent_module))', () => {
      const { system } = project({
        'pkg/__init__.ts': "export const sub = 'an export';\n",
        'pkg/sub.ts': 'export const s = 1;\n',
      });
      const warnings: string[] = [];
      system.addTracer((event) => {
        if (event.type === 'warning') warnings.push(`${event.category}: ${event.message}`);
      });
      expect((system.importModule('pkg.sub') as ModuleType).s).toBe(1);
      expect((system.modules.get('pkg') as ModuleType).sub).toBe('an export');
      expect(warnings).toEqual(["ImportWarning: Cannot set an attribute on 'pkg' for child module 'sub'"]);
    });

    it("writes repr as <module 'name' from '<real file>'> (_module_repr_from_spec)", () => {
      const { root, system } = project({ 'pkg/__init__.ts': '', 'pkg/mod.ts': 'export const m = 1;\n' });
      const mod = system.importModule('pkg.mod');
      expect(String(mod)).toBe(`<module 'pkg.mod' from '${join(root, 'pkg', 'mod.ts')}'>`);
    });
  });

  describe('the import algorithm over packages on disk', () => {
    it('runs a/__init__, then a/b/__init__, then a/b/c, and registers them in that order (test_packages.test_import_parent)', () => {
      const { system } = project({
        'a/__init__.ts': say('a'),
        'a/b/__init__.ts': say('a.b'),
        'a/b/c.ts': say('a.b.c'),
      });
      system.importModule('a.b.c');
      expect(logged()).toEqual(['a', 'a.b', 'a.b.c']);
      expect(keys(system).filter((k) => k.startsWith('a'))).toEqual(['a', 'a.b', 'a.b.c']);
    });

    it('stops at a failing parent __init__.ts: the child file is never run, the grandparent stays (test_packages.test_bad_parent)', () => {
      const { system } = project({
        'a/__init__.ts': say('a'),
        'a/b/__init__.ts': `${say('a.b')}throw new Error('a.b fails');\n`,
        'a/b/c.ts': say('a.b.c'),
      });
      expect(() => system.importModule('a.b.c')).toThrow('a.b fails');
      expect(logged()).toEqual(['a', 'a.b']);
      expect(system.modules.has('a')).toBe(true);
      expect(system.modules.has('a.b')).toBe(false);
      expect(system.modules.has('a.b.c')).toBe(false);
    });

    it('keeps a child that a failing __init__ imported, and the import statement fails again on the package (test_packages.test_raising_parent_after_importing_child)', () => {
      const { system } = project({
        'pkg/__init__.ts': `${say('pkg')}import './child';\nthrow new Error('pkg fails');\n`,
        'pkg/child.ts': `${say('child')}export const c = 1;\n`,
      });
      expect(() => system.importModule('pkg')).toThrow('pkg fails');
      expect(system.modules.has('pkg')).toBe(false);
      expect((system.modules.get('pkg.child') as ModuleType).c).toBe(1);
      expect(() => system.__import__('pkg.child')).toThrow('pkg fails');
      // The import of ./child is hoisted above the log call; the second run finds the child registered.
      expect(logged()).toEqual(['child', 'pkg', 'pkg']);
    });

    it('refuses a submodule of a plain module file: "\'mod\' is not a package" (test_packages.test_module_not_package)', () => {
      const { system } = project({ 'mod.ts': 'export const m = 1;\n', 'other/x.ts': say('other/x') });
      const error = thrownBy(() => system.importModule('mod.x'));
      expect(error).toBeInstanceOf(ModuleNotFoundError);
      expect(error.message).toBe("No module named 'mod.x'; 'mod' is not a package");
      expect(error.moduleName).toBe('mod.x');
      expect(logged()).toEqual([]);
    });

    it('gives module code the same error for a path into a module file (test_packages.test_module_not_package)', () => {
      const { system } = project({ 'mod.ts': 'export const m = 1;\n', 'user.ts': "import './mod/x';\n" });
      const error = thrownBy(() => system.importModule('user'));
      expect(error).toBeInstanceOf(ModuleNotFoundError);
      expect(error.message).toBe("No module named 'mod.x'; 'mod' is not a package");
      expect(logged()).toEqual([]);
    });

    it('finds a submodule in a folder beside a module file of its name, as Node finds ./mod/x (where Python refuses)', () => {
      const { root, system } = project({
        'lib/mod.ts': "export const m = 'module';\nexport { sibling } from './sibling';\n",
        'lib/sibling.ts': "export const sibling = 'sibling';\n",
        'lib/mod/x.ts': say('lib/mod/x'),
        'lib/user.ts': "export { m, sibling } from './mod';\nexport * as x from './mod/x';\n",
      });
      const user = system.importModule('lib.user') as ModuleType;
      expect([user.m, user.sibling]).toEqual(['module', 'sibling']);
      expect(system.modules.get('lib.mod.x')).toBeDefined();
      expect(logged()).toEqual(['lib/mod/x']);
      const mod = system.modules.get('lib.mod') as ModuleType;
      expect([mod.__file__, mod.__path__]).toEqual([join(root, 'lib', 'mod.ts'), [join(root, 'lib', 'mod')]]);
    });

    it("treats a Node builtin as a module, not a package: 'node:fs' is not a package (test_packages.test_module_not_package)", () => {
      const { system } = project({});
      const error = thrownBy(() => system.importModule('node:fs.nothing'));
      expect(error).toBeInstanceOf(ModuleNotFoundError);
      expect(error.message).toBe("No module named 'node:fs.nothing'; 'node:fs' is not a package");
    });

    it("searches a package's submodules in its __path__, so a folder added there is searched too (test_packages.test_module_not_package)", () => {
      const { system } = project({ 'pkg/__init__.ts': '', 'elsewhere.ts': say('top-level elsewhere') });
      const extra = folder({
        'elsewhere.ts': `${say('pkg portion elsewhere')}export const from = 'extra';\n`,
      });
      const pkg = system.importModule('pkg') as ModuleType;
      expect(() => system.importModule('pkg.elsewhere')).toThrow(ModuleNotFoundError);
      (pkg.__path__ as string[]).push(extra);
      expect((system.importModule('pkg.elsewhere') as ModuleType).from).toBe('extra');
      expect(logged()).toEqual(['pkg portion elsewhere']);
    });

    it('returns the top package from __import__ without fromlist and the named module with one', () => {
      const { system } = project({ 'a/__init__.ts': '', 'a/b/__init__.ts': '', 'a/b/c.ts': '' });
      expect(system.__import__('a.b.c')).toBe(system.modules.get('a'));
      expect(system.__import__('a.b.c', null, null, ['anything'])).toBe(system.modules.get('a.b.c'));
    });

    it('returns the first component after the dots from a relative __import__ without fromlist', () => {
      const { system } = project({ 'a/__init__.ts': '', 'a/b/__init__.ts': '', 'a/b/c.ts': '' });
      const a = system.importModule('a') as ModuleType;
      expect(system.__import__('b.c', a, null, [], 1)).toBe(system.modules.get('a.b'));
      expect(system.modules.has('a.b.c')).toBe(true);
    });

    it('imports the submodule files a fromlist names and binds them on the package (_handle_fromlist)', () => {
      const { system } = project({
        'pkg/__init__.ts': '',
        'pkg/one.ts': `${say('one')}export const n = 1;\n`,
        'pkg/two.js': `${say('two')}exports.n = 2;\n`,
        'pkg/three.ts': say('three'),
      });
      const pkg = system.__import__('pkg', null, null, ['one', 'two']) as ModuleType;
      expect((pkg.one as ModuleType).n).toBe(1);
      expect((pkg.two as ModuleType).n).toBe(2);
      expect(logged()).toEqual(['one', 'two']);
    });

    it('imports nothing for a fromlist name the package already has as an export (_handle_fromlist)', () => {
      const { system } = project({
        'pkg/__init__.ts': "export const helper = 'an export';\n",
        'pkg/helper.ts': say('pkg/helper.ts'),
      });
      const pkg = system.__import__('pkg', null, null, ['helper']) as ModuleType;
      expect(pkg.helper).toBe('an export');
      expect(system.modules.has('pkg.helper')).toBe(false);
      expect(logged()).toEqual([]);
    });

    it('swallows a fromlist name that is no file in the package and leaves the attribute absent (_handle_fromlist: ModuleNotFoundError)', () => {
      const { system } = project({ 'pkg/__init__.ts': '' });
      const pkg = system.__import__('pkg', null, null, ['missing']) as ModuleType;
      expect(pkg).toBe(system.modules.get('pkg'));
      expect('missing' in pkg).toBe(false);
    });

    it("propagates a ModuleNotFoundError raised inside a fromlist submodule's own code (_handle_fromlist: ModuleNotFoundError)", () => {
      const { system } = project({ 'pkg/__init__.ts': '', 'pkg/broken.ts': "import './absent';\n" });
      const error = thrownBy(() => system.__import__('pkg', null, null, ['broken']));
      expect(error).toBeInstanceOf(ModuleNotFoundError);
      expect(error.moduleName).toBe('pkg.absent');
    });

    it('propagates the error of a fromlist entry blocked by null, though its file exists (_handle_fromlist: ModuleNotFoundError)', () => {
      const { system } = project({ 'pkg/__init__.ts': '', 'pkg/sub.ts': say('sub') });
      system.modules.set('pkg.sub', null);
      expect(() => system.__import__('pkg', null, null, ['sub'])).toThrow(/import of pkg\.sub halted/);
      expect(logged()).toEqual([]);
    });

    it("imports the files named by `export const __all__` for '*', and no others (_handle_fromlist: __all__)", () => {
      const { system } = project({
        'pkg/__init__.ts': "export const __all__ = ['a', 'b'];\n",
        'pkg/a.ts': say('a'),
        'pkg/b.ts': say('b'),
        'pkg/c.ts': say('c'),
      });
      system.__import__('pkg', null, null, ['*']);
      expect(logged()).toEqual(['a', 'b']);
      expect(system.modules.has('pkg.c')).toBe(false);
    });

    it("imports no submodule files for '*' when the package has no __all__ (_handle_fromlist: __all__)", () => {
      const { system } = project({ 'pkg/__init__.ts': 'export const x = 1;\n', 'pkg/a.ts': say('a') });
      system.__import__('pkg', null, null, ['*']);
      expect(logged()).toEqual([]);
    });

    it("resolves './x', '../y' and '.' written in a package's file against its package (_resolve_name)", () => {
      const { system } = project({
        'a/__init__.ts': '',
        'a/y.ts': "export const name = 'a.y';\n",
        'a/b/__init__.ts': "export const name = 'a.b';\n",
        'a/b/x.ts': "export const name = 'a.b.x';\n",
        'a/b/m.ts': [
          "import { name as x } from './x';",
          "import { name as y } from '../y';",
          "import { name as here } from '.';",
          'export const seen = [x, y, here];',
        ].join('\n'),
      });
      expect((system.importModule('a.b.m') as ModuleType).seen).toEqual(['a.b.x', 'a.y', 'a.b']);
    });

    it("resolves './x' in a file directly on the path entry to the top-level module x (_resolve_name)", () => {
      const { system } = project({
        'top.ts': "import { name } from './x.js';\nexport const seen = name;\n",
        'x.ts': "export const name = 'x';\n",
      });
      expect((system.importModule('top') as ModuleType).seen).toBe('x');
      expect(system.modules.has('x')).toBe(true);
    });

    it('refuses a path that climbs above the path entry with ERR_IMPORTLIB_BAD_SPECIFIER naming the file (_resolve_name)', () => {
      const { root, system } = project({
        'pkg/__init__.ts': '',
        'pkg/climber.ts': "import '../../outside';\n",
      });
      const error = thrownBy(() => system.importModule('pkg.climber'));
      expect(error).toBeInstanceOf(ImportError);
      expect(error.code).toBe('ERR_IMPORTLIB_BAD_SPECIFIER');
      expect(error.path).toBe(join(root, 'pkg', 'climber.ts'));
      expect(error.message).toContain(join(root, 'pkg', 'climber.ts'));
      expect(system.modules.has('pkg.climber')).toBe(false);
    });

    it("refuses '../x' in a top-level file the same way (_resolve_name)", () => {
      const { root, system } = project({ 'top.ts': "export const x = require('../x');\n" });
      const error = thrownBy(() => system.importModule('top'));
      expect(error.code).toBe('ERR_IMPORTLIB_BAD_SPECIFIER');
      expect(error.path).toBe(join(root, 'top.ts'));
    });

    it("returns the named module from importModule('.x', 'pkg') and climbs with '..'", () => {
      const { system } = project({
        'pkg/__init__.ts': '',
        'pkg/x.ts': "export const name = 'pkg.x';\n",
        'pkg/sub/__init__.ts': '',
      });
      expect((system.importModule('.x', 'pkg') as ModuleType).name).toBe('pkg.x');
      expect(system.importModule('..x', 'pkg.sub')).toBe(system.modules.get('pkg.x'));
      expect(() => system.importModule('.x')).toThrow(ImportArgumentError);
    });

    it('imports the parent package file but not the module for findSpec, which reports the real file', () => {
      const { root, system } = project({ 'pkg/__init__.ts': say('pkg'), 'pkg/sub.ts': say('sub') });
      const spec = system.findSpec('pkg.sub');
      expect(spec?.origin).toBe(join(root, 'pkg', 'sub.ts'));
      expect(logged()).toEqual(['pkg']);
      expect(system.modules.has('pkg.sub')).toBe(false);
    });
  });

  describe('the attributes of modules loaded from files', () => {
    it('sets __file__ to the real file, __cached__ to its compiled file, __package__ and __name__ (_init_module_attrs)', () => {
      const { root, system } = project({ 'pkg/__init__.ts': '', 'pkg/mod.ts': 'export const m = 1;\n' });
      const mod = system.importModule('pkg.mod') as ModuleType;
      expect(mod.__name__).toBe('pkg.mod');
      expect(mod.__file__).toBe(join(root, 'pkg', 'mod.ts'));
      if (kind === 'folder') {
        expect(mod.__cached__).toMatch(/\/pkg\/__pycache__\/mod\.ts\.importlib-\d+\.jsc$/);
        expect(dirname(mod.__cached__ as string)).toBe(join(root, 'pkg', '__pycache__'));
      } else {
        // Outside the archive: <archive folder>/__pycache__/<archive name>/pkg/mod.ts.<tag>.jsc
        expect(dirname(mod.__cached__ as string)).toBe(
          join(dirname(root), '__pycache__', basename(root), 'pkg'),
        );
        expect(mod.__cached__).toMatch(/\/mod\.ts\.importlib-\d+\.jsc$/);
      }
      expect(mod.__package__).toBe('pkg');
      expect(mod.__spec__?.origin).toBe(mod.__file__);
      expect(mod.__loader__).toBe(mod.__spec__?.loader);
      expect(mod.__path__).toBeUndefined();
    });

    it('sets no __cached__ when the compiled cache is neither read nor written', () => {
      const { system } = project({ 'mod.ts': '' }, { cache: { read: false, write: false } });
      const mod = system.importModule('mod') as ModuleType;
      expect(mod.__cached__).toBeUndefined();
      expect(mod.__file__).toMatch(/mod\.ts$/);
    });

    it('gives a package __path__ = [its folder], __file__ = its __init__ file and __package__ = its own name (spec_from_file_location, _init_module_attrs)', () => {
      const { root, system } = project({ 'pkg/__init__.ts': '', 'other/index.js': '' });
      const pkg = system.importModule('pkg') as ModuleType;
      expect(pkg.__path__).toEqual([join(root, 'pkg')]);
      expect(pkg.__file__).toBe(join(root, 'pkg', '__init__.ts'));
      expect(pkg.__package__).toBe('pkg');
      const other = system.importModule('other') as ModuleType;
      expect(other.__path__).toEqual([join(root, 'other')]);
      expect(other.__file__).toBe(join(root, 'other', 'index.js'));
    });

    it('names a dotted file with %2E and keeps the real file name in __file__ and __cached__ (_init_module_attrs)', () => {
      const { root, system } = project({ 'app.module.ts': 'export const a = 1;\n' });
      const mod = system.importModule('app%2Emodule') as ModuleType;
      expect(mod.__name__).toBe('app%2Emodule');
      expect(mod.__file__).toBe(join(root, 'app.module.ts'));
      expect(mod.__cached__).toMatch(/\/app\.module\.ts\.importlib-\d+\.jsc$/);
    });

    it('lets module code see its own __filename and __dirname, equal to __file__ (_init_module_attrs)', () => {
      const { root, system } = project({
        'pkg/__init__.ts': '',
        'pkg/where.ts': 'export const file = __filename;\nexport const dir = __dirname;\n',
      });
      const where = system.importModule('pkg.where') as ModuleType;
      expect(where.file).toBe(where.__file__);
      expect(where.dir).toBe(join(root, 'pkg'));
    });

    it('gives a namespace package over real folders __file__ null, origin null and a NamespaceLoader (_init_module_attrs: NamespaceLoader)', () => {
      const { root, system } = project({ 'ns/one.ts': '' });
      const ns = system.importModule('ns') as ModuleType;
      expect(ns.__file__).toBeNull();
      expect(ns.__spec__?.origin).toBeNull();
      expect(ns.__loader__).toBeInstanceOf(NamespaceLoader);
      expect(ns.__loader__).toBe(ns.__spec__?.loader);
      expect((ns.__path__ as unknown as string[])[0]).toBe(join(root, 'ns'));
      expect(String(ns)).toBe(`<module 'ns' (namespace) from ${JSON.stringify([join(root, 'ns')])}>`);
    });
  });

  describe('system.path, path entries and the folder listing cache', () => {
    it('takes a module from the first entry of system.path that has it, read at each import (PathFinder.find_spec)', () => {
      const first = folder({ 'dup.ts': "export const from = 'first';\n" });
      const second = folder({ 'dup.ts': "export const from = 'second';\n" });
      const system = createImportSystem({ path: [first, second], nodeFallback: false });
      expect((system.importModule('dup') as ModuleType).from).toBe('first');
      system.modules.delete('dup');
      system.path.reverse();
      expect((system.importModule('dup') as ModuleType).from).toBe('second');
    });

    it('skips a path entry that does not exist and caches null for it (PathFinder._path_hooks)', () => {
      const missing = join(work.path, 'no-such-folder');
      const real = folder({ 'here.ts': "export const from = 'real';\n" });
      const system = createImportSystem({ path: [missing, real], nodeFallback: false });
      expect((system.importModule('here') as ModuleType).from).toBe('real');
      expect(system.pathImporterCache.has(missing)).toBe(true);
      expect(system.pathImporterCache.get(missing)).toBeNull();
    });

    it('does not look at a null-cached entry again until invalidateCaches(), even once the folder exists (PathFinder._path_hooks)', () => {
      const late = join(work.path, `late-${process.pid}-${Date.now()}`);
      const system = createImportSystem({ path: [late], nodeFallback: false });
      expect(() => system.importModule('later')).toThrow(ModuleNotFoundError);
      write(late, { 'later.ts': "export const ok = 'found';\n" });
      expect(() => system.importModule('later')).toThrow(ModuleNotFoundError);
      system.invalidateCaches();
      expect((system.importModule('later') as ModuleType).ok).toBe('found');
      expect(system.pathImporterCache.get(late)).not.toBeNull();
    });

    it('drops a relative path entry from pathImporterCache on invalidateCaches(), keeps the absolute ones', () => {
      const absolute = folder({ 'abs.ts': '' });
      const rel = relative(process.cwd(), folder({ 'rel.ts': "export const from = 'relative';\n" }));
      const system = createImportSystem({ path: [absolute, rel], nodeFallback: false });
      system.importModule('rel');
      expect(system.pathImporterCache.has(rel)).toBe(true);
      const absoluteFinder = system.pathImporterCache.get(absolute);
      system.invalidateCaches();
      expect(system.pathImporterCache.has(rel)).toBe(false);
      expect(system.pathImporterCache.get(absolute)).toBe(absoluteFinder);
      system.modules.delete('rel');
      expect((system.importModule('rel') as ModuleType).from).toBe('relative');
    });

    // Importing writes __pycache__ into the folder, which changes its mtime: pin the mtime only after
    // that, then let a miss list the folder at the pinned mtime.
    folderOnly(
      'finds a file created after the folder was listed once the folder mtime changed (FileFinder._fill_cache)',
      () => {
        const { root, system } = project({ 'old.ts': '' });
        system.importModule('old');
        pinMtime(root, 1_600_000_000);
        expect(() => system.importModule('fresh')).toThrow(ModuleNotFoundError);
        write(root, { 'fresh.ts': 'export const fresh = true;\n' });
        pinMtime(root, 1_600_000_100);
        expect((system.importModule('fresh') as ModuleType).fresh).toBe(true);
      },
    );

    folderOnly(
      'misses a file created in the same mtime tick until invalidateCaches() (test_namespace_pkgs.test_invalidate_caches)',
      () => {
        const { root, system } = project({ 'old.ts': '' });
        system.importModule('old');
        pinMtime(root, 1_600_000_000);
        expect(() => system.importModule('sneaky')).toThrow(ModuleNotFoundError);
        write(root, { 'sneaky.ts': 'export const sneaky = true;\n' });
        pinMtime(root, 1_600_000_000);
        expect(() => system.importModule('sneaky')).toThrow(ModuleNotFoundError);
        system.invalidateCaches();
        expect((system.importModule('sneaky') as ModuleType).sneaky).toBe(true);
      },
    );

    folderOnly(
      'misses a submodule file created in a package folder in the same tick until invalidateCaches() (test_namespace_pkgs.test_invalidate_caches)',
      () => {
        const { root, system } = project({ 'pkg/__init__.ts': '', 'pkg/old.ts': '' });
        const pkgDir = join(root, 'pkg');
        system.importModule('pkg.old');
        pinMtime(pkgDir, 1_600_000_000);
        expect(() => system.importModule('pkg.sneaky')).toThrow(ModuleNotFoundError);
        write(root, { 'pkg/sneaky.ts': 'export const sneaky = true;\n' });
        pinMtime(pkgDir, 1_600_000_000);
        expect(() => system.importModule('pkg.sneaky')).toThrow(ModuleNotFoundError);
        system.invalidateCaches();
        expect((system.importModule('pkg.sneaky') as ModuleType).sneaky).toBe(true);
      },
    );

    it('prefers a package folder with __init__.ts over a same-named module file, and __init__ over index (test_finder.test_package_over_module)', () => {
      const { root, system } = project({
        'both.ts': "export const kind = 'module';\n",
        'both/__init__.ts': "export const kind = 'package';\n",
        'markers/__init__.js': "exports.kind = '__init__';\n",
        'markers/index.ts': "export const kind = 'index';\n",
      });
      expect((system.importModule('both') as ModuleType).kind).toBe('package');
      expect((system.importModule('markers') as ModuleType).__file__).toBe(
        join(root, 'markers', '__init__.js'),
      );
    });

    it('prefers a module file over a same-named folder without __init__ (test_finder.test_package_over_module)', () => {
      const { root, system } = project({
        'thing.ts': "export const kind = 'module';\n",
        'thing/part.ts': '',
      });
      const thing = system.importModule('thing') as ModuleType;
      expect(thing.kind).toBe('module');
      expect(thing.__path__).toEqual([join(root, 'thing')]);
    });

    it('matches file names by exact case: Mod.ts is not the module mod (test_case_sensitivity)', () => {
      const { system } = project({ 'Mod.ts': "export const kind = 'Mod';\n" });
      expect(() => system.importModule('mod')).toThrow(ModuleNotFoundError);
      expect((system.importModule('Mod') as ModuleType).kind).toBe('Mod');
    });

    it('answers "not found" instead of failing when a listed path entry folder is deleted (test_finder.test_dir_removal_handling)', () => {
      const gone = folder({ 'early.ts': '' });
      const stays = folder({ 'late.ts': "export const from = 'stays';\n" });
      const system = createImportSystem({ path: [gone, stays], nodeFallback: false });
      system.importModule('early');
      rmSync(gone, { recursive: true, force: true });
      expect((system.importModule('late') as ModuleType).from).toBe('stays');
      expect(() => system.importModule('nowhere')).toThrow(ModuleNotFoundError);
    });
  });

  describe('namespace packages over real folders', () => {
    it('merges ns/ folders without __init__ from two path entries, in system.path order (_NamespacePath)', () => {
      const first = folder({ 'ns/one.ts': "export const portion = 'one';\n" });
      const second = folder({ 'ns/two.ts': "export const portion = 'two';\n" });
      const system = createImportSystem({ path: [first, second], nodeFallback: false });
      expect((system.importModule('ns.one') as ModuleType).portion).toBe('one');
      expect((system.importModule('ns.two') as ModuleType).portion).toBe('two');
      const ns = system.modules.get('ns') as ModuleType;
      expect([...(ns.__path__ as Iterable<string>)]).toEqual([join(first, 'ns'), join(second, 'ns')]);
    });

    it('lets a regular package on a later entry win over a namespace folder on an earlier one (PathFinder._get_spec: loader wins)', () => {
      const first = folder({ 'ns/early.ts': say('early portion') });
      const second = folder({ 'ns/__init__.ts': 'export const regular = true;\n' });
      const system = createImportSystem({ path: [first, second], nodeFallback: false });
      const ns = system.importModule('ns') as ModuleType;
      expect(ns.regular).toBe(true);
      expect(ns.__path__).toEqual([join(second, 'ns')]);
      expect(() => system.importModule('ns.early')).toThrow(ModuleNotFoundError);
    });

    it('finds a portion on a path entry appended later, without a reload (test_namespace_pkgs.DynamicPathNamespacePackage)', () => {
      const first = folder({ 'ns/one.ts': '' });
      const system = createImportSystem({ path: [first], nodeFallback: false });
      system.importModule('ns.one');
      const later = folder({ 'ns/three.ts': "export const portion = 'three';\n" });
      system.path.push(later);
      expect((system.importModule('ns.three') as ModuleType).portion).toBe('three');
      expect([...((system.modules.get('ns') as ModuleType).__path__ as Iterable<string>)]).toEqual([
        join(first, 'ns'),
        join(later, 'ns'),
      ]);
    });

    it('sees a portion folder created on an existing entry only after invalidateCaches() (test_namespace_pkgs.test_invalidate_caches)', () => {
      const first = folder({ 'ns/one.ts': '' });
      const second = folder({ 'unrelated.ts': '' });
      const system = createImportSystem({ path: [first, second], nodeFallback: false });
      system.importModule('ns.one');
      write(second, { 'ns/four.ts': "export const portion = 'four';\n" });
      expect(() => system.importModule('ns.four')).toThrow(ModuleNotFoundError);
      system.invalidateCaches();
      expect((system.importModule('ns.four') as ModuleType).portion).toBe('four');
    });

    it('turns a namespace package regular on reload once an __init__.ts appears, in the same object (test_api.ReloadTests.test_reload_namespace_changed)', () => {
      const { root, system } = project({ 'ns/one.ts': '' });
      const ns = system.importModule('ns') as ModuleType;
      write(root, { 'ns/__init__.ts': `${say('ns init')}export const regular = true;\n` });
      system.invalidateCaches();
      expect(system.reload(ns)).toBe(ns);
      expect(system.modules.get('ns')).toBe(ns);
      expect(ns.regular).toBe(true);
      expect(ns.__file__).toBe(join(root, 'ns', '__init__.ts'));
      expect(ns.__path__).toEqual([join(root, 'ns')]);
      expect(logged()).toEqual(['ns init']);
    });
  });

  describe('concurrent imports of real files', () => {
    it('runs a module with top-level await once for two concurrent importModuleAsync calls (_ModuleLock)', async () => {
      const { system } = project({
        'slow.ts': `${say('slow start')}await new Promise((r) => setTimeout(r, 20));\n${say('slow end')}export const value = 42;\n`,
      });
      const [a, b] = await settles(
        Promise.all([system.importModuleAsync('slow'), system.importModuleAsync('slow')]),
      );
      expect(a).toBe(b);
      expect((a as ModuleType).value).toBe(42);
      expect(logged()).toEqual(['slow start', 'slow end']);
    });

    it('does not hang on a cycle of two files that import() each other at top level (_lock_unlock_module)', async () => {
      const { system } = project({
        'left.ts':
          "export const name = 'left';\nconst right = await import('./right');\nexport const other = right.name;\n",
        'right.ts':
          "export const name = 'right';\nconst left = await import('./left');\nexport const leftSeen = typeof left;\n",
      });
      const left = (await settles(system.importModuleAsync('left'))) as ModuleType;
      expect(left.other).toBe('right');
      expect((system.modules.get('right') as ModuleType).leftSeen).toBe('object');
    });

    it('settles two concurrent imports that enter an import() cycle from both ends (_lock_unlock_module)', async () => {
      const { system } = project({
        'left.ts': `export const name = 'left';\nawait new Promise((r) => setTimeout(r, 5));\nconst right = await import('./right');\nexport const other = right.name;\n`,
        'right.ts': `export const name = 'right';\nawait new Promise((r) => setTimeout(r, 5));\nconst left = await import('./left');\nexport const other = left.name;\n`,
      });
      const [left, right] = (await settles(
        Promise.all([system.importModuleAsync('left'), system.importModuleAsync('right')]),
      )) as ModuleType[];
      expect(left?.__name__).toBe('left');
      expect(right?.__name__).toBe('right');
    });

    it('retries in the waiting call when a concurrent import of the same file fails: both reject, nothing is left (_find_and_load: retry)', async () => {
      const { system } = project({
        'dies.ts': `${say('dies runs')}await new Promise((r) => setTimeout(r, 10));\nthrow new Error('dies');\n`,
      });
      const results = await settles(
        Promise.allSettled([system.importModuleAsync('dies'), system.importModuleAsync('dies')]),
      );
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual([
        'Error: dies',
        'Error: dies',
      ]);
      expect(logged()).toEqual(['dies runs', 'dies runs']);
      expect(system.modules.has('dies')).toBe(false);
    });
  });

  describe('failure cleanup and reload, with edits on disk', () => {
    it('keeps the files a failing module imported, and binds no failed child on its package (test_packages.test_raising_parent_after_importing_child)', () => {
      const { system } = project({
        'pkg/__init__.ts': '',
        'pkg/ok.ts': 'export const ok = 1;\n',
        'pkg/bad.ts': "import './ok';\nthrow new Error('bad fails');\n",
      });
      expect(() => system.importModule('pkg.bad')).toThrow('bad fails');
      expect(system.modules.has('pkg.ok')).toBe(true);
      expect(system.modules.has('pkg.bad')).toBe(false);
      const pkg = system.modules.get('pkg') as ModuleType;
      expect(Object.prototype.hasOwnProperty.call(pkg, 'bad')).toBe(false);
      expect(pkg.ok).toBe(system.modules.get('pkg.ok'));
    });

    it('removes a module whose file throws, and re-runs the file from scratch on a retry, picking up a fix made on disk (_load_unlocked: del sys.modules)', () => {
      const { root, system } = project({ 'flaky.ts': `${say('run 1')}throw new Error('not yet');\n` });
      expect(() => system.importModule('flaky')).toThrow('not yet');
      expect(system.modules.has('flaky')).toBe(false);
      write(root, { 'flaky.ts': `${say('run 2')}export const fixed = 'yes, fixed';\n` });
      expect((system.importModule('flaky') as ModuleType).fixed).toBe('yes, fixed');
      expect(logged()).toEqual(['run 1', 'run 2']);
    });

    it('re-executes an edited file in the same object on reload, so names it no longer defines survive', () => {
      const { root, system } = project({
        'mod.ts': "export const kept = 'v1';\nexport const changed = 'v1';\n",
      });
      const mod = system.importModule('mod') as ModuleType;
      write(root, { 'mod.ts': "export const changed = 'version 2';\nexport const added = 'version 2';\n" });
      expect(system.reload(mod)).toBe(mod);
      expect(system.modules.get('mod')).toBe(mod);
      expect(mod.changed).toBe('version 2');
      expect(mod.added).toBe('version 2');
      expect(mod.kept).toBe('v1');
    });

    it('returns the replacement when the edited file now sets module.exports on reload', () => {
      const { root, system } = project({ 'mod.js': 'exports.version = 1;\n' });
      const mod = system.importModule('mod') as ModuleType;
      write(root, { 'mod.js': "module.exports = { replaced: 'by version 2' };\n" });
      const result = system.reload(mod);
      expect(result).not.toBe(mod);
      expect(result).toEqual({ replaced: 'by version 2' });
      expect(system.modules.get('mod')).toBe(result);
    });

    it('keeps the module in modules, with its old names, when the edited file throws on reload (_exec: finally)', () => {
      const { root, system } = project({ 'mod.ts': "export const value = 'old';\n" });
      const mod = system.importModule('mod') as ModuleType;
      write(root, { 'mod.ts': "throw new Error('the new version fails');\n" });
      expect(() => system.reload(mod)).toThrow('the new version fails');
      expect(system.modules.get('mod')).toBe(mod);
      expect(mod.value).toBe('old');
    });

    it('keeps the module and its names when the edited file no longer parses on reload (test_file_loader.test_state_after_failure)', () => {
      const { root, system } = project({ 'mod.ts': "export const value = 'old';\n" });
      const mod = system.importModule('mod') as ModuleType;
      write(root, { 'mod.ts': 'export const = ;\n' });
      const error = thrownBy(() => system.reload(mod));
      expect(error.code).toBe('ERR_IMPORTLIB_SYNTAX');
      expect(error.path).toBe(join(root, 'mod.ts'));
      expect(system.modules.get('mod')).toBe(mod);
      expect(mod.value).toBe('old');
    });

    it('keeps the object and gives it __path__ when a file becomes a package folder, then imports its submodules (test_api.ReloadTests.test_reload_location_changed)', () => {
      const { root, system } = project({ 'grow.ts': "export const shape = 'file';\n" });
      const grow = system.importModule('grow') as ModuleType;
      expect(() => system.importModule('grow.part')).toThrow(/'grow' is not a package/);
      remove(root, 'grow.ts');
      write(root, {
        'grow/__init__.ts': "export const shape = 'package';\n",
        'grow/part.ts': 'export const p = 1;\n',
      });
      system.invalidateCaches();
      expect(system.reload(grow)).toBe(grow);
      expect(grow.shape).toBe('package');
      expect(grow.__path__).toEqual([join(root, 'grow')]);
      expect(grow.__file__).toBe(join(root, 'grow', '__init__.ts'));
      expect(system.importModule('grow.part')).toBe(grow.part);
    });

    it('has already set __file__ and __path__ from the new package when its __init__.ts fails on reload (_exec: _init_module_attrs(override=True))', () => {
      const { root, system } = project({ 'grow.ts': "export const shape = 'file';\n" });
      const grow = system.importModule('grow') as ModuleType;
      remove(root, 'grow.ts');
      write(root, { 'grow/__init__.ts': "throw new Error('init fails');\n" });
      system.invalidateCaches();
      expect(() => system.reload(grow)).toThrow('init fails');
      expect(system.modules.get('grow')).toBe(grow);
      expect(grow.__file__).toBe(join(root, 'grow', '__init__.ts'));
      expect(grow.__path__).toEqual([join(root, 'grow')]);
      expect(grow.shape).toBe('file');
    });
  });
});
