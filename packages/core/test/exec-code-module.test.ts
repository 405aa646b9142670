// The core parts of the C API (docs/conformance.md#capi): `system.addModule`
// (PyImport_AddModuleRef) and `system.execCodeModule` (PyImport_ExecCodeModule*, with
// `_fix_up_module`).
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  CodeLoader,
  CodeObject,
  ErrorCodes,
  ImportArgumentError,
  ImportError,
  ModuleSpec,
  ModuleType,
  RequireAsyncError,
  newModule,
  type Loader,
} from '@importlib/core';

import { memorySystem, sleep, thrownBy } from './helpers.js';

describe('addModule() is get-or-create (PyImport_AddModuleRef)', () => {
  it('returns the module object already registered under the name', () => {
    const { system } = memorySystem({});
    const module = newModule('m');
    system.modules.set('m', module);
    expect(system.addModule('m')).toBe(module);
    expect(system.modules.get('m')).toBe(module);
  });

  it('creates, registers and returns an empty module when the name is absent', () => {
    const { system } = memorySystem({});
    const module = system.addModule('fresh');
    expect(module).toBeInstanceOf(ModuleType);
    expect(module.__name__).toBe('fresh');
    expect(Object.keys(module)).toEqual([]);
    expect(system.modules.get('fresh')).toBe(module);
    expect(system.addModule('fresh')).toBe(module);
  });

  it('replaces a value that is not a module object', () => {
    const { system } = memorySystem({});
    for (const value of ['a string', { __name__: 'm' }, 42]) {
      system.modules.set('m', value);
      const module = system.addModule('m');
      expect(module).toBeInstanceOf(ModuleType);
      expect(system.modules.get('m')).toBe(module);
    }
  });

  it('replaces a null entry (a blocked name) with an empty module', () => {
    const { system } = memorySystem({});
    system.modules.set('blocked', null);
    const module = system.addModule('blocked');
    expect(module).toBeInstanceOf(ModuleType);
    expect(system.modules.get('blocked')).toBe(module);
  });

  it('never imports: no finder is asked and no code runs, even for a findable name', () => {
    const { system, finder } = memorySystem({ m: (m) => void (m.ran = true) });
    const module = system.addModule('m');
    expect(finder.calls).toEqual([]);
    expect(module.ran).toBeUndefined();
    expect(module.__spec__).toBeNull();
  });
});

describe('dotted names create no packages (PyImport_AddModuleObject: dotted name)', () => {
  it('addModule("a.b") creates no "a" and imports nothing', () => {
    const { system, finder } = memorySystem({ a: { package: true } });
    system.addModule('a.b');
    expect(system.modules.has('a')).toBe(false);
    expect(finder.calls).toEqual([]);
  });

  it('execCodeModule("a.b") creates no "a" and does not bind "b" on an existing "a"', () => {
    const { system, finder } = memorySystem({ a: { package: true } });
    system.execCodeModule('x.y', new CodeObject('/src/x/y.py', () => undefined));
    expect(system.modules.has('x')).toBe(false);
    const a = system.importModule('a') as ModuleType;
    finder.calls.length = 0;
    const child = system.execCodeModule('a.b', new CodeObject('/src/a/b.py', () => undefined));
    expect(child).toBe(system.modules.get('a.b'));
    expect(Object.prototype.hasOwnProperty.call(a, 'b')).toBe(false);
    expect(finder.calls).toEqual([]);
  });
});

describe('execCodeModule() runs code in a module (PyImport_ExecCodeModuleObject)', () => {
  it('creates the module, runs the code with it as namespace, and returns the registry entry', () => {
    const { system } = memorySystem({});
    let namespace: unknown;
    const module = system.execCodeModule(
      'm',
      new CodeObject('/src/m.py', (m) => {
        namespace = m;
        m.value = 1;
      }),
    ) as ModuleType;
    expect(module).toBe(namespace);
    expect(module).toBe(system.modules.get('m'));
    expect(module.value).toBe(1);
  });

  it('re-executes an existing module in place (a reload): same object, old names kept', () => {
    const { system } = memorySystem({});
    const first = system.execCodeModule(
      'm',
      new CodeObject('/src/m.py', (m) => Object.assign(m, { old: 1, v: 1 })),
    );
    const second = system.execCodeModule('m', new CodeObject('/src/m.py', (m) => Object.assign(m, { v: 2 })));
    expect(second).toBe(first);
    expect(second).toMatchObject({ old: 1, v: 2 });
  });

  it('returns what modules holds after the code ran, a replacement included', () => {
    const { system } = memorySystem({});
    const replacement = { replaced: true };
    const result = system.execCodeModule(
      'm',
      new CodeObject('/src/m.py', () => {
        system.modules.set('m', replacement);
      }),
    );
    expect(result).toBe(replacement);
  });

  it('throws ImportError("Loaded module … not found") when the code removed its own entry', () => {
    const { system } = memorySystem({});
    const error = thrownBy<ImportError>(() =>
      system.execCodeModule(
        'gone',
        new CodeObject('/src/gone.py', () => {
          system.modules.delete('gone');
        }),
      ),
    );
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe(ErrorCodes.IMPORT);
    expect(error.moduleName).toBe('gone');
    expect(error.message).toMatch(/^Loaded module 'gone' not found in modules/);
  });

  it('refuses anything but a CodeObject with ImportArgumentError, registering nothing', () => {
    const { system } = memorySystem({});
    const error = thrownBy(() => system.execCodeModule('m', (() => undefined) as unknown as CodeObject));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect(system.modules.has('m')).toBe(false);
  });
});

describe('the attributes execCodeModule() sets (_fix_up_module, PyImport_ExecCodeModuleWithPathnames)', () => {
  it('gives a new module a file-location __spec__ and a __loader__ that re-runs the code', () => {
    const { system } = memorySystem({});
    let runs = 0;
    const code = new CodeObject('/src/m.py', () => void runs++);
    const module = system.execCodeModule('m', code) as ModuleType;
    const spec = module.__spec__ as ModuleSpec;
    expect(spec).toBeInstanceOf(ModuleSpec);
    expect(spec.name).toBe('m');
    expect(spec.origin).toBe('/src/m.py');
    expect(spec.hasLocation).toBe(true);
    expect(module.__loader__).toBeInstanceOf(CodeLoader);
    expect(spec.loader).toBe(module.__loader__);
    expect((module.__loader__ as CodeLoader).code).toBe(code);
    void (module.__loader__ as CodeLoader).execModule(module);
    expect(runs).toBe(2);
  });

  it('records the given loader for a module that has none', () => {
    const { system } = memorySystem({});
    const loader: Loader = { createModule: () => null, execModule: () => undefined };
    const module = system.execCodeModule('m', new CodeObject('/src/m.py', () => undefined), {
      loader,
    }) as ModuleType;
    expect(module.__loader__).toBe(loader);
    expect(module.__spec__?.loader).toBe(loader);
  });

  it('keeps an existing __spec__ and __loader__', () => {
    const { system } = memorySystem({});
    const module = system.addModule('m');
    const loader: Loader = { createModule: () => null, execModule: () => undefined };
    const spec = new ModuleSpec('m', loader, { origin: 'elsewhere' });
    module.__spec__ = spec;
    module.__loader__ = loader;
    system.execCodeModule('m', new CodeObject('/src/m.py', () => undefined), {
      loader: new CodeLoader(new CodeObject('x', () => 0)),
    });
    expect(module.__spec__).toBe(spec);
    expect(module.__loader__).toBe(loader);
  });

  it('takes the loader of an existing __spec__ when __loader__ is missing', () => {
    const { system } = memorySystem({});
    const module = system.addModule('m');
    const loader: Loader = { createModule: () => null, execModule: () => undefined };
    module.__spec__ = new ModuleSpec('m', loader);
    system.execCodeModule('m', new CodeObject('/src/m.py', () => undefined));
    expect(module.__loader__).toBe(loader);
  });

  it('always sets __file__ and __cached__, over what the module had', () => {
    const { system } = memorySystem({});
    const module = system.addModule('m');
    module.__file__ = '/old/m.py';
    module.__cached__ = '/old/m.pyc';
    system.execCodeModule('m', new CodeObject('/src/m.py', () => undefined), {
      pathname: '/new/m.py',
      cpathname: '/new/m.pyc',
    });
    expect(module.__file__).toBe('/new/m.py');
    expect(module.__cached__).toBe('/new/m.pyc');
  });

  it("defaults the pathname to the code object's filename (PyImport_ExecCodeModuleWithPathnames)", () => {
    const { system } = memorySystem({});
    const module = system.execCodeModule(
      'm',
      new CodeObject('/src/from-code.py', () => undefined),
    ) as ModuleType;
    expect(module.__file__).toBe('/src/from-code.py');
    expect(module.__spec__?.origin).toBe('/src/from-code.py');
  });

  it("uses the given pathname over the code object's filename", () => {
    const { system } = memorySystem({});
    const module = system.execCodeModule('m', new CodeObject('/src/from-code.py', () => undefined), {
      pathname: '/src/given.py',
    }) as ModuleType;
    expect(module.__file__).toBe('/src/given.py');
    expect(module.__spec__?.origin).toBe('/src/given.py');
  });

  it('sets __cached__ to null, and the spec has no cached file, without a cpathname', () => {
    const { system } = memorySystem({});
    const module = system.execCodeModule('m', new CodeObject('/src/m.py', () => undefined)) as ModuleType;
    expect(module.__cached__).toBeNull();
    expect(module.__spec__?.cached).toBeNull();
  });

  it('makes spec.cached the absolute cpathname, and __cached__ the cpathname as given', () => {
    const { system } = memorySystem({});
    const module = system.execCodeModule('m', new CodeObject('/src/m.py', () => undefined), {
      cpathname: 'cache/m.pyc',
    }) as ModuleType;
    expect(module.__cached__).toBe('cache/m.pyc');
    expect(module.__spec__?.cached).toBe(resolve('cache/m.pyc'));
  });

  it('sets the attributes before the code runs', () => {
    const { system } = memorySystem({});
    let seen: unknown[] = [];
    system.execCodeModule(
      'm',
      new CodeObject('/src/m.py', (m) => {
        seen = [m.__file__, m.__spec__ instanceof ModuleSpec, m.__loader__ !== null];
      }),
    );
    expect(seen).toEqual(['/src/m.py', true, true]);
  });
});

describe('execCodeModule() failure removes the entry (PyImport_ExecCodeModuleObject: remove_module)', () => {
  it('removes a new module and rethrows the error of the code', () => {
    const { system } = memorySystem({});
    const boom = new Error('boom');
    const error = thrownBy(() =>
      system.execCodeModule(
        'm',
        new CodeObject('/src/m.py', () => {
          throw boom;
        }),
      ),
    );
    expect(error).toBe(boom);
    expect(system.modules.has('m')).toBe(false);
  });

  it('removes the name even if a module was there before (restoring it is the caller’s job)', () => {
    const { system } = memorySystem({ m: () => undefined });
    const before = system.importModule('m');
    expect(() =>
      system.execCodeModule(
        'm',
        new CodeObject('/src/m.py', () => {
          throw new Error('boom');
        }),
      ),
    ).toThrow('boom');
    expect(system.modules.has('m')).toBe(false);
    expect(before).toBeInstanceOf(ModuleType);
  });

  it('refuses code that returns a promise with RequireAsyncError and removes the entry', async () => {
    const { system } = memorySystem({});
    system.addModule('m');
    const error = thrownBy<RequireAsyncError>(() =>
      system.execCodeModule(
        'm',
        new CodeObject('/src/m.py', async () => {
          await sleep(0);
          throw new Error('late failure, never unhandled');
        }),
      ),
    );
    expect(error).toBeInstanceOf(RequireAsyncError);
    expect(error.code).toBe(ErrorCodes.REQUIRE_ASYNC);
    expect(error.moduleName).toBe('m');
    expect(system.modules.has('m')).toBe(false);
    await sleep(0);
    await sleep(0);
  });
});
