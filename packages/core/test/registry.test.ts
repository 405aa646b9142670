// The registry (`system.modules`, Python's `sys.modules`) and module objects
// (docs/conformance.md#registry; CPython `_find_and_load`, `_load_unlocked`, `module_from_spec`;
// tests: `import_/test_caching.py`).
import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  ImportError,
  ImportSystem,
  ModuleNotFoundError,
  ModuleSpec,
  ModuleType,
  moduleFromSpec,
  newModule,
  type Loader,
} from '@importlib/core';

import {
  BodyLoader,
  deferred,
  memoryPathHook,
  memorySystem,
  noHang,
  recordEvents,
  sleep,
} from './helpers.js';

describe('cache hit (test_caching.test_using_cache)', () => {
  it('returns the registry entry by identity, even when it is not a module', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    system.modules.set('x', 'a string');
    expect(system.__import__('x')).toBe('a string');
    expect(system.importModule('x')).toBe('a string');
    expect(finder.calls).toEqual([]);
  });

  it('returns the same module object on a second import without running its body again', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    const first = system.importModule('x');
    const second = system.importModule('x');
    expect(second).toBe(first);
    expect(finder.loaders.get('x')?.runs).toBe(1);
    expect(finder.calls).toEqual(['x']);
  });

  it('returns a cached plain object from the async path without asking a finder', async () => {
    const { system, finder } = memorySystem({});
    const entry = { hello: 'world' };
    system.modules.set('x', entry);
    await expect(system.importModuleAsync('x')).resolves.toBe(entry);
    await expect(system.__importAsync__('x')).resolves.toBe(entry);
    expect(finder.calls).toEqual([]);
  });

  it('reports a cached event for a registry hit', () => {
    const { system } = memorySystem({});
    system.modules.set('x', new ModuleType('x'));
    const events = recordEvents(system);
    system.importModule('x');
    expect(events).toContainEqual({ type: 'cached', name: 'x' });
  });
});

describe('null blocks the name (_find_and_load: None in sys.modules)', () => {
  it('raises ModuleNotFoundError naming the module and does not search', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    system.modules.set('x', null);
    let caught: unknown;
    try {
      system.__import__('x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ModuleNotFoundError);
    expect((caught as ModuleNotFoundError).moduleName).toBe('x');
    expect((caught as ModuleNotFoundError).code).toBe(ErrorCodes.NOT_FOUND);
    expect((caught as Error).message).toMatch(/^import of x halted; null in modules$/);
    expect(finder.calls).toEqual([]);
  });

  it('blocks importModule and the async path too', async () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    system.modules.set('x', null);
    expect(() => system.importModule('x')).toThrow(ModuleNotFoundError);
    await expect(system.importModuleAsync('x')).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
      moduleName: 'x',
    });
    expect(finder.calls).toEqual([]);
  });

  it("refuses a submodule of a blocked parent as 'not a package' (the null entry has no __path__)", () => {
    const { system, finder } = memorySystem({ a: { package: true }, 'a.b': () => undefined });
    system.modules.set('a', null);
    expect(() => system.importModule('a.b')).toThrow(
      expect.objectContaining({ moduleName: 'a.b', message: "No module named 'a.b'; 'a' is not a package" }),
    );
    expect(finder.calls).toEqual([]);
  });
});

describe('insert before execute (_load_unlocked)', () => {
  it('puts the new module into the registry before its body runs', () => {
    let seen: unknown;
    let self: ModuleType | undefined;
    const { system } = memorySystem({
      x: (module, sys) => {
        self = module;
        seen = sys.modules.get('x');
      },
    });
    const result = system.importModule('x');
    expect(seen).toBe(self);
    expect(result).toBe(self);
  });

  it('hands a self-import inside the body the same, partly filled object', () => {
    let inner: unknown;
    const { system } = memorySystem({
      x: (module, sys) => {
        module.before = 1;
        inner = sys.importModule('x');
        expect(Object.keys(inner as object)).toEqual(['before']);
        module.after = 2;
      },
    });
    const result = system.importModule('x') as ModuleType;
    expect(inner).toBe(result);
    expect(result.after).toBe(2);
  });

  it('removes the entry again when the body throws', () => {
    const { system } = memorySystem({
      x: () => {
        throw new Error('boom');
      },
    });
    expect(() => system.importModule('x')).toThrow('boom');
    expect(system.modules.has('x')).toBe(false);
  });
});

describe('replacement is honoured (_load_unlocked: sys.modules.pop)', () => {
  it('returns whatever the registry holds for the name once the body has run', () => {
    const replacement = { replaced: true };
    const { system } = memorySystem({
      x: (_module, sys) => {
        sys.modules.set('x', replacement);
      },
    });
    expect(system.importModule('x')).toBe(replacement);
    expect(system.modules.get('x')).toBe(replacement);
  });

  it('returns the replaced form from __import__ and binds it on the parent', () => {
    const replacement = { replaced: true };
    const { system } = memorySystem({
      pkg: { package: true },
      'pkg.mod': (_module, sys) => {
        sys.modules.set('pkg.mod', replacement);
      },
    });
    expect(system.__import__('pkg.mod', null, null, ['x'])).toBe(replacement);
    expect((system.modules.get('pkg') as ModuleType).mod).toBe(replacement);
  });

  it('raises an ImportError when the body removed its own entry', () => {
    const { system } = memorySystem({
      x: (_module, sys) => {
        sys.modules.delete('x');
      },
    });
    expect(() => system.importModule('x')).toThrow(
      expect.objectContaining({ code: ErrorCodes.IMPORT, moduleName: 'x' }),
    );
  });
});

describe('insertion order (_load_unlocked: re-insert)', () => {
  it('moves a freshly loaded module to the end of the registry', () => {
    const { system } = memorySystem({
      pkg: {
        package: true,
        body: (_module, sys) => {
          sys.importModule('pkg.sub');
        },
      },
      'pkg.sub': () => undefined,
      other: () => undefined,
    });
    system.modules.set('before', new ModuleType('before'));
    system.importModule('pkg');
    // pkg entered first, but finished last.
    expect([...system.modules.keys()]).toEqual(['before', 'pkg.sub', 'pkg']);
  });

  it('moves a replacement entry to the end too', () => {
    const { system } = memorySystem({
      x: (_module, sys) => {
        sys.modules.set('x', 'replaced');
        sys.modules.set('later', 'set during x');
      },
    });
    system.importModule('x');
    expect([...system.modules.keys()]).toEqual(['later', 'x']);
  });
});

describe('the initializing flag (spec._initializing)', () => {
  it('is set on the spec before the module enters the registry, and reset after', () => {
    const { system } = memorySystem({ x: () => undefined });
    const flags: boolean[] = [];
    class SpyMap extends Map<string, unknown> {
      override set(key: string, value: unknown): this {
        const spec = (value as ModuleType | null)?.__spec__;
        if (key === 'x' && spec instanceof ModuleSpec) flags.push(spec.initializing);
        return super.set(key, value);
      }
    }
    system.modules = new SpyMap();
    const module = system.importModule('x') as ModuleType;
    expect(flags[0]).toBe(true);
    expect(module.__spec__?.initializing).toBe(false);
  });

  it('is true while the body runs', () => {
    let during: boolean | undefined;
    const { system } = memorySystem({
      x: (module) => {
        during = module.__spec__?.initializing;
      },
    });
    system.importModule('x');
    expect(during).toBe(true);
  });

  it('is reset when the body throws', () => {
    let spec: ModuleSpec | null = null;
    const { system } = memorySystem({
      x: (module) => {
        spec = module.__spec__;
        throw new Error('boom');
      },
    });
    expect(() => system.importModule('x')).toThrow('boom');
    expect(spec).not.toBeNull();
    expect((spec as unknown as ModuleSpec).initializing).toBe(false);
  });

  it('makes a second async importer wait for the module to finish initialising', async () => {
    const { system, finder } = memorySystem({
      slow: async (module) => {
        module.start = true;
        await sleep(20);
        module.done = true;
      },
    });
    const first = system.importModuleAsync('slow');
    await sleep(5);
    expect(system.modules.has('slow')).toBe(true);
    const second = system.importModuleAsync('slow');
    const [a, b] = (await Promise.all([first, second])) as ModuleType[];
    expect(b).toBe(a);
    expect(b?.done).toBe(true);
    expect(finder.loaders.get('slow')?.runs).toBe(1);
  });

  it('hands back the module that second importer waited for only after the body finished', async () => {
    const order: string[] = [];
    const { system } = memorySystem({
      slow: async () => {
        await sleep(20);
        order.push('body done');
      },
    });
    const first = system.importModuleAsync('slow').then(() => order.push('first'));
    await sleep(5);
    const second = system.importModuleAsync('slow').then(() => order.push('second'));
    await Promise.all([first, second]);
    expect(order.indexOf('body done')).toBeLessThan(order.indexOf('second'));
  });

  it('returns a present, initialised entry at once, without waiting for a lock (fast path)', async () => {
    // The body replaces its entry with a finished object, then keeps running (holding the module lock).
    const finished = { finished: true };
    const { system } = memorySystem({
      x: async (_module, sys) => {
        sys.modules.set('x', finished);
        await sleep(30);
      },
    });
    const order: string[] = [];
    const first = system.importModuleAsync('x').then(() => order.push('first'));
    await sleep(5);
    const second = system.importModuleAsync('x').then((value) => {
      order.push('second');
      return value;
    });
    await expect(second).resolves.toBe(finished);
    await first;
    expect(order).toEqual(['second', 'first']);
  });

  it('refuses a synchronous import of a module another task is still initialising, rather than hand it over half made', async () => {
    const { system } = memorySystem({
      slow: async (module) => {
        module.start = true;
        await sleep(20);
        module.done = true;
      },
    });
    const first = system.importModuleAsync('slow');
    await sleep(5);
    expect(() => system.importModule('slow')).toThrow(
      expect.objectContaining({ code: 'ERR_IMPORTLIB_REQUIRE_ASYNC', moduleName: 'slow' }),
    );
    const done = (await first) as ModuleType;
    expect(done.done).toBe(true);
    expect(system.importModule('slow')).toBe(done);
  });
});

describe('race re-check (_find_and_load: retry)', () => {
  it('retries an import whose module vanished while it waited, and succeeds when the retry does', async () => {
    let run = 0;
    const { system, finder } = memorySystem({
      flaky: async (module) => {
        run++;
        await sleep(15);
        if (run === 1) throw new Error('first run fails');
        module.ok = true;
      },
    });
    const first = system.importModuleAsync('flaky');
    await sleep(5);
    const second = system.importModuleAsync('flaky');
    await expect(first).rejects.toThrow('first run fails');
    const module = (await second) as ModuleType;
    expect(module.ok).toBe(true);
    expect(finder.loaders.get('flaky')?.runs).toBe(2);
    expect(system.modules.get('flaky')).toBe(module);
  });

  it('reports the failure of the retry itself, not a synthetic error', async () => {
    class Boom extends Error {}
    const { system, finder } = memorySystem({
      broken: async () => {
        await sleep(15);
        throw new Boom('always fails');
      },
    });
    const first = system.importModuleAsync('broken');
    await sleep(5);
    const second = system.importModuleAsync('broken');
    await expect(first).rejects.toBeInstanceOf(Boom);
    await expect(second).rejects.toBeInstanceOf(Boom);
    expect(finder.loaders.get('broken')?.runs).toBe(2);
    expect(system.modules.has('broken')).toBe(false);
  });
});

describe('moduleFromSpec', () => {
  it('uses a default ModuleType when createModule returns null', () => {
    const system = new ImportSystem();
    const spec = new ModuleSpec('m', new BodyLoader(system, () => undefined));
    const module = moduleFromSpec(spec);
    expect(module).toBeInstanceOf(ModuleType);
    expect(module.__name__).toBe('m');
    expect(module.__spec__).toBe(spec);
    expect(module.__loader__).toBe(spec.loader);
  });

  it('uses the object createModule returns', () => {
    const custom = { custom: true };
    const loader: Loader = { createModule: () => custom, execModule: () => undefined };
    const module = moduleFromSpec(new ModuleSpec('m', loader));
    expect(module).toBe(custom);
    expect((module as unknown as Record<string, unknown>).__name__).toBe('m');
  });

  it('refuses a loader that defines execModule without createModule', () => {
    const loader: Loader = { execModule: () => undefined };
    expect(() => moduleFromSpec(new ModuleSpec('m', loader))).toThrow(ImportError);
    expect(() => moduleFromSpec(new ModuleSpec('m', loader))).toThrow(/createModule/);
  });

  it('makes the import fail with an ImportError for such a loader, leaving nothing in the registry', () => {
    const system = new ImportSystem();
    const loader: Loader = { execModule: () => undefined };
    system.metaPath = [{ findSpec: (name) => (name === 'm' ? new ModuleSpec('m', loader) : null) }];
    expect(() => system.importModule('m')).toThrow(
      expect.objectContaining({ code: ErrorCodes.IMPORT, moduleName: 'm' }),
    );
    expect(system.modules.has('m')).toBe(false);
  });
});

describe('newModule / new ModuleType', () => {
  it('creates a module that is not inserted into any registry', () => {
    const system = new ImportSystem();
    const module = newModule('fresh');
    expect(module).toBeInstanceOf(ModuleType);
    expect(system.modules.has('fresh')).toBe(false);
    expect(new ModuleType('other').__name__).toBe('other');
    expect(system.modules.size).toBe(0);
  });

  it('sets only __name__, __loader__, __package__ and __spec__, all non-enumerable', () => {
    const module = newModule('fresh');
    expect(Object.keys(module)).toEqual([]);
    expect(Object.getOwnPropertyNames(module).sort()).toEqual([
      '__loader__',
      '__name__',
      '__package__',
      '__spec__',
    ]);
    expect(module.__loader__).toBeNull();
    expect(module.__package__).toBeNull();
    expect(module.__spec__).toBeNull();
  });
});

describe('binding on the parent (_find_and_load_unlocked: setattr(parent_module))', () => {
  it('sets the child module as a non-enumerable attribute of its parent', () => {
    const { system } = memorySystem({ a: { package: true }, 'a.b': () => undefined });
    const child = system.importModule('a.b');
    const parent = system.modules.get('a') as ModuleType;
    expect(parent.b).toBe(child);
    expect(parent.b).toBe(system.modules.get('a.b'));
    expect(Object.keys(parent)).toEqual([]);
    expect(Object.prototype.hasOwnProperty.call(parent, 'b')).toBe(false); // not an own export
    expect('b' in parent).toBe(true);
  });

  it('keeps the exports of the package as its code made them (keys, spread, an export-star copy)', () => {
    const { system } = memorySystem({
      a: { package: true, body: (m) => void (m.x = 1) },
      'a.b': () => undefined,
      'a.c': () => undefined,
    });
    system.importModule('a.b');
    system.importModule('a.c');
    const parent = system.modules.get('a') as ModuleType;
    expect(Object.keys(parent)).toEqual(['x']);
    expect({ ...parent }).toEqual({ x: 1 });
    const star: Record<string, unknown> = {};
    for (const key in parent) star[key] = parent[key]; // what `export *` helpers copy
    expect(star).toEqual({ x: 1 });
    expect(JSON.stringify(parent)).toBe('{"x":1}');
  });

  it('makes the binding an ordinary export, at the end of the key order, when the package assigns it', () => {
    const { system } = memorySystem({
      a: {
        package: true,
        body: (m, sys) => {
          const b = sys.importModule('a.b'); // `const b = require('./b')`, bound on a as a.b
          m.x = 1;
          m.b = b; // `exports.b = b`
        },
      },
      'a.b': () => undefined,
    });
    const parent = system.importModule('a') as ModuleType;
    expect(Object.keys(parent)).toEqual(['x', 'b']);
    expect(Object.getOwnPropertyDescriptor(parent, 'b')).toMatchObject({
      value: system.modules.get('a.b'),
      enumerable: true,
      writable: true,
    });
  });

  it("lets an `export * from './memo'` give the package memo's own export memo (zod's core.memoizer)", () => {
    // What swc's _export_star does: copy each key the target does not own yet, as a getter.
    const exportStar = (from: Record<string, unknown>, to: object): void => {
      for (const key of Object.keys(from)) {
        if (key === 'default' || Object.prototype.hasOwnProperty.call(to, key)) continue;
        Object.defineProperty(to, key, { enumerable: true, get: () => from[key] });
      }
    };
    const memo = (): string => 'memoized';
    const { system } = memorySystem({
      a: {
        package: true,
        body: (m, sys) => exportStar(sys.importModule('a.memo') as Record<string, unknown>, m),
      },
      'a.memo': (m) => void (m.memo = memo),
    });
    const parent = system.importModule('a') as ModuleType;
    expect(parent.memo).toBe(memo);
    expect(Object.keys(parent)).toEqual(['memo']);
  });

  it('lets the package redefine the bound name as an export getter (a transpiled re-export)', () => {
    const { system } = memorySystem({
      a: {
        package: true,
        body: (m, sys) => {
          const b = sys.importModule('a.b');
          Object.defineProperty(m, 'b', { enumerable: true, configurable: true, get: () => b });
        },
      },
      'a.b': () => undefined,
    });
    const parent = system.importModule('a') as ModuleType;
    expect(Object.keys(parent)).toEqual(['b']);
    expect(parent.b).toBe(system.modules.get('a.b'));
  });

  it('leaves an own export of the same name enumerable (the binding goes through setAttr)', () => {
    const { system } = memorySystem({
      a: { package: true, body: (m) => void (m.b = 'an export') },
      'a.b': () => undefined,
    });
    system.importModule('a.b');
    const parent = system.modules.get('a') as ModuleType;
    expect(Object.keys(parent)).toEqual(['b']);
    expect(parent.b).toBe(system.modules.get('a.b')); // Python's setattr: the submodule wins
  });

  it('leaves an export getter of the same name alone', () => {
    const { system } = memorySystem({
      a: {
        package: true,
        body: (m) =>
          void Object.defineProperty(m, 'b', {
            enumerable: true,
            configurable: true,
            get: () => 'an export',
          }),
      },
      'a.b': () => undefined,
    });
    system.importModule('a.b');
    const parent = system.modules.get('a') as ModuleType;
    expect(Object.keys(parent)).toEqual(['b']);
    expect(parent.b).toBe('an export');
  });

  it('rebinds, still non-enumerable, when the submodule is imported again', () => {
    const { system } = memorySystem({ a: { package: true }, 'a.b': () => undefined });
    const first = system.importModule('a.b');
    system.modules.delete('a.b');
    const second = system.importModule('a.b');
    const parent = system.modules.get('a') as ModuleType;
    expect(second).not.toBe(first);
    expect(parent.b).toBe(second);
    expect(Object.keys(parent)).toEqual([]);
  });

  it('binds non-enumerably on a parent entry that is a function', () => {
    const fn = Object.assign(() => 1, { version: '1' });
    const { system } = memorySystem({
      a: { package: true, body: (_m, sys) => void sys.modules.set('a', fn) },
      'a.b': () => undefined,
    });
    const child = system.importModule('a.b');
    expect((fn as unknown as Record<string, unknown>).b).toBe(child);
    expect(Object.keys(fn)).toEqual(['version']);
  });

  it('issues an ImportWarning, not an error, when the parent refuses attributes', () => {
    const { system } = memorySystem({
      a: {
        package: true,
        body: (_module, sys) => {
          sys.modules.set('a', Object.freeze({ __path__: ['memory:a'] }));
        },
      },
      'a.b': () => undefined,
    });
    const events = recordEvents(system);
    const child = system.importModule('a.b');
    expect(child).toBe(system.modules.get('a.b'));
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'warning', category: 'ImportWarning', name: 'a.b' }),
    );
    expect(Object.keys(system.modules.get('a') as object)).toEqual(['__path__']);
  });

  it('binds on the registry entry of the parent at that moment, not the original module', () => {
    const replacement = { __path__: ['memory:a'] } as Record<string, unknown>;
    const { system } = memorySystem({
      a: {
        package: true,
        body: (_module, sys) => {
          sys.modules.set('a', replacement);
        },
      },
      'a.b': () => undefined,
    });
    const child = system.importModule('a.b');
    expect(replacement.b).toBe(child);
  });
});

describe('repr (_module_repr_from_spec)', () => {
  it("gives <module 'n' from '<origin>'> for a module with a location", () => {
    const system = new ImportSystem({ path: ['/p'] });
    system.pathHooks = [memoryPathHook(system, { '/p': { n: () => undefined } })];
    expect(String(system.importModule('n'))).toBe("<module 'n' from '/p/n'>");
  });

  it("gives <module 'n' (origin)> for an origin without a location", () => {
    const system = new ImportSystem();
    const loader = new BodyLoader(system, () => undefined);
    system.metaPath = [{ findSpec: (name) => new ModuleSpec(name, loader, { origin: 'built-in' }) }];
    expect(String(system.importModule('sys'))).toBe("<module 'sys' (built-in)>");
  });

  it("gives <module 'ns' (namespace) from [...]> for a namespace package", () => {
    const system = new ImportSystem({ path: ['/e1', '/e2'] });
    system.pathHooks = [memoryPathHook(system, { '/e1': { 'ns/': {} }, '/e2': { 'ns/': {} } })];
    // The port prints the portions as JSON; Python prints a list repr (['/e1/ns', '/e2/ns']).
    expect(String(system.importModule('ns'))).toBe(`<module 'ns' (namespace) from ["/e1/ns","/e2/ns"]>`);
  });

  it("gives <module 'n'> when the spec has no loader and no origin", () => {
    const module = moduleFromSpec(new ModuleSpec('n', null));
    expect(String(module)).toBe("<module 'n'>");
  });

  it("gives <module 'n'> for a new module without a spec, and <module 'n' from 'f'> with __file__", () => {
    const module = newModule('n');
    expect(String(module)).toBe("<module 'n'>");
    module.__file__ = '/x/n.js';
    expect(`${module}`).toBe("<module 'n' from '/x/n.js'>");
  });

  it("gives <module 'n' (<loader>)> when the spec has a loader but no origin", () => {
    const system = new ImportSystem();
    const module = moduleFromSpec(new ModuleSpec('n', new BodyLoader(system, () => undefined)));
    expect(String(module)).toBe("<module 'n' (<BodyLoader>)>");
  });
});

describe('getModule, the PyImport_GetModule of the port', () => {
  it('returns undefined with no error when the name is absent, and never imports', () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    expect(system.getModule('x')).toBeUndefined();
    expect(finder.calls).toEqual([]);
    expect(system.modules.has('x')).toBe(false);
  });

  it('returns the registry entry by identity when present', () => {
    const { system } = memorySystem({});
    const entry = { any: 'object' };
    system.modules.set('x', entry);
    expect(system.getModule('x')).toBe(entry);
  });

  it('returns null for a blocked name instead of raising', () => {
    const { system } = memorySystem({});
    system.modules.set('x', null);
    expect(system.getModule('x')).toBeNull();
  });

  it('returns a module still initialising at once (a synchronous call cannot wait)', () => {
    let seen: unknown;
    const { system } = memorySystem({
      x: (module, sys) => {
        seen = sys.getModule('x');
        expect((seen as ModuleType).__spec__?.initializing).toBe(true);
        module.late = true;
      },
    });
    expect(system.importModule('x')).toBe(seen);
  });
});

describe('getModuleAsync: PyImport_GetModule waiting for a module being initialised', () => {
  it('waits for a module another import task is initialising and returns it complete', async () => {
    const gate = deferred();
    const { system } = memorySystem({
      x: async (module) => {
        await gate.promise;
        module.done = true;
      },
    });
    const importing = system.importModuleAsync('x');
    await sleep();
    const getting = system.getModuleAsync('x');
    gate.resolve();
    const got = (await noHang(getting)) as ModuleType;
    expect(got.done).toBe(true);
    expect(got).toBe(await importing);
  });

  it('returns undefined when the import it waited for failed and removed the entry', async () => {
    const gate = deferred();
    const { system } = memorySystem({
      x: async () => {
        await gate.promise;
        throw new Error('boom');
      },
    });
    const importing = system.importModuleAsync('x').catch((error: unknown) => error);
    await sleep();
    expect(system.modules.has('x')).toBe(true);
    const getting = system.getModuleAsync('x');
    gate.resolve();
    expect(await noHang(getting)).toBeUndefined();
    expect(await importing).toBeInstanceOf(Error);
  });

  it('returns undefined when the module replaced its entry while it was waited for', async () => {
    const gate = deferred();
    const { system } = memorySystem({
      x: async (_module, sys) => {
        await gate.promise;
        sys.modules.set('x', { replacement: true });
      },
    });
    const importing = system.importModuleAsync('x');
    await sleep();
    const getting = system.getModuleAsync('x');
    gate.resolve();
    expect(await noHang(getting)).toBeUndefined();
    expect(await importing).toEqual({ replacement: true });
  });

  it('returns a module initialising in its own task (a cycle) at once, partly filled', async () => {
    let seen: unknown;
    const { system } = memorySystem({
      x: async (module, sys) => {
        module.early = true;
        seen = await noHang(sys.getModuleAsync('x'));
      },
    });
    const module = await system.importModuleAsync('x');
    expect(seen).toBe(module);
  });

  it('returns undefined for an absent name without importing it', async () => {
    const { system, finder } = memorySystem({ x: () => undefined });
    expect(await system.getModuleAsync('x')).toBeUndefined();
    expect(finder.calls).toEqual([]);
  });
});
