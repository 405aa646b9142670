// Making a module from a spec and the attributes a spec puts on it (docs/conformance.md#specs;
// CPython `module_from_spec`, `_init_module_attrs`, `_load_backward_compatible`), and the repr
// forms (`_module_repr_from_spec`, docs/conformance.md#module-repr).
import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  ImportError,
  ImportSystem,
  initModuleAttrs,
  moduleFromSpec,
  ModuleSpec,
  ModuleType,
  NamespaceLoader,
  newModule,
  setAttr,
  type Loader,
  type MetaPathFinder,
} from '@importlib/core';

import { BodyLoader, memoryPathHook, recordEvents } from './helpers.js';

/** A loader with the PEP 451 protocol that runs nothing. */
function plainLoader(extra: Partial<Loader> = {}): Loader {
  return { createModule: () => null, execModule: () => undefined, ...extra };
}

/** A spec with a location whose compiled file is `<origin>c`. */
function fileSpec(
  name: string,
  origin: string,
  options: { isPackage?: boolean; loader?: Loader } = {},
): ModuleSpec {
  const loader = options.loader ?? plainLoader({ getCached: (o) => `${o}c` });
  const spec = new ModuleSpec(name, loader, { origin, isPackage: options.isPackage ?? false });
  spec.hasLocation = true;
  if (options.isPackage) spec.submoduleSearchLocations = [origin.slice(0, origin.lastIndexOf('/'))];
  return spec;
}

describe('moduleFromSpec (_init_module_attrs)', () => {
  it('returns the object made by loader.createModule(spec), with the spec attributes set on it', () => {
    const made = new ModuleType('other');
    let asked: ModuleSpec | null = null;
    const spec = new ModuleSpec('mod', plainLoader({ createModule: (s) => ((asked = s), made) }));
    const module = moduleFromSpec(spec);
    expect(module).toBe(made);
    expect(asked).toBe(spec);
    expect(module.__spec__).toBe(spec);
  });

  it('makes a fresh module named after the spec when createModule returns null', () => {
    const spec = new ModuleSpec('a.b', plainLoader());
    const module = moduleFromSpec(spec);
    expect(module).toBeInstanceOf(ModuleType);
    expect(module.__name__).toBe('a.b');
    expect(module.__package__).toBe('a');
  });

  it('makes a fresh module for a spec without a loader', () => {
    expect(moduleFromSpec(new ModuleSpec('mod', null))).toBeInstanceOf(ModuleType);
  });

  it('refuses a loader that defines execModule but not createModule', () => {
    const spec = new ModuleSpec('mod', { execModule: () => undefined });
    expect(() => moduleFromSpec(spec)).toThrow(ImportError);
    try {
      moduleFromSpec(spec);
    } catch (error) {
      expect((error as ImportError).code).toBe(ErrorCodes.IMPORT);
      expect((error as ImportError).moduleName).toBe('mod');
      expect((error as ImportError).message).toMatch(/createModule/);
    }
  });
});

describe('initModuleAttrs without override', () => {
  it('sets __name__, __loader__, __package__ and __spec__ on a bare object', () => {
    const loader = plainLoader();
    const spec = new ModuleSpec('a.b', loader);
    const module = initModuleAttrs(spec, {}) as Record<string, unknown>;
    expect(module.__name__).toBe('a.b');
    expect(module.__loader__).toBe(loader);
    expect(module.__package__).toBe('a');
    expect(module.__spec__).toBe(spec);
  });

  it('returns the module it was given', () => {
    const module = newModule('x');
    expect(initModuleAttrs(new ModuleSpec('x', null), module)).toBe(module);
  });

  it('keeps an existing __name__', () => {
    const module = newModule('kept');
    initModuleAttrs(new ModuleSpec('other', null), module);
    expect(module.__name__).toBe('kept');
  });

  it('replaces a null __name__', () => {
    const module = { __name__: null };
    initModuleAttrs(new ModuleSpec('mod', null), module);
    expect(module.__name__).toBe('mod');
  });

  it('keeps an existing __loader__', () => {
    const mine = plainLoader();
    const module = newModule('mod');
    module.__loader__ = mine;
    initModuleAttrs(new ModuleSpec('mod', plainLoader()), module);
    expect(module.__loader__).toBe(mine);
  });

  it('keeps an existing __package__', () => {
    const module = newModule('a.b');
    module.__package__ = 'elsewhere';
    initModuleAttrs(new ModuleSpec('a.b', null), module);
    expect(module.__package__).toBe('elsewhere');
  });

  it('always sets __spec__, even over an existing one', () => {
    const module = newModule('mod');
    module.__spec__ = new ModuleSpec('mod', null);
    const spec = new ModuleSpec('mod', plainLoader());
    initModuleAttrs(spec, module);
    expect(module.__spec__).toBe(spec);
  });

  it("sets a package's __path__ to the spec's own search-locations object", () => {
    const spec = fileSpec('pkg', '/x/pkg/__init__.py', { isPackage: true });
    const module = newModule('pkg');
    initModuleAttrs(spec, module);
    expect(module.__path__).toBe(spec.submoduleSearchLocations);
    expect(module.__package__).toBe('pkg');
  });

  it('gives a plain module no __path__', () => {
    const module = newModule('mod');
    initModuleAttrs(fileSpec('mod', '/x/mod.py'), module);
    expect(Object.prototype.hasOwnProperty.call(module, '__path__')).toBe(false);
  });

  it('keeps an existing __path__', () => {
    const module = newModule('pkg');
    module.__path__ = ['/mine'];
    initModuleAttrs(fileSpec('pkg', '/x/pkg/__init__.py', { isPackage: true }), module);
    expect(module.__path__).toEqual(['/mine']);
  });

  it('sets __file__ to the origin and __cached__ to spec.cached for a spec with a location', () => {
    const module = newModule('mod');
    initModuleAttrs(fileSpec('mod', '/x/mod.py'), module);
    expect(module.__file__).toBe('/x/mod.py');
    expect(module.__cached__).toBe('/x/mod.pyc');
  });

  it('sets neither __file__ nor __cached__ for a spec without a location', () => {
    const module = newModule('sys');
    initModuleAttrs(
      new ModuleSpec('sys', plainLoader({ getCached: (o) => `${o}c` }), { origin: 'built-in' }),
      module,
    );
    expect(Object.prototype.hasOwnProperty.call(module, '__file__')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(module, '__cached__')).toBe(false);
  });

  it('does not set __cached__ when spec.cached is null', () => {
    const module = newModule('mod');
    initModuleAttrs(fileSpec('mod', '/x/mod.data', { loader: plainLoader() }), module);
    expect(module.__file__).toBe('/x/mod.data');
    expect(Object.prototype.hasOwnProperty.call(module, '__cached__')).toBe(false);
  });

  it('keeps an existing __file__ and __cached__', () => {
    const module = newModule('mod');
    module.__file__ = '/old/mod.py';
    module.__cached__ = '/old/mod.pyc';
    initModuleAttrs(fileSpec('mod', '/x/mod.py'), module);
    expect(module.__file__).toBe('/old/mod.py');
    expect(module.__cached__).toBe('/old/mod.pyc');
  });

  it('ignores an attribute the object refuses and still sets the others', () => {
    const module = {};
    Object.defineProperty(module, '__name__', {
      get: () => null,
      set: () => {
        throw new TypeError('read-only');
      },
    });
    const spec = new ModuleSpec('mod', null);
    expect(() => initModuleAttrs(spec, module)).not.toThrow();
    expect((module as { __spec__?: unknown }).__spec__).toBe(spec);
  });

  it('keeps the Python attributes out of Object.keys, which lists only exports', () => {
    const module = newModule('pkg');
    initModuleAttrs(fileSpec('pkg', '/x/pkg/__init__.py', { isPackage: true }), module);
    module.answer = 42;
    expect(Object.keys(module)).toEqual(['answer']);
  });
});

describe('namespace specs in initModuleAttrs', () => {
  function namespaceSpec(): ModuleSpec {
    const spec = new ModuleSpec('ns', null);
    spec.submoduleSearchLocations = ['/a/ns', '/b/ns'];
    return spec;
  }

  it('creates a NamespaceLoader and assigns it to spec.loader and __loader__', () => {
    const spec = namespaceSpec();
    const module = newModule('ns');
    initModuleAttrs(spec, module);
    expect(spec.loader).toBeInstanceOf(NamespaceLoader);
    expect(module.__loader__).toBe(spec.loader);
  });

  it("gives the NamespaceLoader the spec's search locations as its path", () => {
    const spec = namespaceSpec();
    const locations = spec.submoduleSearchLocations;
    initModuleAttrs(spec, newModule('ns'));
    expect((spec.loader as NamespaceLoader).path).toBe(locations);
  });

  it('sets __file__ to null', () => {
    const module = newModule('ns');
    initModuleAttrs(namespaceSpec(), module);
    expect(Object.prototype.hasOwnProperty.call(module, '__file__')).toBe(true);
    expect(module.__file__).toBeNull();
  });

  it('leaves __loader__ null and sets no __file__ for a spec with neither loader nor locations', () => {
    const module = newModule('odd');
    initModuleAttrs(new ModuleSpec('odd', null), module);
    expect(module.__loader__).toBeNull();
    expect(Object.prototype.hasOwnProperty.call(module, '__file__')).toBe(false);
  });
});

describe('initModuleAttrs with override (_init_module_attrs(override=True))', () => {
  function loadedModule(): ModuleType {
    const module = newModule('old');
    initModuleAttrs(fileSpec('old.mod', '/old/mod.py', { isPackage: true }), module);
    return module;
  }

  it('overwrites __name__, __loader__, __package__ and __spec__', () => {
    const module = loadedModule();
    const spec = fileSpec('new.pkg', '/new/pkg/__init__.py', { isPackage: true });
    initModuleAttrs(spec, module, true);
    expect(module.__name__).toBe('new.pkg');
    expect(module.__loader__).toBe(spec.loader);
    expect(module.__package__).toBe('new.pkg');
    expect(module.__spec__).toBe(spec);
  });

  it('overwrites __path__, __file__ and __cached__', () => {
    const module = loadedModule();
    const spec = fileSpec('new.pkg', '/new/pkg/__init__.py', { isPackage: true });
    initModuleAttrs(spec, module, true);
    expect(module.__path__).toBe(spec.submoduleSearchLocations);
    expect(module.__file__).toBe('/new/pkg/__init__.py');
    expect(module.__cached__).toBe('/new/pkg/__init__.pyc');
  });

  it('leaves __file__ alone when the new spec has no location', () => {
    const module = loadedModule();
    initModuleAttrs(new ModuleSpec('old.mod', plainLoader(), { origin: 'built-in' }), module, true);
    expect(module.__file__).toBe('/old/mod.py');
  });

  it('sets __file__ to null and a fresh NamespaceLoader when the new spec is a namespace', () => {
    const module = loadedModule();
    const spec = new ModuleSpec('old.mod', null);
    spec.submoduleSearchLocations = ['/a/old/mod'];
    initModuleAttrs(spec, module, true);
    expect(module.__file__).toBeNull();
    expect(module.__loader__).toBeInstanceOf(NamespaceLoader);
    expect(module.__path__).toBe(spec.submoduleSearchLocations);
  });
});

describe('loaders without execModule: legacy loadModule (_load_backward_compatible)', () => {
  /** A system whose only meta-path finder hands out the loader made by `makeLoader` for `legacy`. */
  function legacySystem(
    makeLoader: (system: ImportSystem) => Loader,
    isPackage = false,
  ): { system: ImportSystem; loader: Loader } {
    const system = new ImportSystem();
    const loader = makeLoader(system);
    const finder: MetaPathFinder = {
      findSpec: (n) => (n === 'legacy' ? new ModuleSpec(n, loader, { origin: 'legacy', isPackage }) : null),
    };
    system.metaPath = [finder];
    return { system, loader };
  }

  /** A legacy loader that puts a bare module (import attributes all null) into `system.modules`. */
  function legacyLoader(prepare: (m: ModuleType, system: ImportSystem) => void = () => undefined) {
    return (system: ImportSystem): Loader => ({
      loadModule(fullname: string): unknown {
        const module = newModule(fullname);
        system.modules.set(fullname, module);
        prepare(module, system);
        return module;
      },
    });
  }

  it('uses loadModule(name) and returns the module it put into modules', () => {
    const names: string[] = [];
    const { system } = legacySystem(legacyLoader((m) => names.push(m.__name__)));
    const module = system.importModule('legacy');
    expect(names).toEqual(['legacy']);
    expect(module).toBeInstanceOf(ModuleType);
    expect(module).toBe(system.modules.get('legacy'));
  });

  it('reports an ImportWarning that execModule() was not found', () => {
    const { system } = legacySystem(legacyLoader());
    const events = recordEvents(system);
    system.importModule('legacy');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        category: 'ImportWarning',
        message: expect.stringMatching(/execModule\(\) not found; falling back to loadModule\(\)/) as unknown,
      }),
    );
  });

  it('fills in a missing __loader__, __package__ and __spec__', () => {
    const { system, loader } = legacySystem(legacyLoader());
    const module = system.importModule('legacy') as ModuleType;
    expect(module.__loader__).toBe(loader);
    expect(module.__package__).toBe('');
    expect(module.__spec__).toBeInstanceOf(ModuleSpec);
    expect(module.__spec__?.name).toBe('legacy');
  });

  it("sets __package__ to the module's own name when it has __path__", () => {
    const { system } = legacySystem(
      legacyLoader((m) => (m.__path__ = [])),
      true,
    );
    expect((system.importModule('legacy') as ModuleType).__package__).toBe('legacy');
  });

  it('keeps __loader__, __package__ and __spec__ that loadModule set', () => {
    const ownLoader = plainLoader();
    const ownSpec = new ModuleSpec('legacy', ownLoader);
    const { system } = legacySystem(
      legacyLoader((m) => {
        m.__loader__ = ownLoader;
        m.__package__ = 'custom';
        m.__spec__ = ownSpec;
      }),
    );
    const module = system.importModule('legacy') as ModuleType;
    expect(module.__loader__).toBe(ownLoader);
    expect(module.__package__).toBe('custom');
    expect(module.__spec__).toBe(ownSpec);
  });

  it('moves the loaded module to the end of modules', () => {
    // The legacy code registers another module after its own.
    const { system } = legacySystem(legacyLoader((_m, sys) => sys.modules.set('after', newModule('after'))));
    system.importModule('legacy');
    expect([...system.modules.keys()]).toEqual(['after', 'legacy']);
  });

  it('fails with an ImportError when the loader has neither execModule nor loadModule', () => {
    const { system } = legacySystem(() => ({ isPackage: () => false }));
    expect(() => system.importModule('legacy')).toThrow(
      expect.objectContaining({ code: ErrorCodes.IMPORT, moduleName: 'legacy' }) as unknown as Error,
    );
  });
});

describe('String(module): the repr forms (_module_repr_from_spec)', () => {
  it("is <module 'n' from 'origin'> for a module with a location", () => {
    const module = moduleFromSpec(fileSpec('n', '/p/n.py'));
    expect(String(module)).toBe("<module 'n' from '/p/n.py'>");
  });

  it("is <module 'n' (origin)> for a module with an origin but no location", () => {
    const module = moduleFromSpec(new ModuleSpec('sys', plainLoader(), { origin: 'built-in' }));
    expect(String(module)).toBe("<module 'sys' (built-in)>");
  });

  it("is <module 'ns' (namespace) from [...]> for a namespace package", () => {
    const spec = new ModuleSpec('ns', null);
    spec.submoduleSearchLocations = ['/a/ns', '/b/ns'];
    const module = moduleFromSpec(spec);
    expect(String(module)).toBe('<module \'ns\' (namespace) from ["/a/ns","/b/ns"]>');
  });

  it("is <module 'n'> for a module without a loader", () => {
    expect(String(newModule('n'))).toBe("<module 'n'>");
    expect(String(moduleFromSpec(new ModuleSpec('m', null)))).toBe("<module 'm'>");
  });

  it("is <module 'n' (loader)> for a module with a loader but no origin", () => {
    const system = new ImportSystem();
    const module = moduleFromSpec(new ModuleSpec('n', new BodyLoader(system, () => undefined)));
    expect(String(module)).toBe("<module 'n' (<BodyLoader>)>");
  });

  it('shows the namespace portions found through the path finder', () => {
    const system = new ImportSystem({ path: ['/a', '/b'] });
    system.pathHooks = [memoryPathHook(system, { '/a': { 'ns/': {} }, '/b': { 'ns/': {} } })];
    expect(String(system.importModule('ns'))).toBe('<module \'ns\' (namespace) from ["/a/ns","/b/ns"]>');
  });
});

describe('setAttr: what a module object refuses (a child binding that cannot be made)', () => {
  it('refuses, without throwing, an attribute held by a getter with no setter, keeping the getter', () => {
    const module = new ModuleType('pkg');
    Object.defineProperty(module, 'sub', { get: () => 'an export', enumerable: true, configurable: true });
    expect(setAttr(module, 'sub', 1)).toBe(false);
    expect(module['sub']).toBe('an export');
  });

  it('refuses a read-only attribute, keeping its value', () => {
    const module = new ModuleType('pkg');
    Object.defineProperty(module, 'sub', { value: 'fixed', writable: false, enumerable: true });
    expect(setAttr(module, 'sub', 1)).toBe(false);
    expect(module['sub']).toBe('fixed');
  });

  it('goes through a setter when the attribute has one', () => {
    const module = new ModuleType('pkg');
    let stored: unknown;
    Object.defineProperty(module, 'sub', {
      get: () => stored,
      set: (v) => void (stored = v),
      configurable: true,
    });
    expect(setAttr(module, 'sub', 7)).toBe(true);
    expect(stored).toBe(7);
  });

  it('refuses a new attribute on a frozen object', () => {
    const frozen = Object.freeze({ a: 1 });
    expect(setAttr(frozen, 'b', 2)).toBe(false);
    expect(Object.keys(frozen)).toEqual(['a']);
  });

  it('replaces a plain writable attribute', () => {
    const module = new ModuleType('pkg');
    module['sub'] = 'old';
    expect(setAttr(module, 'sub', 'new')).toBe(true);
    expect(module['sub']).toBe('new');
  });
});
