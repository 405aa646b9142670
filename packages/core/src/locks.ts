/**
 * Locks of the import system (Python's `_ModuleLock`, `_has_deadlocked`, `_blocking_on`, and the
 * global import lock of `_imp`).
 *
 * JavaScript has one thread, but async imports interleave: an import task suspended while its module
 * awaits can be overtaken by another task importing the same module. An *import task* plays the part
 * of a Python thread. Every `importModuleAsync` call runs as a new task, a child of the task it was
 * called from (tracked with `AsyncLocalStorage`), so concurrent sub-imports started by one module
 * (`Promise.all([import('a'), import('b')])`) wait for each other like threads would. A lock held by an
 * *ancestor* counts as the caller's own: the ancestor is (almost always) awaiting its descendants, so
 * waiting for it could never end, and a circular import gets the partly filled module instead, as a
 * single Python thread does. Synchronous imports never wait (they cannot): they run to completion and
 * need no module lock.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import { DeadlockError, ImportLockError } from './errors.js';

let nextTaskId = 1;

/** One chain of imports that runs as a unit (Python's thread, for the import system's locks). */
export class ImportTask {
  readonly id = nextTaskId++;
  /** The task that started this one, or `null` when the outermost code did. */
  readonly parent: ImportTask | null;
  /** The tasks this one started that are still running. */
  readonly children = new Set<ImportTask>();
  /** The module locks this task is waiting for (Python's `_blocking_on[tid]`). */
  readonly blockingOn = new Set<ModuleLock>();

  constructor(parent: ImportTask | null) {
    this.parent = parent;
    parent?.children.add(this);
  }

  /** Tell whether this task is `other` or was started (directly or not) by it. */
  descendsFrom(other: ImportTask): boolean {
    if (this === other) return true;
    for (let task = this.parent; task; task = task.parent) if (task === other) return true;
    return false;
  }

  /** Mark the task finished: its parent no longer counts it among the tasks it waits for. */
  finish(): void {
    this.parent?.children.delete(this);
  }

  toString(): string {
    return `<import task ${this.id}>`;
  }
}

const currentTask = new AsyncLocalStorage<ImportTask>();

/** The import task the caller runs in, or `null` outside any async import. */
export function getCurrentTask(): ImportTask | null {
  return currentTask.getStore() ?? null;
}

/** Run `fn` as a new import task, a child of the caller's task (if any). */
export async function runInNewTask<T>(fn: (task: ImportTask) => Promise<T>): Promise<T> {
  const task = new ImportTask(getCurrentTask());
  try {
    return await currentTask.run(task, () => fn(task));
  } finally {
    task.finish();
  }
}

/** The locks `task` and the tasks it started are waiting for: what `task` itself is stuck behind. */
function locksAwaitedBy(task: ImportTask, into: ModuleLock[] = []): ModuleLock[] {
  into.push(...task.blockingOn);
  for (const child of task.children) locksAwaitedBy(child, into);
  return into;
}

/**
 * Tell whether waiting for a lock owned by `owners` would make `me` wait on itself: follow what each
 * owner (or a task it started, which it is presumably awaiting) waits for, and their owners, and so on
 * (Python's `_has_deadlocked`). Reaching `me` or one of its ancestors closes the loop.
 */
function hasDeadlocked(me: ImportTask, owners: Iterable<ImportTask | null>, seen: Set<ImportTask>): boolean {
  for (const owner of owners) {
    if (owner === null) continue;
    if (me.descendsFrom(owner)) return true;
    if (seen.has(owner)) continue;
    seen.add(owner);
    const awaited = locksAwaitedBy(owner);
    if (
      awaited.length &&
      hasDeadlocked(
        me,
        awaited.map((lock) => lock.owner),
        seen,
      )
    )
      return true;
  }
  return false;
}

/**
 * A reentrant lock for one module name (Python's `_ModuleLock`). Its owner, and any task the owner
 * started, may take it again (a circular import); another task waits, unless waiting would deadlock,
 * in which case {@link DeadlockError} is thrown.
 */
export class ModuleLock {
  readonly name: string;
  owner: ImportTask | null = null;
  count = 0;
  readonly #waiters: Array<() => void> = [];
  /** Tasks waiting for the lock, counted until a woken one has run again (it still needs this lock). */
  #waiting = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Tell whether anyone holds or waits for this lock (an unused lock is dropped from the table). */
  get inUse(): boolean {
    return this.count > 0 || this.#waiting > 0;
  }

  /** Take the lock for `task`, waiting while another task holds it. */
  async acquire(task: ImportTask): Promise<void> {
    for (;;) {
      if (this.count === 0) this.owner = task;
      if (this.owner !== null && task.descendsFrom(this.owner)) {
        this.count++;
        return;
      }
      if (hasDeadlocked(task, [this.owner], new Set())) throw new DeadlockError(this.name);
      task.blockingOn.add(this);
      this.#waiting++;
      try {
        await new Promise<void>((wake) => this.#waiters.push(wake));
      } finally {
        this.#waiting--;
        task.blockingOn.delete(this);
      }
    }
  }

  /** Release one hold of the lock; wakes the next waiter when it is free. */
  release(task: ImportTask): void {
    if (this.owner === null || this.count === 0 || !task.descendsFrom(this.owner)) {
      throw new ImportLockError(`cannot release un-acquired lock for module '${this.name}'`);
    }
    this.count--;
    if (this.count === 0) {
      this.owner = null;
      this.#waiters.shift()?.();
    }
  }

  toString(): string {
    return `<ModuleLock '${this.name}'>`;
  }
}

/**
 * The table of module locks of one system. An entry exists only while some task holds or waits for
 * the lock (Python keeps weak references; we drop the entry on the last release).
 */
export class ModuleLockTable {
  readonly #locks = new Map<string, ModuleLock>();

  /** The number of locks currently held or waited for. */
  get size(): number {
    return this.#locks.size;
  }

  /** The lock for `name`, made on first use. */
  get(name: string): ModuleLock {
    let lock = this.#locks.get(name);
    if (!lock) {
      lock = new ModuleLock(name);
      this.#locks.set(name, lock);
    }
    return lock;
  }

  /** The task holding the lock of `name`, or `null` when nobody holds it. */
  ownerOf(name: string): ImportTask | null {
    const lock = this.#locks.get(name);
    return lock && lock.count > 0 ? lock.owner : null;
  }

  /** Drop the lock of `name` from the table when nobody uses it any more. */
  prune(lock: ModuleLock): void {
    if (!lock.inUse && this.#locks.get(lock.name) === lock) this.#locks.delete(lock.name);
  }

  /**
   * Take `name`'s lock for `task`, waiting while another task holds it. A take that fails (a
   * {@link DeadlockError}) leaves no entry behind.
   */
  async acquire(name: string, task: ImportTask): Promise<ModuleLock> {
    const lock = this.get(name);
    try {
      await lock.acquire(task);
    } catch (error) {
      this.prune(lock);
      throw error;
    }
    return lock;
  }

  /** Release one hold of `lock` and drop it from the table once nobody uses it. */
  release(lock: ModuleLock, task: ImportTask): void {
    lock.release(task);
    this.prune(lock);
  }

  /** Take `name`'s lock for `task`, run `fn`, release (Python's `_ModuleLockManager`). */
  async with<T>(name: string, task: ImportTask, fn: () => Promise<T>): Promise<T> {
    const lock = await this.acquire(name, task);
    try {
      return await fn();
    } finally {
      this.release(lock, task);
    }
  }

  /**
   * Wait until the module `name` is no longer being initialised by another task (Python's
   * `_lock_unlock_module`). If waiting would deadlock (a cycle across tasks), return at once: the
   * caller then gets the partially initialised module, as Python's threads do.
   */
  async waitFor(name: string, task: ImportTask): Promise<boolean> {
    let lock: ModuleLock;
    try {
      lock = await this.acquire(name, task);
    } catch (error) {
      if (error instanceof DeadlockError) return false;
      throw error;
    }
    this.release(lock, task);
    return true;
  }
}

/** The identity that holds the global lock when no import task is running: the outermost code. */
const ROOT = 'root';
type Holder = ImportTask | typeof ROOT;

/**
 * The global reentrant import lock (Python's `imp.acquire_lock` / `release_lock` / `lock_held`).
 * It guards each finder call of every import: while an import task holds it, the imports of tasks it
 * did not start wait before asking any finder (sync ones, which cannot wait, throw `ImportLockError`).
 * A task started by the holder counts as the holder, as code of one thread would in Python, so
 * `acquireLock(); await importModuleAsync(...)` does not hang. For the same reason the lock taken by
 * the outermost code (outside any import task) blocks no import: every task descends from that code.
 * Taking it there still makes `lockHeld()` true and nests with the imports' own use of it.
 */
export class GlobalImportLock {
  #owner: Holder | null = null;
  #count = 0;
  readonly #waiters: Array<() => void> = [];

  /** Tell whether any task holds the lock (Python's `lock_held()`). */
  get held(): boolean {
    return this.#count > 0;
  }

  /** Tell whether the calling code holds the lock, or may act as its holder. */
  ownedByCaller(): boolean {
    if (this.#owner === null) return false;
    if (this.#owner === ROOT) return true; // the outermost code started every task
    for (let task = getCurrentTask(); task; task = task.parent) if (task === this.#owner) return true;
    return false;
  }

  /** Tell whether the lock is free for the caller (free, or held by the caller). */
  availableToCaller(): boolean {
    return this.#count === 0 || this.ownedByCaller();
  }

  /**
   * Take the lock without waiting. Throws {@link ImportLockError} when another import task holds it
   * (a synchronous caller cannot wait; use {@link acquireAsync}).
   */
  acquire(): void {
    if (!this.availableToCaller()) {
      throw new ImportLockError(
        'the import lock is held by another import task; a synchronous caller cannot wait for it (use acquireLockAsync())',
      );
    }
    if (this.#count === 0) this.#owner = getCurrentTask() ?? ROOT;
    this.#count++;
  }

  /** Take the lock, waiting while another import task holds it. */
  async acquireAsync(): Promise<void> {
    await this.waitAvailable();
    this.acquire();
  }

  /** Wait until the caller may use the lock (it is free or the caller holds it). */
  async waitAvailable(): Promise<void> {
    while (!this.availableToCaller()) await new Promise<void>((wake) => this.#waiters.push(wake));
  }

  /** Release one hold. Throws {@link ImportLockError} when the caller does not hold the lock. */
  release(): void {
    if (this.#count === 0 || !this.ownedByCaller()) throw new ImportLockError('not holding the import lock');
    this.#count--;
    if (this.#count === 0) {
      this.#owner = null;
      for (const wake of this.#waiters.splice(0)) wake();
    }
  }
}
