// The `imp` module (docs/conformance.md#imp), plus the `imp` functions documented with the
// registry, the path finder and builtins (`new_module`, `NullImporter`, `is_builtin` /
// `is_frozen`), one describe per behaviour. Where the Python 2 `imp` page already says the same
// thing, imp-seed.test.ts holds the test and this file checks what the page does not (the Python 3
// `Lib/imp.py` shim's extra rules, orders and errors).
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { ImportArgumentError, ImportError, ModuleNotFoundError, ModuleType } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';
import { Inittab } from '@importlib/loaders';

import {
  C_BUILTIN,
  C_EXTENSION,
  createImp,
  IMP_HOOK,
  NullImporter,
  PKG_DIRECTORY,
  PY_CODERESOURCE,
  PY_COMPILED,
  PY_FROZEN,
  PY_RESOURCE,
  PY_SOURCE,
  SEARCH_ERROR,
} from '@importlib/compat';

import { buildAddon } from '../../loaders/test/build-addon.js';
import { logged, say, thrownBy, useWorkArea } from './helpers.js';

const work = useWorkArea('imp');

describe("the constants have Python's values (imp constants)", () => {
  it('SEARCH_ERROR=0 … IMP_HOOK=9, on the package and on imp', () => {
    const values = {
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
    expect(values).toEqual({
      SEARCH_ERROR: 0,
      PY_SOURCE: 1,
      PY_COMPILED: 2,
      C_EXTENSION: 3,
      PY_RESOURCE: 4,
      PKG_DIRECTORY: 5,
      C_BUILTIN: 6,
      PY_FROZEN: 7,
      PY_CODERESOURCE: 8,
      IMP_HOOK: 9,
    });
    const { imp } = work.impProject();
    for (const [name, value] of Object.entries(values)) expect(imp[name as keyof typeof values]).toBe(value);
  });
});

describe('get_magic() and get_suffixes()', () => {
  it('get_magic() returns 4 bytes, a copy each time', () => {
    const { imp } = work.impProject();
    const magic = imp.get_magic();
    expect(magic).toBeInstanceOf(Uint8Array);
    expect(magic).toHaveLength(4);
    magic[0] = magic[0]! ^ 0xff;
    expect(imp.get_magic()[0]).not.toBe(magic[0]);
  });

  it("get_suffixes() orders extensions ('rb'), then sources ('r'), then bytecode ('rb'), as the 3.x shim", () => {
    const { imp } = work.impProject();
    const types = imp.get_suffixes().map(([, , type]) => type);
    const last = (type: number): number => types.lastIndexOf(type);
    const first = (type: number): number => types.indexOf(type);
    expect(last(C_EXTENSION)).toBeLessThan(first(PY_SOURCE));
    expect(last(PY_SOURCE)).toBeLessThan(first(PY_COMPILED));
    for (const [, mode, type] of imp.get_suffixes()) {
      expect(mode).toBe(type === PY_SOURCE || type === PY_RESOURCE ? 'r' : 'rb');
    }
  });
});

describe('find_module(name[, path])', () => {
  it('does not accept dotted names', () => {
    const { imp } = work.impProject({ 'a/__init__.ts': '', 'a/b.ts': '' });
    expect(thrownBy(() => imp.find_module('a.b'))).toBeInstanceOf(ImportError);
  });

  it('with path None tries C_BUILTIN before PY_FROZEN before the path', () => {
    const bundle = work.bundle({ 'spam.ts': 'export const frozen = 1;\n' }, ['spam']);
    const inittab = new Inittab([['spam', () => undefined]]);
    const { imp } = work.impProject({ 'spam.ts': '' }, { inittab, frozen: [bundle] });
    expect(imp.find_module('spam')[2][2]).toBe(C_BUILTIN); // the builtin wins over the frozen module
    const { imp: noBuiltin } = work.impProject({ 'spam.ts': '' }, { frozen: [bundle] });
    expect(noBuiltin.find_module('spam')[2][2]).toBe(PY_FROZEN);
  });

  it('ignores invalid list entries silently, but every item must be a string', () => {
    const { imp } = work.impProject();
    const dir = work.folder({ 'm.ts': '' });
    const [file] = imp.find_module('m', ['/no/such/folder', dir]);
    file?.close();
    expect(thrownBy(() => imp.find_module('m', [dir, null as unknown as string]))).toBeInstanceOf(
      ImportArgumentError,
    );
  });
});

describe('find_module results', () => {
  it('a file module gives (open file, pathname, (suffix, mode, type))', () => {
    const { root, imp } = work.impProject({ 'm.ts': 'x' });
    const [file, pathname, description] = imp.find_module('m');
    expect(file?.read()).toBe('x');
    file?.close();
    expect([pathname, description]).toEqual([join(root, 'm.ts'), ['.ts', 'r', PY_SOURCE]]);
  });

  it('a package gives (null, folder, ("", "", PKG_DIRECTORY)), checked before module files in each entry', () => {
    const { root, imp } = work.impProject({ 'p/__init__.ts': '', 'p.ts': '' });
    expect(imp.find_module('p')).toEqual([null, join(root, 'p'), ['', '', PKG_DIRECTORY]]);
  });

  it('a folder without an __init__ or index file is no package: a module file is found instead', () => {
    const { root, imp } = work.impProject({ 'p/other.ts': '', 'p.ts': '' });
    const [file, pathname] = imp.find_module('p');
    file?.close();
    expect(pathname).toBe(join(root, 'p.ts'));
  });

  it("a non-file module gives file null, pathname '' (the Python 2 page) and ('', '', type)", () => {
    const { imp } = work.impProject();
    expect(imp.find_module('node:os')).toEqual([null, '', ['', '', C_BUILTIN]]);
  });

  it('not found raises ImportError', () => {
    const { imp } = work.impProject();
    expect(thrownBy(() => imp.find_module('absent'))).toBeInstanceOf(ModuleNotFoundError);
  });
});

describe('load_module(name, file, pathname, description)', () => {
  it('reloads a module already imported, in the same object', () => {
    const { system, imp } = work.impProject({ 'm.ts': `${say('m')}` });
    const module = system.importModule('m');
    const [file, pathname, description] = imp.find_module('m');
    try {
      expect(imp.load_module('m', file, pathname, description)).toBe(module);
    } finally {
      file?.close();
    }
    expect(logged()).toEqual(['m', 'm']);
  });

  it("raises ImportArgumentError (the shim's ValueError) for a mode that is not a read mode", () => {
    const { root, imp } = work.impProject({ 'm.ts': '' });
    for (const mode of ['w', 'r+', 'a']) {
      const error = thrownBy(() => imp.load_module('m', null, join(root, 'm.ts'), ['.ts', mode, PY_SOURCE]));
      expect(error, mode).toBeInstanceOf(ImportArgumentError);
      expect(error.message).toMatch(/mode/);
    }
  });

  it('raises ImportArgumentError (ValueError) when file is null for PY_SOURCE or PY_COMPILED', () => {
    const { root, imp } = work.impProject({ 'm.ts': '' });
    for (const type of [PY_SOURCE, PY_COMPILED]) {
      const error = thrownBy(() => imp.load_module('m', null, join(root, 'm.ts'), ['.ts', 'r', type]));
      expect(error).toBeInstanceOf(ImportArgumentError);
      expect(error.message).toMatch(/file object is required/);
    }
  });

  it('raises ImportError for an unknown type', () => {
    const { imp } = work.impProject();
    const error = thrownBy(() => imp.load_module('m', null, '', ['', '', 99]));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.message).toMatch(/type code 99/);
  });
});

describe('load_source, load_compiled, load_dynamic re-initialize in place', () => {
  it('load_source runs the new code in the existing module object', () => {
    const { root, system, imp } = work.impProject({ 'm.ts': 'export const a = 1;\n' });
    const module = system.importModule('m') as ModuleType;
    writeFileSync(join(root, 'm.ts'), 'export const b = 2;\n');
    expect(imp.load_source('m', join(root, 'm.ts'))).toBe(module);
    expect([module.a, module.b]).toEqual([1, 2]);
  });

  it('a failed re-initialization removes the module from modules, as Python 2 (ExecCodeModuleEx) did', () => {
    const { root, system, imp } = work.impProject({ 'm.ts': 'export const a = 1;\n' });
    system.importModule('m');
    writeFileSync(join(root, 'm.ts'), 'throw new Error("now broken");\n');
    expect(() => imp.load_source('m', join(root, 'm.ts'))).toThrow('now broken');
    expect(system.modules.has('m')).toBe(false);
  });

  it('load_dynamic re-initializes the entry in modules without running the init again', () => {
    const { root, system, imp } = work.impProject();
    const path = join(root, 'native.node');
    copyFileSync(buildAddon().addon, path);
    const module = imp.load_dynamic('native', path) as Record<string, unknown>;
    const count = module.initCount;
    system.modules.set('native', { stale: true });
    const again = imp.load_dynamic('native', path) as Record<string, unknown>;
    expect(again).toEqual(expect.objectContaining({ stale: true, initCount: count }));
    expect(system.modules.get('native')).toBe(again);
  });
});

describe('lock_held(), acquire_lock(), release_lock()', () => {
  it('follow the global import lock: held, reentrant, and released once per acquire', () => {
    const { system, imp } = work.impProject();
    imp.acquire_lock();
    expect(system.lockHeld()).toBe(true);
    imp.acquire_lock();
    imp.release_lock();
    imp.release_lock();
    expect(imp.lock_held()).toBe(false);
  });
});

describe('init_builtin(name) and init_frozen(name)', () => {
  it('init_builtin returns the module stored in modules, or null when there is no such builtin', () => {
    const inittab = new Inittab([['spam', () => undefined]]);
    const { system, imp } = work.impProject({}, { inittab });
    expect(imp.init_builtin('spam')).toBe(system.modules.get('spam'));
    expect(imp.init_builtin('ham')).toBeNull();
  });

  it("init_builtin of a Node core module puts Node's own object back over whatever modules held", () => {
    const { system, imp } = work.impProject();
    const fs = system.importModule('node:fs');
    system.modules.set('node:fs', { impostor: true });
    expect(imp.init_builtin('node:fs')).toBe(fs);
    expect(system.modules.get('node:fs')).toBe(fs);
  });

  it('init_frozen re-initializes an already loaded module, and returns null when there is none', () => {
    const bundle = work.bundle({ 'cold.ts': `${say('cold')}` }, ['cold']);
    const { system, imp } = work.impProject({}, { frozen: [bundle] });
    const module = system.importModule('cold');
    expect(imp.init_frozen('cold')).toBe(module);
    expect(logged()).toEqual(['cold', 'cold']);
    expect(imp.init_frozen('hot')).toBeNull();
  });
});

describe('reload(m) (the Python 2 page)', () => {
  it('returns the same object, whose dict is kept: old names linger', () => {
    const { root, system, imp } = work.impProject({ 'm.ts': 'export const old = 1;\n' });
    const module = system.importModule('m') as ModuleType;
    writeFileSync(join(root, 'm.ts'), 'export const fresh = 2;\n');
    expect(imp.reload(module)).toBe(module);
    expect([module.old, module.fresh]).toEqual([1, 2]);
  });

  it("does not update other modules' bindings made by `from m import x`", () => {
    const { root, system, imp } = work.impProject({
      'm.ts': 'export const x = "before";\n',
      'user.ts': 'import { x } from "./m";\nexport const seen = x;\n',
    });
    const user = system.importModule('user') as ModuleType;
    writeFileSync(join(root, 'm.ts'), 'export const x = "after";\n');
    imp.reload(system.modules.get('m'));
    expect((system.modules.get('m') as ModuleType).x).toBe('after');
    expect(user.seen).toBe('before');
  });

  it('leaves instances with their old class', () => {
    const { root, system, imp } = work.impProject({
      'm.ts': 'export class Thing {}\nexport const one = new Thing();\n',
    });
    const module = system.importModule('m') as ModuleType;
    const instance = module.one as object;
    const OldThing = module.Thing as new () => object;
    writeFileSync(join(root, 'm.ts'), 'export class Thing {}\n');
    imp.reload(module);
    expect(module.Thing).not.toBe(OldThing);
    expect(instance).toBeInstanceOf(OldThing);
    expect(instance).not.toBeInstanceOf(module.Thing as new () => object);
  });

  it('reloads a re-initialisable builtin, and refuses a Node core module (not initialisable twice)', () => {
    let runs = 0;
    const inittab = new Inittab([['spam', (m) => void (m.runs = ++runs)]]);
    const { system, imp } = work.impProject({}, { inittab });
    const spam = system.importModule('spam') as ModuleType;
    expect(imp.reload(spam)).toBe(spam);
    expect(spam.runs).toBe(2);
    expect(thrownBy(() => imp.reload(system.importModule('node:fs')))).toBeInstanceOf(TypeError);
  });
});

// The `__import__` emulation example of the `imp` page is import-emulation.test.ts.

describe('new_module(name) / ModuleType(name)', () => {
  it('creates a module that is not inserted into modules, the same as new ModuleType(name)', () => {
    const { system, imp } = work.impProject();
    const module = imp.new_module('loose');
    expect(module).toBeInstanceOf(ModuleType);
    expect(module.__name__).toBe(new ModuleType('loose').__name__);
    expect(system.modules.has('loose')).toBe(false);
  });
});

describe('NullImporter(path)', () => {
  it("'' or an existing directory raises ImportError; any other path gives an instance", () => {
    const dir = work.folder({ 'f.txt': '' });
    expect(thrownBy(() => new NullImporter(''))).toBeInstanceOf(ImportError);
    expect(thrownBy(() => new NullImporter(dir))).toBeInstanceOf(ImportError);
    expect(new NullImporter(join(dir, 'f.txt'))).toBeInstanceOf(NullImporter);
  });

  it('its find_module always returns null', () => {
    const dir = work.folder({ 'f.txt': '' });
    expect(new NullImporter(join(dir, 'f.txt')).find_module('f')).toBeNull();
  });

  it('Python 3 (and ImportSystem) caches null instead for an entry no hook handles', () => {
    const { root, system } = work.impProject({ 'f.txt': '' });
    system.path.push(join(root, 'f.txt'));
    expect(thrownBy(() => system.importModule('absent'))).toBeInstanceOf(ModuleNotFoundError);
    expect(system.pathImporterCache.has(join(root, 'f.txt'))).toBe(true);
    expect(system.pathImporterCache.get(join(root, 'f.txt'))).toBeNull();
  });
});

describe('is_builtin(name) is 1 / -1 / 0, is_frozen(name) is true / false', () => {
  it('gives 1 for an inittab entry, -1 for a core module, 0 when absent; is_frozen a boolean', () => {
    const bundle = work.bundle({ 'cold.ts': 'export const c = 1;\n' }, ['cold']);
    const { imp } = work.impProject(
      {},
      { inittab: new Inittab([['spam', () => undefined]]), frozen: [bundle] },
    );
    expect([imp.is_builtin('spam'), imp.is_builtin('node:fs'), imp.is_builtin('ham')]).toEqual([1, -1, 0]);
    expect([imp.is_frozen('cold'), imp.is_frozen('spam')]).toEqual([true, false]);
  });

  it('a system without a builtin or frozen importer has neither', () => {
    const imp = createImp(createImportSystem({ builtins: false }));
    expect(imp.is_builtin('node:fs')).toBe(0);
    expect(imp.init_builtin('node:fs')).toBeNull();
  });
});
