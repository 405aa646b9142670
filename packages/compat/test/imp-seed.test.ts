// The Python 2 `imp` module documentation page (Doc/library/imp.rst), walked top to bottom: one
// test per function and per sentence of behaviour, over real files in test/.work. The page's two
// examples are in import-emulation.test.ts.
import { copyFileSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  ImportArgumentError,
  ImportError,
  ImportLockError,
  isModule,
  ModuleNotFoundError,
  ModuleSpec,
  type ImportSystem,
  type ModuleType,
} from '@importlib/core';
import { createImportSystem, loaderContextOf } from '@importlib/hooks';
import { compileFile, Inittab } from '@importlib/loaders';

import {
  C_BUILTIN,
  C_EXTENSION,
  createImp,
  imp as defaultImp,
  IMP_HOOK,
  ModuleFile,
  NullImporter,
  PKG_DIRECTORY,
  PY_CODERESOURCE,
  PY_COMPILED,
  PY_FROZEN,
  PY_RESOURCE,
  PY_SOURCE,
  SEARCH_ERROR,
  type Imp,
} from '@importlib/compat';

import { buildAddon } from '../../loaders/test/build-addon.js';
import { logged, say, thrownBy, useWorkArea } from './helpers.js';

const work = useWorkArea('imp-seed');

/** The compiled file of `source`, written as `system` would write it. */
function compiled(system: ImportSystem, source: string): string {
  const context = loaderContextOf(system);
  if (!context) throw new Error('not a createImportSystem system');
  return compileFile(source, context).cachePath;
}

/** A compiled-only module: `<dir>/<stem>.jsc` made from `code`, with no source beside it. */
function sourceless(system: ImportSystem, dir: string, stem: string, code: string): string {
  const source = join(dir, `${stem}.ts`);
  writeFileSync(source, code);
  const target = join(dir, `${stem}.jsc`);
  copyFileSync(compiled(system, source), target);
  rmSync(source);
  rmSync(join(dir, '__pycache__'), { recursive: true, force: true });
  return target;
}

/**
 * Load what `find_module` finds for the last part of `fullname` on `path`, closing the file as the
 * page says to.
 */
function findAndLoad(imp: Imp, fullname: string, path?: Iterable<string>): unknown {
  const [file, pathname, description] = imp.find_module(fullname.slice(fullname.lastIndexOf('.') + 1), path);
  try {
    return imp.load_module(fullname, file, pathname, description);
  } finally {
    file?.close();
  }
}

describe('imp: "an interface to the mechanisms used to implement the import statement"', () => {
  it('defines every function, class and constant the page lists, under its Python name', () => {
    const functions = [
      'get_magic',
      'get_suffixes',
      'find_module',
      'load_module',
      'new_module',
      'lock_held',
      'acquire_lock',
      'release_lock',
      'init_builtin',
      'init_frozen',
      'is_builtin',
      'is_frozen',
      'load_compiled',
      'load_dynamic',
      'load_source',
      'reload',
    ] as const;
    for (const name of functions) expect(typeof defaultImp[name], name).toBe('function');
    expect(defaultImp.NullImporter).toBe(NullImporter);
    const constants = {
      SEARCH_ERROR,
      PY_SOURCE,
      PY_COMPILED,
      C_EXTENSION,
      PY_RESOURCE,
      PKG_DIRECTORY,
      C_BUILTIN,
      PY_FROZEN,
      PY_CODERESOURCE,
      IMP_HOOK,
    };
    for (const [name, value] of Object.entries(constants)) {
      expect(defaultImp[name as keyof typeof constants], name).toBe(value);
    }
  });

  it('works on the import state of the system it is bound to: a module it loads is what import returns', () => {
    const { system, imp } = work.impProject({ 'mod.ts': 'export const x = 1;\n' });
    const module = findAndLoad(imp, 'mod');
    expect(system.importModule('mod')).toBe(module);
    expect(imp.system).toBe(system);
  });

  it('has bound methods, so they can be taken off the object', () => {
    const { imp } = work.impProject({ 'mod.ts': '' });
    const { find_module, is_builtin } = imp;
    expect(find_module('mod')[1]).toMatch(/mod\.ts$/);
    expect(is_builtin('nope')).toBe(0);
  });
});

describe('imp.get_magic()', () => {
  it('returns the magic number that starts every compiled file the system writes', () => {
    const { root, system, imp } = work.impProject({ 'mod.ts': 'export const x = 1;\n' });
    const file = compiled(system, join(root, 'mod.ts'));
    const magic = imp.get_magic();
    expect(magic).toHaveLength(4);
    expect([...readFileSync(file).subarray(0, 4)]).toEqual([...magic]);
  });

  it('differs when the compiled code would differ ("may be different for each Python version")', () => {
    const plain = createImp(createImportSystem());
    const legacy = createImp(createImportSystem({ transpile: { decorators: 'legacy' } }));
    expect([...legacy.get_magic()]).not.toEqual([...plain.get_magic()]);
  });
});

describe('imp.get_suffixes()', () => {
  it('returns (suffix, mode, type) triples, mode being the open() mode: r for text, rb for binary', () => {
    const suffixes = defaultImp.get_suffixes();
    expect(suffixes).toContainEqual(['.ts', 'r', PY_SOURCE]);
    expect(suffixes).toContainEqual(['.js', 'r', PY_SOURCE]);
    expect(suffixes).toContainEqual(['.jsc', 'rb', PY_COMPILED]);
    expect(suffixes).toContainEqual(['.node', 'rb', C_EXTENSION]);
    for (const [suffix, mode, type] of suffixes) {
      expect(suffix.startsWith('.')).toBe(true);
      expect(['r', 'rb']).toContain(mode);
      expect([PY_SOURCE, PY_COMPILED, C_EXTENSION, PY_RESOURCE]).toContain(type);
    }
  });

  it('gives each suffix that a folder search tries: appending it to the module name names the file', () => {
    const { root, imp } = work.impProject({ 'mod.mts': '' });
    const [file, pathname, description] = imp.find_module('mod');
    file?.close();
    expect(pathname).toBe(join(root, 'mod' + description[0]));
    expect(imp.get_suffixes()).toContainEqual(description);
  });
});

describe('imp.find_module(name[, path])', () => {
  it('without path, finds a built-in module first (C_BUILTIN), before a file of the same name on the path', () => {
    const inittab = new Inittab([['spam', () => undefined]]);
    const { imp } = work.impProject({ 'spam.ts': '' }, { inittab });
    expect(imp.find_module('spam')).toEqual([null, '', ['', '', C_BUILTIN]]);
  });

  it('without path, finds a frozen module next (PY_FROZEN), before a file on the path', () => {
    const bundle = work.bundle({ 'spam.ts': 'export const frozen = true;\n' }, ['spam']);
    const { imp } = work.impProject({ 'spam.ts': '' }, { frozen: [bundle] });
    expect(imp.find_module('spam')).toEqual([null, '', ['', '', PY_FROZEN]]);
  });

  it("without path, searches the folders of system.path (Python's sys.path) after those", () => {
    const { root, imp } = work.impProject({ 'mod.ts': '' });
    const [file, pathname, description] = imp.find_module('mod');
    file?.close();
    expect(pathname).toBe(join(root, 'mod.ts'));
    expect(description).toEqual(['.ts', 'r', PY_SOURCE]);
  });

  it('with null for path, behaves as without path', () => {
    const { root, imp } = work.impProject({ 'mod.ts': '' });
    const [file, pathname] = imp.find_module('mod', null);
    file?.close();
    expect(pathname).toBe(join(root, 'mod.ts'));
  });

  it('with path, searches only the folders in it (not system.path, not builtins)', () => {
    const inittab = new Inittab([['spam', () => undefined]]);
    const { imp } = work.impProject({ 'mod.ts': '' }, { inittab });
    const other = work.folder({ 'spam.ts': '' });
    const [file, pathname, description] = imp.find_module('spam', [other]);
    file?.close();
    expect(pathname).toBe(join(other, 'spam.ts'));
    expect(description[2]).toBe(PY_SOURCE);
    expect(thrownBy(() => imp.find_module('mod', [other]))).toBeInstanceOf(ModuleNotFoundError);
  });

  it('searches each folder for files with any of the suffixes of get_suffixes()', () => {
    const { imp } = work.impProject({});
    for (const [suffix, , type] of imp.get_suffixes()) {
      const dir = work.folder({ [`mod${suffix}`]: suffix === '.json' ? '{}' : '' });
      const [file, pathname, description] = imp.find_module('mod', [dir]);
      file?.close();
      expect(pathname).toBe(join(dir, `mod${suffix}`));
      expect(description[2]).toBe(type);
    }
  });

  it('silently ignores invalid names in the list (missing folders, files)', () => {
    const { imp } = work.impProject({});
    const dir = work.folder({ 'mod.ts': '', 'plain.txt': '' });
    const [file, pathname] = imp.find_module('mod', [join(dir, 'missing'), join(dir, 'plain.txt'), dir]);
    file?.close();
    expect(pathname).toBe(join(dir, 'mod.ts'));
  });

  it('requires every list item to be a string', () => {
    const { imp } = work.impProject({});
    const dir = work.folder({ 'mod.ts': '' });
    const error = thrownBy(() => imp.find_module('mod', [dir, 42 as unknown as string]));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect(error.message).toMatch(/must be a string/);
  });

  it('returns an open file positioned at the beginning, the pathname, and the description triple', () => {
    const { root, imp } = work.impProject({ 'mod.ts': 'export const x = 1;\n' });
    const [file, pathname, description] = imp.find_module('mod');
    try {
      expect(file).toBeInstanceOf(ModuleFile);
      expect(file?.closed).toBe(false);
      expect(file?.name).toBe(pathname);
      expect(file?.read()).toBe('export const x = 1;\n');
      expect(pathname).toBe(join(root, 'mod.ts'));
      expect(description).toEqual(['.ts', 'r', PY_SOURCE]);
    } finally {
      file?.close();
    }
    expect(file?.closed).toBe(true);
  });

  it('opens a binary kind of module in mode rb: read() gives its bytes', () => {
    const { root, system, imp } = work.impProject({});
    sourceless(system, root, 'bin', 'export const x = 1;\n');
    const [file, , description] = imp.find_module('bin');
    try {
      expect(description).toEqual(['.jsc', 'rb', PY_COMPILED]);
      expect(file?.mode).toBe('rb');
      expect(Buffer.isBuffer(file?.read())).toBe(true);
    } finally {
      file?.close();
    }
  });

  it('gives file null, pathname "" and ("", "", type) for a module that does not live in a file', () => {
    const { imp } = work.impProject({});
    expect(imp.find_module('node:fs')).toEqual([null, '', ['', '', C_BUILTIN]]);
  });

  it('throws ImportError (ModuleNotFoundError) naming the module when the search is unsuccessful', () => {
    const { imp } = work.impProject({});
    const error = thrownBy(() => imp.find_module('nowhere'));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error).toBeInstanceOf(ImportError);
    expect(error.moduleName).toBe('nowhere');
  });

  it('gives file null, the package folder and PKG_DIRECTORY for a package', () => {
    const { root, imp } = work.impProject({ 'pkg/__init__.ts': '', 'pkg/sub.ts': '' });
    expect(imp.find_module('pkg')).toEqual([null, join(root, 'pkg'), ['', '', PKG_DIRECTORY]]);
  });

  it('does not handle dotted names, and says how to find a submodule', () => {
    const { imp } = work.impProject({ 'pkg/__init__.ts': '', 'pkg/sub.ts': '' });
    const error = thrownBy(() => imp.find_module('pkg.sub'));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.message).toMatch(/__path__/);
  });

  it("finds P.M by loading P, then calling find_module('M', P.__path__)", () => {
    const { root, imp } = work.impProject({ 'pkg/__init__.ts': '', 'pkg/sub.ts': 'export const s = 1;\n' });
    const pkg = findAndLoad(imp, 'pkg') as ModuleType;
    const [file, pathname] = imp.find_module('sub', pkg.__path__ as string[]);
    file?.close();
    expect(pathname).toBe(join(root, 'pkg', 'sub.ts'));
  });

  it('applies that recipe recursively when P itself has a dotted name', () => {
    const { root, imp } = work.impProject({ 'a/__init__.ts': '', 'a/b/__init__.ts': '', 'a/b/c.ts': '' });
    const a = findAndLoad(imp, 'a') as ModuleType;
    const b = findAndLoad(imp, 'a.b', a.__path__) as ModuleType;
    const [file, pathname] = imp.find_module('c', b.__path__);
    file?.close();
    expect(b.__name__).toBe('a.b');
    expect(pathname).toBe(join(root, 'a', 'b', 'c.ts'));
  });
});

describe('imp.load_module(name, file, pathname, description)', () => {
  it('loads a module found by find_module and returns the module object, registered in modules', () => {
    const { system, imp } = work.impProject({ 'mod.ts': `${say('mod ran')}export const x = 1;\n` });
    const module = findAndLoad(imp, 'mod') as ModuleType;
    expect(isModule(module)).toBe(true);
    expect(module.x).toBe(1);
    expect(system.modules.get('mod')).toBe(module);
    expect(logged()).toEqual(['mod ran']);
  });

  it('loads the result of an otherwise conducted search yielding compatible results', () => {
    const { imp } = work.impProject({});
    const dir = work.folder({ 'elsewhere.ts': 'export const found = "by hand";\n' });
    const pathname = join(dir, 'elsewhere.ts');
    const file = new ModuleFile(pathname, 'r');
    try {
      const module = imp.load_module('elsewhere', file, pathname, ['.ts', 'r', PY_SOURCE]) as ModuleType;
      expect(module.found).toBe('by hand');
    } finally {
      file.close();
    }
  });

  it('is equivalent to reload() when the module was already imported: the same object runs again', () => {
    const { root, system, imp } = work.impProject({ 'mod.ts': `${say('run')}export const old = 1;\n` });
    const first = system.importModule('mod') as ModuleType;
    writeFileSync(join(root, 'mod.ts'), `${say('run')}export const fresh = 2;\n`);
    const second = findAndLoad(imp, 'mod') as ModuleType;
    expect(second).toBe(first);
    expect(logged()).toEqual(['run', 'run']);
    expect(second.fresh).toBe(2);
    expect(second.old).toBe(1); // the dict is kept: old names linger, as after reload()
  });

  it('takes the full module name, including the package name, for a submodule', () => {
    const { imp } = work.impProject({ 'pkg/__init__.ts': '', 'pkg/sub.ts': 'export const s = 1;\n' });
    const pkg = findAndLoad(imp, 'pkg') as ModuleType;
    const sub = findAndLoad(imp, 'pkg.sub', pkg.__path__) as ModuleType;
    expect(sub.__name__).toBe('pkg.sub');
    expect(imp.system.modules.get('pkg.sub')).toBe(sub);
  });

  it("takes null and '' for file and pathname when the module is a package or not a file", () => {
    const inittab = new Inittab([['spam', (module) => void (module.ham = 1)]]);
    const { root, imp } = work.impProject({ 'pkg/__init__.ts': 'export const p = 1;\n' }, { inittab });
    const spam = imp.load_module('spam', null, '', ['', '', C_BUILTIN]) as ModuleType;
    expect(spam.ham).toBe(1);
    const pkg = imp.load_module('pkg', null, join(root, 'pkg'), ['', '', PKG_DIRECTORY]) as ModuleType;
    expect(pkg.p).toBe(1);
    expect(pkg.__path__).toEqual([join(root, 'pkg')]);
  });

  it('loads the kind of module the description says, for every kind find_module reports', () => {
    const bundle = work.bundle({ 'cold.ts': 'export const kind = "frozen";\n' }, ['cold']);
    const inittab = new Inittab([['spam', (module) => void (module.kind = 'builtin')]]);
    const { root, system, imp } = work.impProject(
      {
        'src.ts': 'export const kind = "source";\n',
        'pkg/__init__.ts': 'export const kind = "package";\n',
        'data.json': '{ "kind": "json" }',
      },
      { inittab, frozen: [bundle] },
    );
    sourceless(system, root, 'bin', 'export const kind = "compiled";\n');
    copyFileSync(buildAddon().addon, join(root, 'native.node'));
    const kinds = Object.fromEntries(
      ['src', 'bin', 'pkg', 'data', 'spam', 'cold', 'native'].map((name) => {
        const module = findAndLoad(imp, name) as Record<string, unknown>;
        return [name, typeof module.hello === 'function' ? 'extension' : module.kind];
      }),
    );
    expect(kinds).toEqual({
      src: 'source',
      bin: 'compiled',
      pkg: 'package',
      data: 'json',
      spam: 'builtin',
      cold: 'frozen',
      native: 'extension',
    });
  });

  it('throws when loading fails (usually ImportError): an unknown type is an ImportError', () => {
    const { root, imp } = work.impProject({ 'mod.ts': '' });
    const error = thrownBy(() => imp.load_module('mod', null, join(root, 'mod.ts'), ['', '', IMP_HOOK]));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.moduleName).toBe('mod');
  });

  it("throws the module code's own error when its code fails", () => {
    const { imp } = work.impProject({ 'bad.ts': 'throw new RangeError("bad module");\n' });
    expect(() => findAndLoad(imp, 'bad')).toThrow(RangeError);
  });

  it('leaves closing the file to the caller, after a success and after an exception', () => {
    const { imp } = work.impProject({ 'good.ts': '', 'bad.ts': 'throw new Error("no");\n' });
    for (const name of ['good', 'bad']) {
      const [file, pathname, description] = imp.find_module(name);
      try {
        imp.load_module(name, file, pathname, description);
      } catch {
        // the failure is not what this test is about
      }
      expect(file?.closed, name).toBe(false);
      file?.close();
    }
  });
});

describe('imp.new_module(name)', () => {
  it('returns a new empty module object called name', () => {
    const module = defaultImp.new_module('fresh');
    expect(isModule(module)).toBe(true);
    expect(module.__name__).toBe('fresh');
    expect(Object.keys(module)).toEqual([]);
  });

  it('does not insert it in modules', () => {
    const { system, imp } = work.impProject({});
    imp.new_module('fresh');
    expect(system.modules.has('fresh')).toBe(false);
  });
});

describe('imp.lock_held(), acquire_lock(), release_lock()', () => {
  it('lock_held() returns false when the import lock is not held', () => {
    const { imp } = work.impProject({});
    expect(imp.lock_held()).toBe(false);
  });

  it('lock_held() returns true while the import lock is held', () => {
    const { imp } = work.impProject({});
    imp.acquire_lock();
    try {
      expect(imp.lock_held()).toBe(true);
    } finally {
      imp.release_lock();
    }
  });

  it('an import holds the lock while it looks for the module, and no longer once it is complete', () => {
    const { system, imp } = work.impProject({ 'mod.ts': '' });
    const seen: boolean[] = [];
    system.metaPath.unshift({
      findSpec: () => {
        seen.push(imp.lock_held());
        return null;
      },
    });
    system.importModule('mod');
    expect(seen).toEqual([true]);
    expect(imp.lock_held()).toBe(false);
  });

  it('the lock blocks imports by other import tasks until the holder releases it', async () => {
    const { system, imp } = work.impProject({ 'other.ts': `${say('other ran')}` });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    system.metaPath.unshift({
      findSpec: (name) =>
        name === 'holder'
          ? new ModuleSpec(name, {
              createModule: () => null,
              execModule: async () => {
                imp.acquire_lock();
                await released;
                logged().push('holder releases');
                imp.release_lock();
              },
            })
          : null,
    });
    const holder = system.importModuleAsync('holder');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const other = system.importModuleAsync('other');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(logged()).toEqual([]);
    release();
    await Promise.all([holder, other]);
    expect(logged()).toEqual(['holder releases', 'other ran']);
  });

  it('acquire_lock() may be called again by the holder without blocking; it must release once per acquire', () => {
    const { imp } = work.impProject({});
    imp.acquire_lock();
    imp.acquire_lock();
    imp.release_lock();
    expect(imp.lock_held()).toBe(true);
    imp.release_lock();
    expect(imp.lock_held()).toBe(false);
  });

  it('release_lock() when the lock is not held throws ImportLockError (Python: RuntimeError)', () => {
    const { imp } = work.impProject({});
    expect(thrownBy(() => imp.release_lock())).toBeInstanceOf(ImportLockError);
  });
});

describe('the type constants, "used to indicate the search result of find_module()"', () => {
  it('PY_SOURCE: the module was found as a source file', () => {
    const { imp } = work.impProject({ 'mod.ts': '' });
    const [file, , description] = imp.find_module('mod');
    file?.close();
    expect(description[2]).toBe(PY_SOURCE);
  });

  it('PY_COMPILED: the module was found as a compiled code object file', () => {
    const { root, system, imp } = work.impProject({});
    sourceless(system, root, 'bin', '');
    const [file, , description] = imp.find_module('bin');
    file?.close();
    expect(description[2]).toBe(PY_COMPILED);
  });

  it('C_EXTENSION: the module was found as a dynamically loadable shared library', () => {
    const { root, imp } = work.impProject({});
    copyFileSync(buildAddon().addon, join(root, 'native.node'));
    const [file, , description] = imp.find_module('native');
    file?.close();
    expect(description).toEqual(['.node', 'rb', C_EXTENSION]);
  });

  it('PKG_DIRECTORY: the module was found as a package directory', () => {
    const { imp } = work.impProject({ 'pkg/index.ts': '' });
    expect(imp.find_module('pkg')[2][2]).toBe(PKG_DIRECTORY);
  });

  it('C_BUILTIN: the module was found as a built-in module', () => {
    const { imp } = work.impProject({});
    expect(imp.find_module('node:path')[2][2]).toBe(C_BUILTIN);
  });

  it('PY_FROZEN: the module was found as a frozen module', () => {
    const bundle = work.bundle({ 'cold.ts': 'export const cold = true;\n' }, ['cold']);
    const { imp } = work.impProject({}, { frozen: [bundle] });
    expect(imp.find_module('cold')[2][2]).toBe(PY_FROZEN);
  });

  it('SEARCH_ERROR is unused: it is 0 and no search reports it', () => {
    const { imp } = work.impProject({ 'mod.ts': '', 'pkg/__init__.ts': '' });
    expect(SEARCH_ERROR).toBe(0);
    const types = ['mod', 'pkg', 'node:fs'].map((name) => {
      const [file, , description] = imp.find_module(name);
      file?.close();
      return description[2];
    });
    expect(types).not.toContain(SEARCH_ERROR);
  });
});

describe('imp.init_builtin(name)', () => {
  it('initializes the built-in module called name and returns it, stored in modules', () => {
    const inittab = new Inittab([['spam', (module) => void (module.ham = 'eggs')]]);
    const { system, imp } = work.impProject({}, { inittab });
    const module = imp.init_builtin('spam') as ModuleType;
    expect(module.ham).toBe('eggs');
    expect(system.modules.get('spam')).toBe(module);
  });

  it('initializes it again when it was already initialized: the init runs over the entry in modules', () => {
    let runs = 0;
    const inittab = new Inittab([['spam', (module) => void (module.runs = ++runs)]]);
    const { imp } = work.impProject({}, { inittab });
    const first = imp.init_builtin('spam') as ModuleType;
    first.extra = 'kept';
    const second = imp.init_builtin('spam') as ModuleType;
    expect(second).toBe(first);
    expect(second.runs).toBe(2);
    expect(second.extra).toBe('kept');
  });

  it('returns null when there is no built-in module called name', () => {
    const { imp } = work.impProject({});
    expect(imp.init_builtin('no_such_builtin')).toBeNull();
  });
});

describe('imp.init_frozen(name)', () => {
  it('initializes the frozen module called name and returns its module object', () => {
    const bundle = work.bundle({ 'cold.ts': `${say('cold ran')}export const temperature = -5;\n` }, ['cold']);
    const { system, imp } = work.impProject({}, { frozen: [bundle] });
    const module = imp.init_frozen('cold') as ModuleType;
    expect(module.temperature).toBe(-5);
    expect(system.modules.get('cold')).toBe(module);
    expect(logged()).toEqual(['cold ran']);
  });

  it('initializes it again when it was already initialized', () => {
    const bundle = work.bundle({ 'cold.ts': `${say('cold ran')}` }, ['cold']);
    const { imp } = work.impProject({}, { frozen: [bundle] });
    const first = imp.init_frozen('cold');
    const second = imp.init_frozen('cold');
    expect(second).toBe(first);
    expect(logged()).toEqual(['cold ran', 'cold ran']);
  });

  it('returns null when there is no frozen module called name', () => {
    const bundle = work.bundle({ 'cold.ts': 'export const cold = true;\n' }, ['cold']);
    const { imp } = work.impProject({}, { frozen: [bundle] });
    expect(imp.init_frozen('warm')).toBeNull();
  });
});

describe('imp.is_builtin(name)', () => {
  it('returns 1 for a built-in module that can be initialized again (an inittab entry)', () => {
    const { imp } = work.impProject({}, { inittab: new Inittab([['spam', () => undefined]]) });
    expect(imp.is_builtin('spam')).toBe(1);
  });

  it('returns -1 for a built-in module that cannot be initialized again (a Node core module)', () => {
    const { imp } = work.impProject({});
    expect(imp.is_builtin('node:fs')).toBe(-1);
  });

  it('returns 0 when there is no built-in module called name', () => {
    const { imp } = work.impProject({ 'mod.ts': '' });
    expect(imp.is_builtin('mod')).toBe(0);
  });
});

describe('imp.is_frozen(name)', () => {
  it('returns true when there is a frozen module called name', () => {
    const bundle = work.bundle({ 'cold.ts': 'export const cold = true;\n' }, ['cold']);
    const { imp } = work.impProject({}, { frozen: [bundle] });
    expect(imp.is_frozen('cold')).toBe(true);
  });

  it('returns false when there is no such module', () => {
    const bundle = work.bundle({ 'cold.ts': 'export const cold = true;\n' }, ['cold']);
    const { imp } = work.impProject({ 'warm.ts': '' }, { frozen: [bundle] });
    expect(imp.is_frozen('warm')).toBe(false);
  });
});

describe('imp.load_compiled(name, pathname[, file])', () => {
  it('loads and initializes a module from a compiled code file and returns it', () => {
    const { root, system, imp } = work.impProject({});
    const path = sourceless(system, root, 'bin', `${say('bin ran')}export const x = 7;\n`);
    const module = imp.load_compiled('bin', path) as ModuleType;
    expect(module.x).toBe(7);
    expect(module.__file__).toBe(path);
    expect(system.modules.get('bin')).toBe(module);
  });

  it('initializes it again when it was already initialized', () => {
    const { root, system, imp } = work.impProject({});
    const path = sourceless(system, root, 'bin', `${say('bin ran')}`);
    const first = imp.load_compiled('bin', path);
    const second = imp.load_compiled('bin', path);
    expect(second).toBe(first);
    expect(logged()).toEqual(['bin ran', 'bin ran']);
  });

  it('creates or accesses the module by the name argument, whatever the file is called', () => {
    const { root, system, imp } = work.impProject({});
    const path = sourceless(system, root, 'bin', 'export const x = 1;\n');
    const module = imp.load_compiled('other.name', path) as ModuleType;
    expect(module.__name__).toBe('other.name');
    expect(system.modules.get('other.name')).toBe(module);
  });

  it('takes the compiled file open in binary mode from the beginning, as find_module returns it', () => {
    const { root, system, imp } = work.impProject({});
    sourceless(system, root, 'bin', 'export const x = 3;\n');
    const [file, pathname] = imp.find_module('bin');
    try {
      expect((imp.load_compiled('bin', pathname, file) as ModuleType).x).toBe(3);
    } finally {
      file?.close();
    }
  });

  it('requires the file argument to be a real file object, not an object emulating one', () => {
    const { root, system, imp } = work.impProject({});
    const path = sourceless(system, root, 'bin', '');
    const fake = { read: () => '', close: () => undefined } as unknown as ModuleFile;
    expect(thrownBy(() => imp.load_compiled('bin', path, fake))).toBeInstanceOf(ImportArgumentError);
  });
});

describe('imp.load_dynamic(name, pathname[, file])', () => {
  it('loads and initializes a module from a shared library (a Node addon) and returns it', () => {
    const { root, system, imp } = work.impProject({});
    const path = join(root, 'native.node');
    copyFileSync(buildAddon().addon, path);
    const module = imp.load_dynamic('native', path) as { hello(): string };
    expect(module.hello()).toBe('world');
    expect(system.modules.get('native')).toBe(module);
  });

  it('initializes it again by copying the cached attributes over the entry in modules, not by running init again', () => {
    const { root, imp } = work.impProject({});
    const path = join(root, 'native.node');
    copyFileSync(buildAddon().addon, path);
    const first = imp.load_dynamic('native', path) as Record<string, unknown>;
    const count = first.initCount;
    delete first.hello;
    const second = imp.load_dynamic('native', path) as Record<string, unknown>;
    expect(second).toBe(first);
    expect(typeof second.hello).toBe('function');
    expect(second.initCount).toBe(count);
  });

  it('identifies extension modules by file name: two names loaded from one file give the same module', () => {
    const { root, imp } = work.impProject({});
    const path = join(root, 'native.node');
    copyFileSync(buildAddon().addon, path);
    const foo = imp.load_dynamic('foo', path);
    const bar = imp.load_dynamic('bar', path);
    expect(bar).toBe(foo);
  });

  it('gives separate modules for two file names of one library (a copy stands for a symlink)', () => {
    const { root, imp } = work.impProject({});
    copyFileSync(buildAddon().addon, join(root, 'one.node'));
    copyFileSync(buildAddon().addon, join(root, 'two.node'));
    const one = imp.load_dynamic('one', join(root, 'one.node'));
    const two = imp.load_dynamic('two', join(root, 'two.node'));
    expect(two).not.toBe(one);
  });

  it('ignores the optional file argument', () => {
    const { root, imp } = work.impProject({});
    const path = join(root, 'native.node');
    copyFileSync(buildAddon().addon, path);
    const fake = {} as unknown as ModuleFile;
    expect((imp.load_dynamic('native', path, fake) as { hello(): string }).hello()).toBe('world');
  });
});

describe('imp.load_source(name, pathname[, file])', () => {
  it('loads and initializes a module from a source file and returns it', () => {
    const { root, system, imp } = work.impProject({ 'mod.ts': 'export const typed: number = 5;\n' });
    const module = imp.load_source('mod', join(root, 'mod.ts')) as ModuleType;
    expect(module.typed).toBe(5);
    expect(module.__file__).toBe(join(root, 'mod.ts'));
    expect(system.modules.get('mod')).toBe(module);
  });

  it('initializes it again when it was already initialized', () => {
    const { root, imp } = work.impProject({ 'mod.ts': `${say('mod ran')}` });
    const first = imp.load_source('mod', join(root, 'mod.ts'));
    const second = imp.load_source('mod', join(root, 'mod.ts'));
    expect(second).toBe(first);
    expect(logged()).toEqual(['mod ran', 'mod ran']);
  });

  it('creates or accesses the module by the name argument', () => {
    const { root, imp } = work.impProject({ 'file.ts': '' });
    expect((imp.load_source('any.name', join(root, 'file.ts')) as ModuleType).__name__).toBe('any.name');
  });

  it('takes the source file open for reading as text from the beginning, as find_module returns it', () => {
    const { imp } = work.impProject({ 'mod.ts': 'export const x = 4;\n' });
    const [file, pathname] = imp.find_module('mod');
    try {
      expect((imp.load_source('mod', pathname, file) as ModuleType).x).toBe(4);
    } finally {
      file?.close();
    }
  });

  it('requires the file argument to be a real, open file object', () => {
    const { root, imp } = work.impProject({ 'mod.ts': '' });
    const pathname = join(root, 'mod.ts');
    const file = new ModuleFile(pathname, 'r');
    file.close();
    expect(thrownBy(() => imp.load_source('mod', pathname, file))).toBeInstanceOf(ImportArgumentError);
    const fake = { read: () => '' } as unknown as ModuleFile;
    expect(thrownBy(() => imp.load_source('mod', pathname, fake))).toBeInstanceOf(ImportArgumentError);
  });

  it('uses a properly matching compiled file instead of parsing the source when one exists', () => {
    const { root, system, imp } = work.impProject({ 'mod.ts': 'export const value = 1;\n' });
    const source = join(root, 'mod.ts');
    const stamp = 1_700_000_000; // whole seconds: set exactly on every file system
    utimesSync(source, stamp, stamp);
    compiled(system, source);
    // Same size and mtime: the compiled file still matches, so its (old) code runs, not the text.
    writeFileSync(source, 'export const value = 2;\n');
    utimesSync(source, stamp, stamp);
    expect((imp.load_source('mod', source) as ModuleType).value).toBe(1);
  });

  it('parses the source when the compiled file does not match it', () => {
    const { root, system, imp } = work.impProject({ 'mod.ts': 'export const value = 1;\n' });
    const source = join(root, 'mod.ts');
    compiled(system, source);
    writeFileSync(source, 'export const value = 22;\n');
    expect((imp.load_source('mod', source) as ModuleType).value).toBe(22);
  });
});

describe('class imp.NullImporter(path_string)', () => {
  it("raises ImportError when called with '' or an existing directory", () => {
    const dir = work.folder();
    expect(thrownBy(() => new NullImporter(''))).toBeInstanceOf(ImportError);
    expect(thrownBy(() => new NullImporter(dir))).toBeInstanceOf(ImportError);
  });

  it('returns a NullImporter instance otherwise', () => {
    const dir = work.folder({ 'file.txt': '' });
    expect(new NullImporter(join(dir, 'file.txt'))).toBeInstanceOf(NullImporter);
    expect(new NullImporter(join(dir, 'missing'))).toBeInstanceOf(NullImporter);
  });

  it('is the importer cached for path entries that are not directories and that no other hook handles (as a last hook)', () => {
    const { root, system } = work.impProject({ 'mod.ts': '', 'file.txt': '' });
    system.pathHooks.push((entry) => new NullImporter(entry));
    system.path.push(join(root, 'file.txt'));
    expect(thrownBy(() => system.importModule('absent'))).toBeInstanceOf(ModuleNotFoundError);
    expect(system.pathImporterCache.get(join(root, 'file.txt'))).toBeInstanceOf(NullImporter);
    expect(system.pathImporterCache.get(root)).not.toBeInstanceOf(NullImporter);
  });

  it('has a find_module method that always returns null: the module could not be found', () => {
    const dir = work.folder({ 'file.txt': '' });
    const importer = new NullImporter(join(dir, 'file.txt'));
    expect(importer.find_module('anything')).toBeNull();
    expect(importer.find_module('file', [dir])).toBeNull();
  });
});
