/**
 * The two drivers of the import algorithm. The algorithm is written once, as generators that yield
 * only the promises they must wait for (module code that awaits, module locks, the global lock). The
 * synchronous driver refuses to wait; the asynchronous one awaits. So both paths share every rule,
 * error and trace event.
 */
import type { ImportTask } from './locks.js';

/** One operation of the algorithm: a generator yielding the promises it waits for, returning a `T`. */
export type Op<T> = Generator<PromiseLike<unknown>, T, unknown>;

/** Which path runs an operation: the synchronous one (no task, never waits) or an async import task. */
export interface Ctx {
  readonly async: boolean;
  readonly task: ImportTask | null;
}

/** The context of the synchronous path. */
export const SYNC: Ctx = { async: false, task: null };

/** Run `op` to its end without waiting: an operation that yields on the sync path is an internal error. */
export function runSync<T>(op: Op<T>): T {
  const step = op.next();
  if (!step.done) throw new Error('internal error: the synchronous import path tried to wait');
  return step.value;
}

/** Run `op`, awaiting each promise it yields and handing back its value (or throwing its rejection into it). */
export async function runAsync<T>(op: Op<T>): Promise<T> {
  let step = op.next();
  while (!step.done) {
    let value: unknown;
    try {
      value = await step.value;
    } catch (error) {
      step = op.throw(error);
      continue;
    }
    step = op.next(value);
  }
  return step.value;
}

/** Keep a promise the sync path could not await from becoming an unhandled rejection. */
export function abandon(promise: PromiseLike<unknown>): void {
  void Promise.resolve(promise).catch(() => undefined);
}
