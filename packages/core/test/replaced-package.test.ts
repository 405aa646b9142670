// A package whose code replaces its registry entry (`module.exports = fn`, Python's
// `sys.modules[__name__] = obj`) keeps its search path: its submodules stay importable, now and long
// after its code ran. CPython loses `pkg.sub` there; npm packages (lodash, body-parser) rely on it.
import { describe, expect, it } from 'vitest';

import { ImportError, ImportSystem, ModuleNotFoundError, type ModuleType } from '@importlib/core';

import { memoryPathHook, thrownBy, type ModuleDef } from './helpers.js';

/** What a package's code puts in place of its module object: a function with its own property. */
function makeExport(): ((x: number) => number) & { version?: string } {
  const fn = (x: number): number => x * 2;
  return Object.assign(fn, { version: '1' });
}

/**
 * A system with `/p` on `path`: `pkg` is a folder package whose `__init__` runs `init`; its files
 * are found only through the package's own `__path__` (`/p/pkg`).
 */
function replacingSystem(
  init: (module: ModuleType, system: ImportSystem) => unknown,
  files: Record<string, ModuleDef> = {},
): { system: ImportSystem; runs: { pkg: number } } {
  const runs = { pkg: 0 };
  const system = new ImportSystem({ path: ['/p'] });
  system.pathHooks = [
    memoryPathHook(system, {
      '/p': {
        'pkg/__init__': (m, sys) => {
          runs.pkg++;
          return init(m, sys);
        },
        plain: (m, sys) => void sys.modules.set('plain', makeExport()),
      },
      '/p/pkg': {
        sub: (m) => void (m.value = 'sub'),
        'inner/__init__': (m, sys) => void sys.modules.set('pkg.inner', makeExport()),
        ...files,
      },
      '/p/pkg/inner': { leaf: (m) => void (m.value = 'leaf') },
    }),
  ];
  return { system, runs };
}

const replaceSelf = (_m: ModuleType, sys: ImportSystem): void => void sys.modules.set('pkg', makeExport());

describe('a package that replaced its registry entry keeps its submodules', () => {
  it('imports pkg.sub long after the package replaced itself with a function', () => {
    const { system } = replacingSystem(replaceSelf);
    const pkg = system.importModule('pkg') as ReturnType<typeof makeExport>;
    expect(typeof pkg).toBe('function');
    const sub = system.importModule('pkg.sub') as ModuleType;
    expect(sub.value).toBe('sub');
    expect(sub.__file__).toBe('/p/pkg/sub');
    expect(system.modules.get('pkg.sub')).toBe(sub);
    // Bound on the function as Python binds it, but not one of its keys.
    expect((pkg as unknown as Record<string, unknown>)['sub']).toBe(sub);
    expect(Object.keys(pkg)).toEqual(['version']);
  });

  it('imports a submodule the package requires right after replacing itself, while its code runs', () => {
    const { system } = replacingSystem((m, sys) => {
      const fn = makeExport();
      sys.modules.set('pkg', fn);
      Object.assign(fn, { sub: sys.importModule('.sub', m.__package__) });
    });
    const pkg = system.importModule('pkg') as Record<string, unknown>;
    expect(pkg['sub']).toBe(system.modules.get('pkg.sub'));
    expect(Object.keys(pkg)).toEqual(['version', 'sub']);
  });

  it('imports lazily, from a function the package exported, long after its code ran', () => {
    const { system } = replacingSystem((m, sys) => {
      const lazy = (): unknown => sys.importModule('.sub', m.__package__);
      sys.modules.set('pkg', lazy);
    });
    const lazy = system.importModule('pkg') as () => ModuleType;
    expect(system.modules.has('pkg.sub')).toBe(false);
    expect(lazy().value).toBe('sub');
  });

  it('follows the package module\u2019s __path__ as it stands, not as it was', () => {
    const { system } = replacingSystem((m, sys) => {
      (m.__path__ as string[]).unshift('/p/pkg/inner');
      sys.modules.set('pkg', makeExport());
    });
    system.importModule('pkg');
    expect((system.importModule('pkg.leaf') as ModuleType).value).toBe('leaf');
  });

  it('imports under a subpackage that replaced itself too (pkg.inner.leaf)', () => {
    const { system } = replacingSystem(replaceSelf);
    expect(typeof system.importModule('pkg.inner')).toBe('function');
    expect((system.importModule('pkg.inner.leaf') as ModuleType).value).toBe('leaf');
  });

  it('works on the async path', async () => {
    const { system } = replacingSystem(replaceSelf);
    await system.importModuleAsync('pkg');
    const sub = (await system.importModuleAsync('pkg.sub')) as ModuleType;
    expect(sub.value).toBe('sub');
  });

  it('finds the spec of a submodule without importing it (findSpec)', () => {
    const { system } = replacingSystem(replaceSelf);
    const spec = system.findSpec('pkg.sub');
    expect(spec?.origin).toBe('/p/pkg/sub');
    expect(system.modules.has('pkg.sub')).toBe(false);
  });

  it('imports a fromlist submodule of the replaced package through __import__', () => {
    const { system } = replacingSystem(replaceSelf);
    const pkg = system.__import__('pkg', null, null, ['sub']);
    expect(typeof pkg).toBe('function');
    expect(system.modules.has('pkg.sub')).toBe(true);
  });

  it('reloads a submodule of a replaced package', () => {
    const { system } = replacingSystem(replaceSelf);
    system.importModule('pkg');
    const sub = system.importModule('pkg.sub') as ModuleType;
    sub.value = 'changed';
    expect(system.reload(sub)).toBe(sub);
    expect(sub.value).toBe('sub');
  });

  it('keeps the search path when a reload of the package replaces its entry', () => {
    let replace = false;
    const { system } = replacingSystem((_m, sys) => {
      if (replace) sys.modules.set('pkg', makeExport());
    });
    const module = system.importModule('pkg') as ModuleType;
    replace = true;
    expect(typeof system.reload(module)).toBe('function');
    expect((system.importModule('pkg.sub') as ModuleType).value).toBe('sub');
  });
});

describe('what stays "not a package"', () => {
  it('a plain module (not a package) that replaced its entry', () => {
    const { system } = replacingSystem(replaceSelf);
    system.importModule('plain');
    expect(() => system.importModule('plain.x')).toThrow(
      "No module named 'plain.x'; 'plain' is not a package",
    );
  });

  it('an entry set by hand after the package replaced itself: the record is stale', () => {
    const { system } = replacingSystem(replaceSelf);
    const original = system.importModule('pkg');
    system.modules.set('pkg', { other: true });
    expect(() => system.importModule('pkg.sub')).toThrow("No module named 'pkg.sub'; 'pkg' is not a package");
    // Putting the package's own entry back does not revive the dropped record.
    system.modules.set('pkg', original);
    expect(() => system.importModule('pkg.sub')).toThrow(ModuleNotFoundError);
  });

  it('a package deleted from modules is imported again (its code runs again) before its submodule', () => {
    const { system, runs } = replacingSystem(replaceSelf);
    const first = system.importModule('pkg');
    system.modules.delete('pkg');
    expect((system.importModule('pkg.sub') as ModuleType).value).toBe('sub');
    expect(runs.pkg).toBe(2);
    expect(system.modules.get('pkg')).not.toBe(first);
  });

  it('a package whose code failed after replacing itself leaves no record behind', () => {
    const { system } = replacingSystem((_m, sys) => {
      sys.modules.set('pkg', makeExport());
      throw new Error('boom');
    });
    expect(() => system.importModule('pkg')).toThrow('boom');
    expect(system.modules.has('pkg')).toBe(false);
    system.modules.set('pkg', makeExport());
    expect(() => system.importModule('pkg.sub')).toThrow("No module named 'pkg.sub'; 'pkg' is not a package");
  });

  it('a blocked (null) package entry', () => {
    const { system } = replacingSystem(replaceSelf);
    system.importModule('pkg');
    system.modules.set('pkg', null);
    expect(() => system.importModule('pkg.sub')).toThrow("No module named 'pkg.sub'; 'pkg' is not a package");
  });
});

describe('__import__ with a level and no fromlist returns the registry entry (PyImport_ImportModuleLevelObject)', () => {
  const globals = { __package__: 'pkg', __name__: 'pkg.sub' };

  it('returns the entry of the first name after the dots when it is not a module object', () => {
    const { system } = replacingSystem(replaceSelf);
    system.importModule('pkg');
    const inner = system.__import__('inner.leaf', globals, null, [], 1);
    expect(typeof inner).toBe('function');
    expect(inner).toBe(system.modules.get('pkg.inner'));
  });

  it('returns the imported entry itself for a name without dots', () => {
    const { system } = replacingSystem(replaceSelf);
    system.importModule('pkg');
    expect(system.__import__('inner', globals, null, [], 1)).toBe(system.modules.get('pkg.inner'));
  });

  it('throws an ImportError naming the entry when it vanished during the import, never undefined', () => {
    // pkg.gone is a package whose submodule x removes pkg.gone from modules.
    const { system } = replacingSystem(replaceSelf, { 'gone/__init__': () => undefined });
    system.pathHooks.push(
      memoryPathHook(system, { '/p/pkg/gone': { x: (_m, sys) => void sys.modules.delete('pkg.gone') } }),
    );
    system.importModule('pkg');
    const error = thrownBy(() => system.__import__('gone.x', globals, null, [], 1));
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toMatchObject({ moduleName: 'pkg.gone', code: 'ERR_IMPORTLIB_IMPORT' });
    expect((error as Error).message).toContain("'pkg.gone' not in modules as expected");
  });
});
