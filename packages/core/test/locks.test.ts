// Module locks (docs/conformance.md#locks; CPython `_ModuleLock`, `_has_deadlocked`,
// `_ImportLockContext`; tests: `test_locks.py`): module locks, the lock table, deadlock detection
// and the global import lock. Python threads are import tasks here: each `importModuleAsync` call
// made outside a running import starts one, and module code's own imports belong to it.
import { describe, expect, it } from 'vitest';

import {
  DeadlockError,
  ErrorCodes,
  ImportLockError,
  ImportTask,
  ModuleLock,
  ModuleLockTable,
  type ModuleType,
} from '@importlib/core';

import { deferred, memorySystem, type ModuleDef, noHang, settle, sleep } from './helpers.js';

describe('module locks are re-entrant per import task (_ModuleLock)', () => {
  it('lets the owning task take a module lock again, and frees it after as many releases', async () => {
    const lock = new ModuleLock('m');
    const task = new ImportTask(null);
    await lock.acquire(task);
    await noHang(lock.acquire(task), 'a re-entrant acquire');
    expect(lock.count).toBe(2);
    lock.release(task);
    expect(lock.owner).toBe(task);
    lock.release(task);
    expect(lock.owner).toBeNull();
    expect(lock.inUse).toBe(false);
  });

  it('makes another task wait until the owner has released every hold', async () => {
    const lock = new ModuleLock('m');
    const first = new ImportTask(null);
    const second = new ImportTask(null);
    await lock.acquire(first);
    await lock.acquire(first);
    let acquired = false;
    const waiting = lock.acquire(second).then(() => (acquired = true));
    await settle();
    expect(acquired).toBe(false);
    lock.release(first);
    await settle();
    expect(acquired).toBe(false);
    lock.release(first);
    await noHang(waiting);
    expect(lock.owner).toBe(second);
  });

  it('records the lock a waiting task blocks on, and forgets it once the task has the lock', async () => {
    const lock = new ModuleLock('m');
    const first = new ImportTask(null);
    const second = new ImportTask(null);
    await lock.acquire(first);
    const waiting = lock.acquire(second);
    expect([...second.blockingOn]).toEqual([lock]);
    lock.release(first);
    await noHang(waiting);
    expect(second.blockingOn.size).toBe(0);
  });

  it('refuses a release by a task that does not own the lock, with ImportLockError', async () => {
    const lock = new ModuleLock('m');
    const owner = new ImportTask(null);
    const other = new ImportTask(null);
    expect(() => lock.release(owner)).toThrow(ImportLockError);
    await lock.acquire(owner);
    let caught: unknown;
    try {
      lock.release(other);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImportLockError);
    expect((caught as ImportLockError).code).toBe(ErrorCodes.LOCK);
    expect(lock.owner).toBe(owner);
  });

  it('lets a circular import within one task re-take the module lock and get the partial module', async () => {
    let seen: { early: unknown; late: unknown } | undefined;
    const { system } = memorySystem({
      a: async (m, sys) => {
        m.early = true;
        await sys.importModuleAsync('b');
        m.late = true;
      },
      b: async (m, sys) => {
        const a = (await sys.importModuleAsync('a')) as ModuleType;
        seen = { early: a.early, late: a.late };
      },
    });
    const a = (await noHang(system.importModuleAsync('a'), 'a same-task circular import')) as ModuleType;
    expect(seen).toEqual({ early: true, late: undefined });
    expect(a.late).toBe(true);
  });
});

describe('the lock table holds a lock only while someone holds or waits for it (_ModuleLock)', () => {
  it('has no module lock once the async imports are done', async () => {
    const gate = deferred();
    const { system } = memorySystem({
      slow: async () => {
        await gate.promise;
      },
      pkg: { package: true },
      'pkg.mod': () => undefined,
    });
    const importing = system.importModuleAsync('slow');
    await settle();
    expect(system.activeModuleLocks).toBeGreaterThan(0);
    gate.resolve();
    await importing;
    await system.importModuleAsync('pkg.mod');
    expect(system.activeModuleLocks).toBe(0);
  });

  it('has no module lock after failed, concurrent and circular async imports', async () => {
    const { system } = memorySystem({
      bad: () => {
        throw new Error('boom');
      },
      a: async (m, sys) => {
        await sleep(0);
        await sys.importModuleAsync('b');
      },
      b: async (m, sys) => {
        await sys.importModuleAsync('a');
      },
    });
    await expect(system.importModuleAsync('bad')).rejects.toThrow('boom');
    await noHang(Promise.all([system.importModuleAsync('a'), system.importModuleAsync('b')]));
    await noHang(system.reloadAsync(system.modules.get('a')));
    expect(system.activeModuleLocks).toBe(0);
  });

  it('drops an entry on the last release, and keeps it while a woken waiter has yet to take it', async () => {
    const table = new ModuleLockTable();
    const lock = table.get('m');
    const first = new ImportTask(null);
    const second = new ImportTask(null);
    await lock.acquire(first);
    const waiting = lock.acquire(second);
    lock.release(first); // wakes `second`, which has not run yet
    table.prune(lock);
    expect(table.get('m')).toBe(lock); // one lock per name, or two tasks could hold "the" lock at once
    await noHang(waiting);
    expect(lock.owner).toBe(second);
    lock.release(second);
    table.prune(lock);
    expect(table.size).toBe(0);
  });

  it('makes a task arriving during a retried import wait for it instead of taking the module partly filled', async () => {
    let runs = 0;
    const firstGate = deferred();
    const secondGate = deferred();
    const { system } = memorySystem({
      m: async (m) => {
        runs++;
        if (runs === 1) {
          await firstGate.promise;
          throw new Error('first attempt fails');
        }
        await secondGate.promise;
        m.done = true;
      },
    });
    const first = system.importModuleAsync('m');
    const second = system.importModuleAsync('m'); // waits for the first task's module lock
    firstGate.resolve();
    await expect(first).rejects.toThrow('first attempt fails');
    await settle();
    expect(runs).toBe(2); // the waiting task retried
    const third = system.importModuleAsync('m');
    let thirdDone = false;
    void third.then(() => (thirdDone = true));
    await settle();
    expect(thirdDone).toBe(false); // it waits for the second task's import
    secondGate.resolve();
    const [fromSecond, fromThird] = (await noHang(Promise.all([second, third]))) as [ModuleType, ModuleType];
    expect(fromThird).toBe(fromSecond);
    expect(fromThird.done).toBe(true);
    expect(runs).toBe(2);
    expect(system.activeModuleLocks).toBe(0);
  });

  it('runs the body of ModuleLockTable.with() holding the lock, and drops the entry afterwards', async () => {
    const table = new ModuleLockTable();
    const task = new ImportTask(null);
    const result = await table.with('m', task, async () => {
      expect(table.get('m').owner).toBe(task);
      return 42;
    });
    expect(result).toBe(42);
    expect(table.size).toBe(0);
  });
});

describe('deadlock detection (_has_deadlocked)', () => {
  /** Each task takes its first lock, then (once all have) its second; returns who got DeadlockError. */
  async function runPairs(
    pairs: Array<[ModuleLock, ModuleLock]>,
  ): Promise<{ deadlocked: boolean[]; tasks: ImportTask[] }> {
    const tasks = pairs.map(() => new ImportTask(null));
    await Promise.all(pairs.map(([first], i) => first.acquire(tasks[i] as ImportTask)));
    const deadlocked = await noHang(
      Promise.all(
        pairs.map(async ([first, second], i) => {
          const task = tasks[i] as ImportTask;
          let failed = false;
          try {
            await second.acquire(task);
            second.release(task);
          } catch (error) {
            if (!(error instanceof DeadlockError)) throw error;
            failed = true;
          }
          first.release(task);
          return failed;
        }),
      ),
      'the lock pairs',
    );
    return { deadlocked, tasks };
  }

  it('gives at least one task of a ring of 10 a DeadlockError, and every task completes', async () => {
    const locks = Array.from({ length: 10 }, (_, i) => new ModuleLock(`m${i}`));
    const pairs = locks.map((lock, i): [ModuleLock, ModuleLock] => [
      lock,
      locks[(i + 1) % locks.length] as ModuleLock,
    ]);
    const { deadlocked, tasks } = await runPairs(pairs);
    expect(deadlocked).toHaveLength(10);
    expect(deadlocked.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(locks.every((lock) => !lock.inUse)).toBe(true);
    expect(tasks.every((task) => task.blockingOn.size === 0)).toBe(true); // no waiter state left behind (_blocking_on, GH-106176)
  });

  it('gives no task of a chain of 9 a DeadlockError, and every task completes', async () => {
    const locks = Array.from({ length: 10 }, (_, i) => new ModuleLock(`m${i}`));
    const pairs = locks
      .slice(0, 9)
      .map((lock, i): [ModuleLock, ModuleLock] => [lock, locks[i + 1] as ModuleLock]);
    const { deadlocked } = await runPairs(pairs);
    expect(deadlocked).toEqual(Array.from({ length: 9 }, () => false));
    expect(locks.every((lock) => !lock.inUse)).toBe(true);
  });

  it('makes DeadlockError a plain Error (not an ImportError) with a stable code and the module name', async () => {
    const a = new ModuleLock('a');
    const b = new ModuleLock('b');
    const one = new ImportTask(null);
    const two = new ImportTask(null);
    await a.acquire(one);
    await b.acquire(two);
    const waiting = a.acquire(two);
    let caught: unknown;
    try {
      await b.acquire(one);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DeadlockError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as DeadlockError).code).toBe('ERR_IMPORTLIB_DEADLOCK');
    expect((caught as DeadlockError).moduleName).toBe('b');
    expect((caught as Error).message).toMatch(/deadlock detected.*'b'/);
    a.release(one);
    await noHang(waiting);
  });

  it('lets ModuleLockTable.waitFor() return false instead of deadlocking (_lock_unlock_module)', async () => {
    const table = new ModuleLockTable();
    const one = new ImportTask(null);
    const two = new ImportTask(null);
    await table.get('a').acquire(one);
    await table.get('b').acquire(two);
    const oneWaits = table.get('b').acquire(one);
    expect(await noHang(table.waitFor('a', two))).toBe(false);
    table.get('b').release(two);
    await noHang(oneWaits);
    table.get('b').release(one);
    table.get('a').release(one);
    table.prune(table.get('a'));
    table.prune(table.get('b'));
    expect(await table.waitFor('a', two)).toBe(true); // free: taken and released at once
    expect(table.size).toBe(0);
  });

  it('lets DeadlockError reach module code when the lock is taken before the module exists (_ModuleLockManager)', async () => {
    const gate = deferred();
    const { system } = memorySystem({
      p: {
        package: true,
        body: async (m, sys) => {
          await gate.promise;
          try {
            await sys.importModuleAsync('p.x');
          } catch (error) {
            m.error = error;
          }
        },
      },
      'p.x': () => undefined,
    });
    const parent = system.importModuleAsync('p'); // task 1 runs p's body, which waits at the gate
    await settle();
    const child = system.importModuleAsync('p.x'); // task 2 holds p.x's lock and waits for p
    await settle();
    gate.resolve(); // task 1 now wants p.x's lock, held by task 2, which waits for task 1
    const [p, x] = (await noHang(Promise.all([parent, child]))) as [ModuleType, ModuleType];
    expect(p.error).toBeInstanceOf(DeadlockError);
    expect((p.error as DeadlockError).moduleName).toBe('p.x');
    expect(x).toBe(system.modules.get('p.x'));
    expect(system.activeModuleLocks).toBe(0);
  });
});

describe('the global import lock (_ImportLockContext, _imp.release_lock)', () => {
  it('nests acquireLock() and releaseLock(), and lockHeld() tells whether it is held', () => {
    const { system } = memorySystem({});
    expect(system.lockHeld()).toBe(false);
    system.acquireLock();
    system.acquireLock();
    expect(system.lockHeld()).toBe(true);
    system.releaseLock();
    expect(system.lockHeld()).toBe(true);
    system.releaseLock();
    expect(system.lockHeld()).toBe(false);
  });

  it("throws ImportLockError('not holding the import lock') for releaseLock() without holding it", () => {
    const { system } = memorySystem({});
    let caught: unknown;
    try {
      system.releaseLock();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImportLockError);
    expect((caught as ImportLockError).code).toBe('ERR_IMPORTLIB_LOCK');
    expect((caught as Error).message).toBe('not holding the import lock');
    system.acquireLock();
    system.releaseLock();
    expect(() => system.releaseLock()).toThrow(/not holding the import lock/);
  });

  it('holds the global lock around every finder call, and not after the import (_ImportLockContext)', () => {
    const { system } = memorySystem({ m: () => undefined });
    const heldDuringFind: boolean[] = [];
    system.metaPath.unshift({
      findSpec: () => {
        heldDuringFind.push(system.lockHeld());
        return null;
      },
    });
    system.importModule('m');
    expect(heldDuringFind).toEqual([true]);
    expect(system.lockHeld()).toBe(false);
  });

  /** A system whose module `holder` takes the global lock in its own task (on `hold()`) and keeps it until `release()`. */
  function holdingSystem(extra: Record<string, ModuleDef> = {}) {
    const order: string[] = [];
    const held = deferred();
    const gate = deferred();
    const { system, finder } = memorySystem({
      holder: async (m, sys) => {
        await sys.acquireLockAsync();
        order.push('holder took the lock');
        held.resolve();
        await gate.promise;
        order.push('holder releases');
        sys.releaseLock();
      },
      other: () => {
        order.push('other ran');
      },
      ...extra,
    });
    /** Start importing `holder` in a new task; resolves once the holder has taken the lock. */
    const hold = async (): Promise<{ holding: Promise<unknown> }> => {
      const holding = system.importModuleAsync('holder');
      await noHang(held.promise, 'taking the lock');
      return { holding }; // wrapped: awaiting `hold()` must not wait for the import itself
    };
    return { system, finder, order, hold, release: () => gate.resolve() };
  }

  it("reports lockHeld() to code outside the task that holds it (Python: 'any thread')", async () => {
    const { system, hold, release } = holdingSystem();
    const { holding } = await hold();
    expect(system.lockHeld()).toBe(true);
    release();
    await holding;
    expect(system.lockHeld()).toBe(false);
  });

  it("makes another task's importModuleAsync wait until the holding task releases the lock", async () => {
    const { system, finder, order, hold, release } = holdingSystem();
    const { holding } = await hold();
    const other = system.importModuleAsync('other');
    await settle();
    expect(finder.calls).not.toContain('other'); // no finder was asked while the lock was held
    expect(order).toEqual(['holder took the lock']);
    release();
    await noHang(Promise.all([holding, other]));
    expect(order).toEqual(['holder took the lock', 'holder releases', 'other ran']);
  });

  it('refuses a synchronous import from outside while an import task holds the lock', async () => {
    const { system, hold, release } = holdingSystem();
    const { holding } = await hold();
    let caught: unknown;
    try {
      system.importModule('other');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImportLockError);
    expect((caught as ImportLockError).code).toBe(ErrorCodes.LOCK);
    expect(system.modules.has('other')).toBe(false);
    expect(() => system.acquireLock()).toThrow(ImportLockError); // a synchronous caller cannot wait
    expect(() => system.releaseLock()).toThrow(/not holding the import lock/);
    release();
    await holding;
    expect(system.importModule('other')).toBe(system.modules.get('other'));
  });

  it('lets acquireLockAsync() from outside wait until the holding task releases the lock', async () => {
    const { system, order, hold, release } = holdingSystem();
    const { holding } = await hold();
    const acquiring = system.acquireLockAsync().then(() => order.push('outside took the lock'));
    await settle();
    expect(order).toEqual(['holder took the lock']);
    release();
    await noHang(Promise.all([holding, acquiring]));
    expect(order).toEqual(['holder took the lock', 'holder releases', 'outside took the lock']);
    system.releaseLock();
    expect(system.lockHeld()).toBe(false);
  });

  it('keeps an import waiting for the lock waiting when another task takes the lock first', async () => {
    const contenderGo = deferred();
    const contenderGate = deferred();
    const contenderRuns = deferred();
    const { system, order, hold, release } = holdingSystem({
      contender: async (m, sys) => {
        contenderRuns.resolve();
        await contenderGo.promise;
        await sys.acquireLockAsync();
        order.push('contender took the lock');
        await contenderGate.promise;
        order.push('contender releases');
        sys.releaseLock();
      },
    });
    const contending = system.importModuleAsync('contender');
    await contenderRuns.promise; // its body now waits for `contenderGo`
    const { holding } = await hold();
    const other = system.importModuleAsync('other'); // the first to wait for the lock
    void other.catch(() => undefined); // a failure is reported by `await other` below
    await settle();
    contenderGo.resolve(); // the contender's acquireLockAsync() is the second
    await settle();
    release(); // both wake; whoever takes the lock, the other must wait again, not fail
    await settle();
    contenderGate.resolve();
    await noHang(Promise.all([holding, other, contending]));
    expect(system.modules.get('other')).toBe(await other);
    const took = order.indexOf('contender took the lock');
    const released = order.indexOf('contender releases');
    const ran = order.indexOf('other ran');
    expect(took).toBeGreaterThan(-1);
    expect(ran < took || ran > released).toBe(true); // never inside the contender's hold
    expect(system.lockHeld()).toBe(false);
  });

  it('does not hang when the holder itself imports asynchronously: acquireLock(); await importModuleAsync()', async () => {
    const { system } = memorySystem({ m: async () => sleep(0) });
    system.acquireLock();
    try {
      await noHang(system.importModuleAsync('m'), 'an import made while holding the lock');
    } finally {
      system.releaseLock();
    }
    expect(system.modules.has('m')).toBe(true);
    expect(system.lockHeld()).toBe(false);
  });

  it('does not hang when module code holding the lock imports another module in its own task', async () => {
    const { system } = memorySystem({
      outer: async (m, sys) => {
        await sys.acquireLockAsync();
        try {
          m.inner = await sys.importModuleAsync('inner');
        } finally {
          sys.releaseLock();
        }
      },
      inner: async () => sleep(0),
    });
    const outer = (await noHang(system.importModuleAsync('outer'))) as ModuleType;
    expect(outer.inner).toBe(system.modules.get('inner'));
    expect(system.lockHeld()).toBe(false);
  });
});
