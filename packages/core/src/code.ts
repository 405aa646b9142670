/**
 * The code object: what a loader produces from source or from the compiled cache, and what the core
 * runs. It is opaque to the core: a file name, and a function that executes the code with the
 * module object as its namespace. `execCodeModule` takes one.
 */
import type { ModuleType } from './module.js';

/** Run compiled code with `module` as its namespace; may return a promise (top-level `await`). */
export type CodeRunner = (module: ModuleType) => unknown;

/** Compiled code ready to execute into a module's namespace (Python's code object). */
export class CodeObject {
  /** The file the code came from (Python's `co_filename`); `'<string>'` when it has none. */
  readonly filename: string;
  /** What the code object runs. */
  readonly #run: CodeRunner;

  constructor(filename: string, run: CodeRunner) {
    if (typeof run !== 'function') throw new TypeError('CodeObject needs a function to run');
    this.filename = filename;
    this.#run = run;
  }

  /** Execute the code with `module` as its namespace; returns what the code returns (a promise for async code). */
  exec(module: ModuleType): unknown {
    return this.#run(module);
  }

  toString(): string {
    return `<code object at '${this.filename}'>`;
  }
}

/** Tell whether `value` is a promise-like (what an async loader or code object returns). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
