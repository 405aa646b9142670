// Failed imports and reload (docs/conformance.md#failure-reload; CPython `_load_unlocked`, `_exec`,
// `importlib.reload`; tests: `test_api.py` ReloadTests): what a failed import cleans up and what it
// leaves, and `reload`: preconditions, search, execution in place, failure, and the legacy
// `loadModule()` path (`_load_module_shim`).
import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  ImportArgumentError,
  ImportError,
  ModuleNotFoundError,
  ModuleSpec,
  ModuleType,
  newModule,
  type ImportSystem,
  type Loader,
  type MetaPathFinder,
} from '@importlib/core';

import { type Body, BodyLoader, memorySystem, thrownBy } from './helpers.js';

/**
 * A finder whose answer for each name can change between imports: `versions[name]` is the current
 * version (a body, and whether it is a package at a location), so a reload can find a different spec.
 */
class VersionFinder implements MetaPathFinder {
  readonly calls: Array<{ name: string; path: readonly string[] | null; target: unknown }> = [];
  readonly versions: Record<string, { body: Body; package?: boolean; file: string }> = {};
  constructor(readonly system: ImportSystem) {}
  findSpec(name: string, path: readonly string[] | null, target?: ModuleType | null): ModuleSpec | null {
    this.calls.push({ name, path, target });
    const version = this.versions[name];
    if (!version) return null;
    const spec = new ModuleSpec(name, new BodyLoader(this.system, version.body, version.package ?? false), {
      origin: version.file,
      isPackage: version.package ?? false,
    });
    spec.hasLocation = true;
    if (version.package)
      spec.submoduleSearchLocations = [version.file.slice(0, version.file.lastIndexOf('/'))];
    return spec;
  }
}

function versionSystem(): { system: ImportSystem; finder: VersionFinder } {
  const { system } = memorySystem({});
  const finder = new VersionFinder(system);
  system.metaPath = [finder];
  return { system, finder };
}

describe('a fresh import that fails (_load_unlocked: del sys.modules)', () => {
  it('removes the module from modules and rethrows the error of its code', () => {
    const boom = new Error('boom');
    const { system } = memorySystem({
      bad: () => {
        throw boom;
      },
    });
    expect(thrownBy(() => system.importModule('bad'))).toBe(boom);
    expect(system.modules.has('bad')).toBe(false);
  });

  it('removes only the failed module, not the modules its code imported', () => {
    const { system } = memorySystem({
      helper: () => undefined,
      bad: (m, sys) => {
        sys.importModule('helper');
        throw new Error('boom');
      },
    });
    expect(() => system.importModule('bad')).toThrow('boom');
    expect(system.modules.has('helper')).toBe(true);
    expect(system.modules.has('bad')).toBe(false);
  });

  it('re-executes the module from scratch, in a new object, when it is imported again', () => {
    let fail = true;
    let firstObject: unknown;
    const { system, finder } = memorySystem({
      flaky: (m) => {
        if (fail) {
          firstObject = m;
          m.leftover = true;
          throw new Error('first attempt');
        }
      },
    });
    expect(() => system.importModule('flaky')).toThrow('first attempt');
    fail = false;
    const module = system.importModule('flaky') as ModuleType;
    expect(finder.loaders.get('flaky')?.runs).toBe(2);
    expect(module).not.toBe(firstObject);
    expect(module.leftover).toBeUndefined();
  });

  it('raises no secondary error when the module deleted itself before failing (test_load_failed_removed)', () => {
    const boom = new Error('boom after removing itself');
    const { system } = memorySystem({
      gone: (m, sys) => {
        sys.modules.delete('gone');
        throw boom;
      },
    });
    expect(thrownBy(() => system.importModule('gone'))).toBe(boom);
    expect(system.modules.has('gone')).toBe(false);
  });

  it('removes the module on the async path too', async () => {
    const { system } = memorySystem({
      bad: async () => {
        await Promise.resolve();
        throw new Error('async boom');
      },
    });
    await expect(system.importModuleAsync('bad')).rejects.toThrow('async boom');
    expect(system.modules.has('bad')).toBe(false);
  });
});

describe('what a failed import does not clean up (test_packages.test_raising_parent_after_importing_child)', () => {
  function failingPackage() {
    return memorySystem({
      pkg: {
        package: true,
        body: (m, sys) => {
          sys.importModule('pkg.child');
          throw new Error('pkg fails after importing its child');
        },
      },
      'pkg.child': () => undefined,
    });
  }

  it("keeps a child that the failing package's code imported", () => {
    const { system } = failingPackage();
    expect(() => system.importModule('pkg')).toThrow('pkg fails');
    expect(system.modules.has('pkg')).toBe(false);
    expect(system.modules.get('pkg.child')).toBeInstanceOf(ModuleType);
  });

  it('re-imports the failing package (and fails again) when the import statement names its child', () => {
    const { system, finder } = failingPackage();
    expect(() => system.importModule('pkg')).toThrow('pkg fails');
    expect(() => system.__import__('pkg.child')).toThrow('pkg fails');
    expect(finder.loaders.get('pkg')?.runs).toBe(2);
  });

  it('never binds a failed child on its parent', () => {
    const { system } = memorySystem({
      pkg: { package: true },
      'pkg.bad': () => {
        throw new Error('child fails');
      },
    });
    expect(() => system.importModule('pkg.bad')).toThrow('child fails');
    const pkg = system.modules.get('pkg') as ModuleType;
    expect(Object.prototype.hasOwnProperty.call(pkg, 'bad')).toBe(false);
    expect(system.modules.has('pkg.bad')).toBe(false);
  });
});

describe('a legacy loader with only loadModule() (_load_module_shim)', () => {
  function legacySystem(loadModule: (system: ImportSystem, name: string) => unknown) {
    const { system } = memorySystem({});
    const loader: Loader = { loadModule: (name) => loadModule(system, name) };
    system.metaPath = [{ findSpec: (name) => (name === 'legacy' ? new ModuleSpec(name, loader) : null) }];
    return system;
  }

  it('does not delete the entry the loader made when loadModule() fails: cleanup is its job', () => {
    let made: ModuleType | undefined;
    const system = legacySystem((sys, name) => {
      made = new ModuleType(name);
      sys.modules.set(name, made);
      throw new Error('legacy failure');
    });
    expect(() => system.importModule('legacy')).toThrow('legacy failure');
    expect(system.modules.get('legacy')).toBe(made);
  });

  it('moves the surviving entry to the end of modules', () => {
    const system = legacySystem((sys, name) => {
      sys.modules.set(name, new ModuleType(name));
      sys.modules.set('later', new ModuleType('later'));
      throw new Error('legacy failure');
    });
    expect(() => system.importModule('legacy')).toThrow('legacy failure');
    expect([...system.modules.keys()].at(-1)).toBe('legacy');
  });

  it('leaves no entry when the legacy loader cleaned up after itself', () => {
    const system = legacySystem((sys, name) => {
      sys.modules.set(name, new ModuleType(name));
      sys.modules.delete(name);
      throw new Error('legacy failure');
    });
    expect(() => system.importModule('legacy')).toThrow('legacy failure');
    expect(system.modules.has('legacy')).toBe(false);
  });
});

describe('reload() preconditions', () => {
  it("refuses a value with neither __spec__.name nor __name__: ImportArgumentError('reload() argument must be a module')", () => {
    const { system } = memorySystem({});
    for (const value of [{}, 42, null, 'm']) {
      const error = thrownBy<ImportArgumentError>(() => system.reload(value));
      expect(error).toBeInstanceOf(ImportArgumentError);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect(error.message).toBe('reload() argument must be a module');
    }
  });

  it('uses __name__ when __spec__ is null', () => {
    const { system, finder } = memorySystem({ m: (m) => void (m.loaded = true) });
    const module = newModule('m');
    system.modules.set('m', module);
    expect(system.reload(module)).toBe(module);
    expect(module.loaded).toBe(true);
    expect(finder.calls).toEqual(['m']);
  });

  it('refuses a module that is not the one in modules: ImportError("module \'m\' not in modules")', () => {
    const { system } = memorySystem({ m: () => undefined });
    const module = system.importModule('m');
    system.modules.set('m', newModule('m'));
    for (const candidate of [module, newModule('absent')]) {
      const error = thrownBy<ImportError>(() => system.reload(candidate));
      expect(error).toBeInstanceOf(ImportError);
      expect(error.code).toBe(ErrorCodes.IMPORT);
      expect(error.message).toMatch(/^module '(m|absent)' not in modules$/);
    }
  });

  it('refuses a submodule whose parent is not in modules: ImportError("parent \'a\' not in modules")', () => {
    const { system, finder } = memorySystem({ a: { package: true }, 'a.b': () => undefined });
    const child = system.importModule('a.b');
    system.modules.delete('a');
    const error = thrownBy<ImportError>(() => system.reload(child));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.message).toBe("parent 'a' not in modules");
    expect(error.moduleName).toBe('a');
    expect(finder.calls).toEqual(['a', 'a.b']); // no search for the reload
  });
});

describe('the search of reload()', () => {
  it("asks the finders with the parent's __path__ and the module itself as target", () => {
    const { system, finder } = versionSystem();
    finder.versions.a = { body: () => undefined, package: true, file: '/v/a/__init__' };
    finder.versions['a.b'] = { body: () => undefined, file: '/v/a/b' };
    const child = system.importModule('a.b');
    finder.calls.length = 0;
    system.reload(child);
    expect(finder.calls).toEqual([{ name: 'a.b', path: ['/v/a'], target: child }]);
  });

  it('replaces __spec__ with the spec found again', () => {
    const { system } = memorySystem({ m: () => undefined });
    const module = system.importModule('m') as ModuleType;
    const before = module.__spec__;
    system.reload(module);
    expect(module.__spec__).toBeInstanceOf(ModuleSpec);
    expect(module.__spec__).not.toBe(before);
  });

  it('throws ModuleNotFoundError when no finder finds it, with __spec__ replaced by null and the module kept', () => {
    const { system, finder } = memorySystem({ m: () => undefined });
    const module = system.importModule('m') as ModuleType;
    delete finder.defs.m;
    const error = thrownBy<ModuleNotFoundError>(() => system.reload(module));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.code).toBe(ErrorCodes.NOT_FOUND);
    expect(error.moduleName).toBe('m');
    expect(error.message).toMatch(/spec not found for the module 'm'/);
    expect(module.__spec__).toBeNull();
    expect(system.modules.get('m')).toBe(module);
  });
});

describe('the execution of reload()', () => {
  it('runs the new code in the same object, so names the new version no longer defines survive', () => {
    const { system, finder } = versionSystem();
    finder.versions.m = { body: (m) => Object.assign(m, { old: 1, shared: 'v1' }), file: '/v/m' };
    const module = system.importModule('m') as ModuleType;
    finder.versions.m = { body: (m) => Object.assign(m, { shared: 'v2', added: true }), file: '/v/m' };
    expect(system.reload(module)).toBe(module);
    expect(module.old).toBe(1);
    expect(module.shared).toBe('v2');
    expect(module.added).toBe(true);
  });

  it('returns the module at once from a re-entrant reload of the same module', () => {
    const results: unknown[] = [];
    let reloading = false;
    const { system, finder } = memorySystem({
      m: (m, sys) => {
        if (reloading) results.push(sys.reload(m));
      },
    });
    const module = system.importModule('m');
    reloading = true;
    system.reload(module);
    expect(results).toEqual([module]);
    expect(finder.loaders.get('m')?.runs).toBe(2); // the inner reload ran nothing
  });

  it('returns what modules holds afterwards when the code replaced its own entry', () => {
    const replacement = { replaced: true };
    let replace = false;
    const { system } = memorySystem({
      m: (m, sys) => {
        if (replace) sys.modules.set('m', replacement);
      },
    });
    const module = system.importModule('m');
    replace = true;
    expect(system.reload(module)).toBe(replacement);
    expect(system.modules.get('m')).toBe(replacement);
  });

  it('moves the reloaded entry to the end of modules', () => {
    const { system } = memorySystem({ m: () => undefined, n: () => undefined });
    const module = system.importModule('m');
    system.importModule('n');
    expect([...system.modules.keys()]).toEqual(['m', 'n']);
    system.reload(module);
    expect([...system.modules.keys()]).toEqual(['n', 'm']);
  });
});

describe('a reload that fails (_exec: finally, _exec: _init_module_attrs(override=True))', () => {
  it('keeps the module in modules (same object) and at the end of the order', () => {
    let fail = false;
    const { system } = memorySystem({
      m: (m) => {
        m.generation = ((m.generation as number | undefined) ?? 0) + 1;
        if (fail) throw new Error('reload fails');
      },
      n: () => undefined,
    });
    const module = system.importModule('m') as ModuleType;
    system.importModule('n');
    fail = true;
    expect(() => system.reload(module)).toThrow('reload fails');
    expect(system.modules.get('m')).toBe(module);
    expect(module.generation).toBe(2); // partly re-executed
    expect([...system.modules.keys()]).toEqual(['n', 'm']);
  });

  it('keeps the module in modules when an async reload fails', async () => {
    let fail = false;
    const { system } = memorySystem({
      m: async () => {
        await Promise.resolve();
        if (fail) throw new Error('async reload fails');
      },
    });
    const module = await system.importModuleAsync('m');
    fail = true;
    await expect(system.reloadAsync(module)).rejects.toThrow('async reload fails');
    expect(system.modules.get('m')).toBe(module);
    expect(system.activeModuleLocks).toBe(0);
  });

  it('has already set __file__, __loader__, __spec__, __package__ and __path__ from the new spec (_exec: _init_module_attrs(override=True))', () => {
    const { system, finder } = versionSystem();
    finder.versions.m = { body: () => undefined, file: '/old/m' };
    const module = system.importModule('m') as ModuleType;
    const oldLoader = module.__loader__;
    finder.versions.m = {
      body: () => {
        throw new Error('new version fails');
      },
      package: true,
      file: '/new/m/__init__',
    };
    expect(() => system.reload(module)).toThrow('new version fails');
    expect(module.__file__).toBe('/new/m/__init__');
    expect(module.__loader__).not.toBe(oldLoader);
    expect(module.__loader__).toBe(module.__spec__?.loader);
    expect(module.__spec__?.origin).toBe('/new/m/__init__');
    expect(module.__package__).toBe('m');
    expect(module.__path__).toEqual(['/new/m']);
  });

  it('keeps the names of the old version when the new code fails before defining any (test_file_loader.test_state_after_failure)', () => {
    const { system, finder } = versionSystem();
    finder.versions.m = { body: (m) => Object.assign(m, { value: 'old' }), file: '/v/m' };
    const module = system.importModule('m') as ModuleType;
    finder.versions.m = {
      body: () => {
        throw new SyntaxError('the new source does not compile');
      },
      file: '/v/m',
    };
    expect(() => system.reload(module)).toThrow(SyntaxError);
    expect(module.value).toBe('old');
  });
});

describe('a module that becomes a package on reload (test_api.ReloadTests.test_reload_location_changed)', () => {
  it('gains __path__ and an __init__ __file__ in the same object', () => {
    const { system, finder } = versionSystem();
    finder.versions.m = { body: () => undefined, file: '/v/m' };
    const module = system.importModule('m') as ModuleType;
    expect(module.__path__).toBeUndefined();
    finder.versions.m = { body: () => undefined, package: true, file: '/v/m/__init__' };
    expect(system.reload(module)).toBe(module);
    expect(module.__path__).toEqual(['/v/m']);
    expect(module.__file__).toBe('/v/m/__init__');
    expect(module.__spec__?.submoduleSearchLocations).toEqual(['/v/m']);
  });

  it('then imports submodules through the new __path__', () => {
    const { system, finder } = versionSystem();
    finder.versions.m = { body: () => undefined, file: '/v/m' };
    const module = system.importModule('m') as ModuleType;
    expect(() => system.importModule('m.sub')).toThrow(/'m' is not a package/);
    finder.versions.m = { body: () => undefined, package: true, file: '/v/m/__init__' };
    finder.versions['m.sub'] = { body: () => undefined, file: '/v/m/sub' };
    system.reload(module);
    expect(system.importModule('m.sub')).toBe(module.sub);
  });
});
