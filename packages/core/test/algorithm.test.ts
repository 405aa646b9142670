// The import algorithm (docs/conformance.md#algorithm): parents and packages, and the meta path
// (CPython `_find_and_load_unlocked`, `_find_spec`; tests: `import_/test_packages.py`,
// `import_/test_meta_path.py`).
import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  ImportError,
  ImportStateError,
  ImportSystem,
  ModuleNotFoundError,
  ModuleSpec,
  PathFinder,
  type MetaPathFinder,
  type ModuleType,
} from '@importlib/core';

import { BodyLoader, memorySystem, recordEvents, sleep } from './helpers.js';

/** A meta-path finder that finds nothing and records the `(name, path)` of every call. */
class PathRecorder implements MetaPathFinder {
  readonly calls: Array<[string, readonly string[] | null]> = [];
  findSpec(name: string, path: readonly string[] | null): null {
    this.calls.push([name, path === null ? null : [...path]]);
    return null;
  }
}

describe('parents first (test_packages.test_import_parent)', () => {
  it('imports a, then a.b, then a.b.c, each through the finders', () => {
    const { system, finder } = memorySystem({
      a: { package: true },
      'a.b': { package: true },
      'a.b.c': () => undefined,
    });
    system.importModule('a.b.c');
    expect(finder.calls).toEqual(['a', 'a.b', 'a.b.c']);
    expect([...system.modules.keys()]).toEqual(['a', 'a.b', 'a.b.c']);
  });

  it('runs each parent through the full algorithm (its own import-start and import-end events)', () => {
    const { system } = memorySystem({
      a: { package: true },
      'a.b': { package: true },
      'a.b.c': () => undefined,
    });
    const events = recordEvents(system);
    system.importModule('a.b.c');
    const starts = events.filter((e) => e.type === 'import-start').map((e) => e.name);
    const ends = events.filter((e) => e.type === 'import-end').map((e) => e.name);
    expect(starts).toEqual(['a.b.c', 'a.b', 'a']);
    expect(ends).toEqual(['a', 'a.b', 'a.b.c']);
  });

  it('runs the bodies of the parents before the child body', () => {
    const order: string[] = [];
    const { system } = memorySystem({
      a: { package: true, body: () => void order.push('a') },
      'a.b': { package: true, body: () => void order.push('a.b') },
      'a.b.c': () => void order.push('a.b.c'),
    });
    system.importModule('a.b.c');
    expect(order).toEqual(['a', 'a.b', 'a.b.c']);
  });
});

describe('parent failure (test_packages.test_bad_parent)', () => {
  it('propagates the error and never searches for the child', () => {
    const { system, finder } = memorySystem({
      a: { package: true },
      'a.b': {
        package: true,
        body: () => {
          throw new RangeError('a.b failed');
        },
      },
      'a.b.c': () => undefined,
    });
    expect(() => system.importModule('a.b.c')).toThrow(RangeError);
    expect(finder.calls).not.toContain('a.b.c');
  });

  it('leaves a in the registry but not a.b', () => {
    const { system } = memorySystem({
      a: { package: true },
      'a.b': {
        package: true,
        body: () => {
          throw new RangeError('a.b failed');
        },
      },
      'a.b.c': () => undefined,
    });
    expect(() => system.importModule('a.b.c')).toThrow('a.b failed');
    expect(system.modules.has('a')).toBe(true);
    expect(system.modules.has('a.b')).toBe(false);
    expect(system.modules.has('a.b.c')).toBe(false);
  });

  it('propagates a missing parent as ModuleNotFoundError naming the parent', () => {
    const { system, finder } = memorySystem({ a: { package: true }, 'a.b.c': () => undefined });
    expect(() => system.importModule('a.b.c')).toThrow(
      expect.objectContaining({
        code: ErrorCodes.NOT_FOUND,
        moduleName: 'a.b',
        message: "No module named 'a.b'",
      }),
    );
    expect(finder.calls).toEqual(['a', 'a.b']);
  });
});

describe('parent whose body imports a child and then raises (test_packages.test_raising_parent_after_importing_child)', () => {
  function failingPackage() {
    return memorySystem({
      pkg: {
        package: true,
        body: (_module, sys) => {
          sys.importModule('pkg.module');
          throw new Error('pkg failed');
        },
      },
      'pkg.module': () => undefined,
    });
  }

  it('removes pkg but keeps pkg.module in the registry', () => {
    const { system } = failingPackage();
    expect(() => system.importModule('pkg')).toThrow('pkg failed');
    expect(system.modules.has('pkg')).toBe(false);
    expect(system.modules.has('pkg.module')).toBe(true);
  });

  it('re-imports pkg on a later `import pkg.module` (__import__), and raises again', () => {
    const { system, finder } = failingPackage();
    expect(() => system.importModule('pkg')).toThrow('pkg failed');
    expect(() => system.__import__('pkg.module')).toThrow('pkg failed');
    expect(finder.loaders.get('pkg')?.runs).toBe(2);
    expect(finder.loaders.get('pkg.module')?.runs).toBe(1);
    expect(system.modules.has('pkg')).toBe(false);
    expect(system.modules.has('pkg.module')).toBe(true);
  });

  it('hands importModule the cached pkg.module without touching pkg, as import_module does', () => {
    const { system, finder } = failingPackage();
    expect(() => system.importModule('pkg')).toThrow('pkg failed');
    expect(system.importModule('pkg.module')).toBe(system.modules.get('pkg.module'));
    expect(finder.loaders.get('pkg')?.runs).toBe(1);
  });
});

describe('side effects of importing the parent (test_packages.test_module_not_package_but_side_effects)', () => {
  it('returns the child the parent put into the registry, without searching for it', () => {
    const sideEffect = { side: 'effect' };
    const { system, finder } = memorySystem({
      a: {
        package: true,
        body: (_module, sys) => {
          sys.modules.set('a.b', sideEffect);
        },
      },
      'a.b': () => undefined,
    });
    expect(system.importModule('a.b')).toBe(sideEffect);
    expect(finder.calls).toEqual(['a']);
  });

  it('returns a grandchild put there by importing the grandparent', () => {
    const sideEffect = { deep: true };
    const { system, finder } = memorySystem({
      a: {
        package: true,
        body: (_module, sys) => {
          sys.modules.set('a.b.c', sideEffect);
        },
      },
      'a.b': { package: true },
      'a.b.c': () => undefined,
    });
    expect(system.importModule('a.b.c')).toBe(sideEffect);
    expect(finder.calls).not.toContain('a.b.c');
  });
});

describe('parent still initialising in another task (_find_and_load_unlocked: parent initializing)', () => {
  it('waits for the parent to finish before importing the child', async () => {
    let seenByChild: unknown;
    const { system } = memorySystem({
      pkg: {
        package: true,
        body: async (module) => {
          await sleep(20);
          module.ready = true;
        },
      },
      'pkg.sub': (_module, sys) => {
        seenByChild = (sys.modules.get('pkg') as ModuleType).ready;
      },
    });
    const parent = system.importModuleAsync('pkg');
    await sleep(5);
    expect(system.modules.has('pkg')).toBe(true);
    const child = system.importModuleAsync('pkg.sub');
    await Promise.all([parent, child]);
    expect(seenByChild).toBe(true);
  });

  it('re-checks the registry after the wait, so a child the parent imported is not loaded twice', async () => {
    const { system, finder } = memorySystem({
      pkg: {
        package: true,
        body: async (_module, sys) => {
          await sleep(20);
          sys.importModule('pkg.sub');
        },
      },
      'pkg.sub': () => undefined,
    });
    const parent = system.importModuleAsync('pkg');
    await sleep(5);
    const child = system.importModuleAsync('pkg.sub');
    const [, sub] = await Promise.all([parent, child]);
    expect(sub).toBe(system.modules.get('pkg.sub'));
    expect(finder.loaders.get('pkg.sub')?.runs).toBe(1);
  });
});

describe('submodule of a non-package and the search path (test_packages.test_module_not_package)', () => {
  it("raises \"No module named 'sys.x'; 'sys' is not a package\" naming sys.x", () => {
    const { system, finder } = memorySystem({ sys: () => undefined, 'sys.x': () => undefined });
    let caught: unknown;
    try {
      system.importModule('sys.x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ModuleNotFoundError);
    expect((caught as ModuleNotFoundError).message).toBe("No module named 'sys.x'; 'sys' is not a package");
    expect((caught as ModuleNotFoundError).moduleName).toBe('sys.x');
    expect(finder.calls).toEqual(['sys']);
  });

  it('treats a module replaced by hand with an object without __path__ as not a package', () => {
    const { system } = memorySystem({ a: { package: true }, 'a.b': () => undefined });
    system.importModule('a');
    system.modules.set('a', { notPath: true });
    expect(() => system.importModule('a.b')).toThrow("No module named 'a.b'; 'a' is not a package");
  });

  it('searches a top-level name with path null and a submodule with the parent __path__', () => {
    const { system, finder } = memorySystem({ a: { package: true }, 'a.b': () => undefined });
    const recorder = new PathRecorder();
    system.metaPath.unshift(recorder);
    const a = system.importModule('a') as ModuleType;
    a.__path__ = ['/custom/a', '/other/a'];
    system.importModule('a.b');
    expect(recorder.calls).toEqual([
      ['a', null],
      ['a.b', ['/custom/a', '/other/a']],
    ]);
    expect(finder.calls).toEqual(['a', 'a.b']);
  });
});

describe('the meta path is iterated over a copy (_find_spec: meta_path copy)', () => {
  it('still asks a finder removed from metaPath during the import', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    const remover: MetaPathFinder = {
      findSpec: () => {
        system.metaPath.splice(0);
        return null;
      },
    };
    system.metaPath.unshift(remover);
    expect(system.importModule('x')).toBe(system.modules.get('x'));
    expect(finder.calls).toEqual(['x']);
    expect(system.metaPath).toEqual([]);
  });

  it('does not ask a finder added to metaPath during the import until the next import', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    system.metaPath = [
      {
        findSpec: () => {
          if (!system.metaPath.includes(finder)) system.metaPath.push(finder);
          return null;
        },
      },
    ];
    expect(() => system.importModule('x')).toThrow(ModuleNotFoundError);
    expect(finder.calls).toEqual([]);
    expect(system.importModule('x')).toBe(system.modules.get('x'));
    expect(finder.calls).toEqual(['x']);
  });

  it('refuses a metaPath that is not an array with a typed state error', () => {
    const { system } = memorySystem({ x: () => undefined });
    (system as unknown as { metaPath: unknown }).metaPath = null;
    expect(() => system.importModule('x')).toThrow(ImportStateError);
    expect(() => system.importModule('x')).toThrow(expect.objectContaining({ code: ErrorCodes.BAD_STATE }));
  });

  it('issues an ImportWarning for an empty metaPath, then reports the module as not found', () => {
    const system = new ImportSystem({ metaPath: [] });
    const events = recordEvents(system);
    expect(() => system.importModule('x')).toThrow(ModuleNotFoundError);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        category: 'ImportWarning',
        message: expect.stringMatching(/empty/),
      }),
    );
  });

  it('skips entries without findSpec (or findModule) silently', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    system.metaPath.unshift({} as MetaPathFinder, null as unknown as MetaPathFinder);
    const events = recordEvents(system);
    expect(system.importModule('x')).toBe(system.modules.get('x'));
    expect(finder.calls).toEqual(['x']);
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('falls back to a legacy findModule with an ImportWarning (a port extension: Python 3.12 dropped it)', () => {
    const system = new ImportSystem();
    const loader = new BodyLoader(system, (m) => void (m.legacy = true));
    system.metaPath = [{ findModule: (name) => (name === 'old' ? loader : null) }];
    const events = recordEvents(system);
    expect((system.importModule('old') as ModuleType).legacy).toBe(true);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'warning', category: 'ImportWarning', name: 'old' }),
    );
  });
});

describe('finder calls (_find_spec: finder.find_spec)', () => {
  it('calls each findSpec while the global import lock is held', () => {
    const { system } = memorySystem({ x: () => undefined });
    const held: boolean[] = [];
    system.metaPath.unshift({
      findSpec: () => {
        held.push(system.lockHeld());
        return null;
      },
    });
    expect(system.lockHeld()).toBe(false);
    system.importModule('x');
    expect(held).toEqual([true]);
    expect(system.lockHeld()).toBe(false);
  });

  it('does not hold the global lock while the module body runs', () => {
    let held: boolean | undefined;
    const { system } = memorySystem({ x: (_m, sys) => void (held = sys.lockHeld()) });
    system.importModule('x');
    expect(held).toBe(false);
  });

  it('releases the global lock when a finder throws', () => {
    const system = new ImportSystem();
    system.metaPath = [
      {
        findSpec: () => {
          throw new SyntaxError('finder broke');
        },
      },
    ];
    expect(() => system.importModule('x')).toThrow(SyntaxError);
    expect(system.lockHeld()).toBe(false);
  });

  it('uses the first spec found and asks no later finder', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    const later = new PathRecorder();
    system.metaPath.push(later);
    system.importModule('x');
    expect(finder.calls).toEqual(['x']);
    expect(later.calls).toEqual([]);
  });

  it('treats null and undefined from findSpec as "not mine" and moves on', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    system.metaPath.unshift({ findSpec: () => null }, { findSpec: () => undefined });
    system.importModule('x');
    expect(finder.calls).toEqual(['x']);
  });

  it('passes the target null on a normal import', () => {
    const { system } = memorySystem({ x: () => undefined });
    const targets: unknown[] = [];
    system.metaPath.unshift({
      findSpec: (_name, _path, target) => {
        targets.push(target);
        return null;
      },
    });
    system.importModule('x');
    expect(targets).toEqual([null]);
  });
});

describe('module appeared during the search (_find_spec: module in sys.modules)', () => {
  it("loads with that module's __spec__ instead of the spec found", () => {
    const system = new ImportSystem();
    const foundLoader = new BodyLoader(system, (m) => void (m.from = 'found'));
    const existingLoader = new BodyLoader(system, (m) => void (m.from = 'existing'));
    const existingSpec = new ModuleSpec('x', existingLoader);
    system.metaPath = [
      {
        findSpec: (name) => {
          system.modules.set(name, { __spec__: existingSpec });
          return new ModuleSpec(name, foundLoader);
        },
      },
    ];
    const module = system.importModule('x') as ModuleType;
    expect(module.__spec__).toBe(existingSpec);
    expect(module.from).toBe('existing');
    expect(foundLoader.runs).toBe(0);
    expect(existingLoader.runs).toBe(1);
  });

  it('keeps the found spec when the module that appeared has a null or missing __spec__', () => {
    for (const appeared of [{ __spec__: null }, { other: true }]) {
      const system = new ImportSystem();
      const foundLoader = new BodyLoader(system, () => undefined);
      const found = new ModuleSpec('x', foundLoader);
      system.metaPath = [
        {
          findSpec: (name) => {
            system.modules.set(name, appeared);
            return found;
          },
        },
      ];
      expect((system.importModule('x') as ModuleType).__spec__).toBe(found);
      expect(foundLoader.runs).toBe(1);
    }
  });
});

describe('default meta path (_install_external_importers)', () => {
  it("holds only the system's own PathFinder (builtin and frozen importers come from other packages)", () => {
    const system = new ImportSystem();
    expect(system.metaPath).toEqual([system.pathFinder]);
    expect(system.pathFinder).toBeInstanceOf(PathFinder);
  });

  it('gives each system its own PathFinder and its own list', () => {
    const one = new ImportSystem();
    const two = new ImportSystem();
    expect(one.pathFinder).not.toBe(two.pathFinder);
    one.metaPath.push({});
    expect(two.metaPath).toHaveLength(1);
  });

  it('copies a metaPath given to the constructor', () => {
    const given: MetaPathFinder[] = [{ findSpec: () => null }];
    const system = new ImportSystem({ metaPath: given });
    given.push({});
    expect(system.metaPath).toHaveLength(1);
    expect(() => system.importModule('x')).toThrow(ImportError);
  });
});
