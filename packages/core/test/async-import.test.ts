// The async import path: waiting on an initialising module, concurrent circular imports and the
// retry after a failed import (`_lock_unlock_module`, `_ModuleLockManager`, `_find_and_load`;
// docs/conformance.md#locks, docs/conformance.md#initializing-flag,
// docs/conformance.md#race-recheck), with import tasks in the part of Python's threads,
// RequireAsyncError for a sync import of an async module, and top-level-await-like bodies.
import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  ImportTask,
  RequireAsyncError,
  getCurrentTask,
  type ImportSystem,
  type ModuleType,
} from '@importlib/core';

import { deferred, memorySystem, noHang, settle, sleep } from './helpers.js';

describe('two tasks importing the same module (spec._initializing, _lock_unlock_module)', () => {
  function slowSystem() {
    const gate = deferred();
    const { system, finder } = memorySystem({
      m: async (m) => {
        m.started = true;
        await gate.promise;
        m.done = true;
      },
    });
    return { system, finder, open: () => gate.resolve() };
  }

  it('runs the body once and gives both tasks the same object', async () => {
    const { system, finder, open } = slowSystem();
    const first = system.importModuleAsync('m');
    const second = system.importModuleAsync('m');
    await settle();
    open();
    const [a, b] = await noHang(Promise.all([first, second]));
    expect(a).toBe(b);
    expect(a).toBe(system.modules.get('m'));
    expect(finder.loaders.get('m')?.runs).toBe(1);
  });

  it('makes the second task wait until the module is fully initialised', async () => {
    const { system, open } = slowSystem();
    const first = system.importModuleAsync('m');
    await settle(); // the body is now waiting, the module initialising
    let secondDone = false;
    const second = system.importModuleAsync('m').then((module) => {
      secondDone = true;
      return module as ModuleType;
    });
    await settle();
    expect(secondDone).toBe(false);
    open();
    const module = await noHang(second);
    expect(module.done).toBe(true);
    await first;
  });

  it('refuses a synchronous import of the module another task is still initialising (it cannot wait)', async () => {
    const { system, open } = slowSystem();
    const importing = system.importModuleAsync('m');
    await settle();
    expect(() => system.importModule('m')).toThrow(RequireAsyncError);
    open();
    const m = (await importing) as ModuleType;
    expect(m.done).toBe(true);
    expect(system.modules.get('m')).toBe(m);
  });
});

describe('a circular import across two tasks (_lock_unlock_module)', () => {
  /** A imports B and B imports A, each body started in its own task, both running before either imports. */
  async function crossTaskCycle() {
    const bothRunning = deferred();
    let running = 0;
    const seen: Record<string, { late: unknown }> = {};
    const body = (other: string) => async (m: ModuleType, sys: ImportSystem) => {
      m.early = true;
      if (++running === 2) bothRunning.resolve();
      await bothRunning.promise;
      const imported = (await sys.importModuleAsync(other)) as ModuleType;
      seen[String(m.__name__)] = { late: imported.late };
      m.other = imported;
      m.late = true;
    };
    const { system, finder } = memorySystem({ a: body('b'), b: body('a') });
    const [a, b] = (await noHang(
      Promise.all([system.importModuleAsync('a'), system.importModuleAsync('b')]),
      'a cross-task circular import',
    )) as [ModuleType, ModuleType];
    return { system, finder, a, b, seen };
  }

  it('never hangs, and exactly one side sees the other partly initialised', async () => {
    const { seen } = await crossTaskCycle();
    const partial = Object.values(seen).filter((view) => view.late === undefined);
    expect(Object.keys(seen).sort()).toEqual(['a', 'b']);
    expect(partial).toHaveLength(1);
  });

  it('runs each body once and links the two modules to each other', async () => {
    const { system, finder, a, b } = await crossTaskCycle();
    expect(finder.loaders.get('a')?.runs).toBe(1);
    expect(finder.loaders.get('b')?.runs).toBe(1);
    expect(a.other).toBe(b);
    expect(b.other).toBe(a);
    expect(system.modules.get('a')).toBe(a);
    expect(system.modules.get('b')).toBe(b);
    expect(system.activeModuleLocks).toBe(0);
  });
});

describe('a failed import observed by a waiting task (_find_and_load: retry)', () => {
  it('makes the waiter retry and report the failure of its own attempt', async () => {
    const gate = deferred();
    let runs = 0;
    const { system } = memorySystem({
      m: async () => {
        const run = ++runs;
        await gate.promise;
        throw new Error(`attempt ${run} failed`);
      },
    });
    const first = system.importModuleAsync('m');
    await settle(); // m is in modules and initialising
    const waiter = system.importModuleAsync('m');
    await settle();
    gate.resolve();
    await expect(first).rejects.toThrow('attempt 1 failed');
    await expect(noHang(waiter)).rejects.toThrow('attempt 2 failed'); // not a synthetic "not found" error
    expect(runs).toBe(2);
    expect(system.modules.has('m')).toBe(false);
  });

  it('gives the waiter the module when its retry succeeds', async () => {
    const gate = deferred();
    let runs = 0;
    const { system } = memorySystem({
      m: async (m) => {
        if (++runs === 1) {
          await gate.promise;
          throw new Error('first attempt failed');
        }
        m.ok = true;
      },
    });
    const first = system.importModuleAsync('m');
    await settle();
    const waiter = system.importModuleAsync('m');
    await settle();
    gate.resolve();
    await expect(first).rejects.toThrow('first attempt failed');
    const module = (await noHang(waiter)) as ModuleType;
    expect(module.ok).toBe(true);
    expect(system.modules.get('m')).toBe(module);
  });
});

describe('imports made by module code belong to its task', () => {
  it("runs module code's nested importModuleAsync as a child task of the import that runs it", async () => {
    const tasks: Record<string, ImportTask | null> = {};
    const { system } = memorySystem({
      outer: async (m, sys) => {
        tasks.outer = getCurrentTask();
        await sleep(0);
        await sys.importModuleAsync('inner');
        tasks.afterInner = getCurrentTask();
      },
      inner: async () => {
        await sleep(0);
        tasks.inner = getCurrentTask();
      },
      separate: () => {
        tasks.separate = getCurrentTask();
      },
    });
    expect(getCurrentTask()).toBeNull();
    await Promise.all([system.importModuleAsync('outer'), system.importModuleAsync('separate')]);
    expect(tasks.outer).toBeInstanceOf(ImportTask);
    expect(tasks.inner).toBeInstanceOf(ImportTask);
    expect(tasks.inner).not.toBe(tasks.outer);
    expect(tasks.inner?.parent).toBe(tasks.outer);
    expect(tasks.afterInner).toBe(tasks.outer);
    expect(tasks.separate).toBeInstanceOf(ImportTask);
    expect(tasks.separate?.descendsFrom(tasks.outer as ImportTask)).toBe(false);
    expect(getCurrentTask()).toBeNull();
  });

  it('makes concurrent imports started by one module wait for each other, like threads', async () => {
    // Promise.all([import('a'), import('b')]) in module code, where a and b both import the slow c:
    // the second import of c must wait for c to finish, not get it half made.
    const seen: Record<string, unknown> = {};
    const { system, finder } = memorySystem({
      main: async (_m, sys) => {
        await Promise.all([sys.importModuleAsync('a'), sys.importModuleAsync('b')]);
      },
      a: async (m, sys) => {
        seen.a = ((await sys.importModuleAsync('c')) as ModuleType).done;
      },
      b: async (m, sys) => {
        await sleep(0);
        seen.b = ((await sys.importModuleAsync('c')) as ModuleType).done;
      },
      c: async (m) => {
        await sleep(10);
        m.done = true;
      },
    });
    await noHang(system.importModuleAsync('main'));
    expect(seen).toEqual({ a: true, b: true });
    expect(finder.loaders.get('c')?.runs).toBe(1);
  });

  it('gives a circular import through a child task the partial module instead of hanging', async () => {
    // a awaits import('b'); b awaits import('a'): b runs in a child task of a's, and a is its ancestor.
    const { system } = memorySystem({
      a: async (m, sys) => {
        m.early = true;
        m.b = await sys.importModuleAsync('b');
        m.late = true;
      },
      b: async (m, sys) => {
        const a = (await sys.importModuleAsync('a')) as ModuleType;
        m.sawEarly = a.early;
        m.sawLate = a.late;
      },
    });
    const a = (await noHang(system.importModuleAsync('a'))) as ModuleType;
    expect(a.late).toBe(true);
    expect((a.b as ModuleType).sawEarly).toBe(true);
    expect((a.b as ModuleType).sawLate).toBeUndefined();
  });

  it('gives a circular import within one task the partial module at once', async () => {
    const seen: unknown[] = [];
    const { system, finder } = memorySystem({
      a: async (m, sys) => {
        m.early = 1;
        await sys.importModuleAsync('b');
        m.late = 1;
      },
      b: async (m, sys) => {
        await sleep(0);
        const a = (await sys.importModuleAsync('a')) as ModuleType;
        seen.push(a.early, a.late);
      },
    });
    await noHang(system.importModuleAsync('a'), 'a same-task cycle');
    expect(seen).toEqual([1, undefined]);
    expect(finder.loaders.get('a')?.runs).toBe(1);
  });
});

describe('RequireAsyncError: a synchronous import of a module whose loader returns a promise', () => {
  it('throws RequireAsyncError (ERR_IMPORTLIB_REQUIRE_ASYNC) naming the module', () => {
    const { system } = memorySystem({ tla: async () => sleep(0) });
    let caught: unknown;
    try {
      system.importModule('tla');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RequireAsyncError);
    expect((caught as RequireAsyncError).code).toBe(ErrorCodes.REQUIRE_ASYNC);
    expect((caught as RequireAsyncError).moduleName).toBe('tla');
    expect((caught as Error).message).toMatch(/importModuleAsync/);
  });

  it('leaves no registry entry, and the parent keeps no attribute for it', () => {
    const { system } = memorySystem({ pkg: { package: true }, 'pkg.tla': async () => sleep(0) });
    expect(() => system.importModule('pkg.tla')).toThrow(RequireAsyncError);
    expect(system.modules.has('pkg.tla')).toBe(false);
    expect(system.modules.has('pkg')).toBe(true);
    expect(Object.keys(system.modules.get('pkg') as object)).not.toContain('tla');
  });

  it('does not turn a later rejection of the refused body into an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { system } = memorySystem({
        tla: async () => {
          await sleep(0);
          throw new Error('late failure');
        },
      });
      expect(() => system.importModule('tla')).toThrow(RequireAsyncError);
      await settle(5);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('lets the same module be imported afterwards with importModuleAsync', async () => {
    const { system } = memorySystem({
      tla: async (m) => {
        await sleep(0);
        m.value = 1;
      },
    });
    expect(() => system.importModule('tla')).toThrow(RequireAsyncError);
    const module = (await system.importModuleAsync('tla')) as ModuleType;
    expect(module.value).toBe(1);
    expect(system.importModule('tla')).toBe(module); // now a plain registry hit
  });
});

describe('top-level-await-like bodies', () => {
  it('imports a body that awaits through importModuleAsync, with what it set after the await', async () => {
    const { system } = memorySystem({
      tla: async (m) => {
        m.before = true;
        await sleep(0);
        m.after = true;
      },
    });
    const module = (await system.importModuleAsync('tla')) as ModuleType;
    expect(module.before).toBe(true);
    expect(module.after).toBe(true);
    expect(system.modules.get('tla')).toBe(module);
  });

  it('imports an awaiting child of a package, binding it on the parent (importAsync returns the top package)', async () => {
    const { system } = memorySystem({
      pkg: { package: true, body: async () => sleep(0) },
      'pkg.tla': async (m) => {
        await sleep(0);
        m.ready = true;
      },
    });
    const top = (await system.__importAsync__('pkg.tla')) as ModuleType;
    expect(top).toBe(system.modules.get('pkg'));
    expect((top.tla as ModuleType).ready).toBe(true);
  });

  it('reloads such a body through reloadAsync, re-running it in the same object', async () => {
    const { system, finder } = memorySystem({
      tla: async (m) => {
        await sleep(0);
        m.count = ((m.count as number | undefined) ?? 0) + 1;
      },
    });
    const module = (await system.importModuleAsync('tla')) as ModuleType;
    const reloaded = await system.reloadAsync(module);
    expect(reloaded).toBe(module);
    expect(module.count).toBe(2);
    expect(finder.loaders.get('tla')?.runs).toBe(2);
  });

  it('refuses a synchronous reload of such a body with RequireAsyncError, keeping the module in modules', async () => {
    const { system } = memorySystem({ tla: async () => sleep(0) });
    const module = await system.importModuleAsync('tla');
    expect(() => system.reload(module)).toThrow(RequireAsyncError);
    expect(system.modules.get('tla')).toBe(module);
  });

  it('makes a concurrent reloadAsync and importModuleAsync of the same module see the reloaded module', async () => {
    const gate = deferred();
    const { system } = memorySystem({
      tla: async (m) => {
        m.generation = ((m.generation as number | undefined) ?? 0) + 1;
        if (m.generation === 2) await gate.promise;
      },
    });
    const module = await system.importModuleAsync('tla');
    const reloading = system.reloadAsync(module);
    const importing = system.importModuleAsync('tla'); // present and not initialising: a plain hit
    gate.resolve();
    const [reloaded, imported] = await noHang(Promise.all([reloading, importing]));
    expect(reloaded).toBe(module);
    expect(imported).toBe(module);
    expect((module as ModuleType).generation).toBe(2);
  });
});
