/**
 * The loader protocol (PEP 451, with the legacy PEP 302 `loadModule`), and the loader the core
 * itself needs: {@link CodeLoader}, which executes a {@link CodeObject}.
 */
import type { CodeObject } from './code.js';
import type { ModuleType } from './module.js';
import type { ModuleSpec } from './spec.js';

/**
 * How a found module becomes a module object. A loader that implements `execModule` must also
 * implement `createModule` (returning `null` asks for the default module object), as in Python.
 * Only `loadModule` is needed for a legacy (PEP 302) loader.
 */
export interface Loader {
  /** Create the module object for `spec`, or return `null` for the default {@link ModuleType}. */
  createModule?(spec: ModuleSpec): object | null | undefined;
  /**
   * Execute the module's code in `module`. May return a promise: the async import path awaits it;
   * the sync path refuses it with a `RequireAsyncError`.
   */
  execModule?(module: ModuleType): void | PromiseLike<void>;
  /**
   * Legacy PEP 302: load the module named `fullname`, put it into the system's `modules` and return
   * it. Used (with an `ImportWarning` trace event) only when there is no `execModule`.
   */
  loadModule?(fullname: string): unknown;
  /** Tell whether `fullname` is a package (`InspectLoader.is_package`). */
  isPackage?(fullname: string): boolean;
  /** The source text of `fullname`, or `null` when there is none (`InspectLoader.get_source`). */
  getSource?(fullname: string): string | null;
  /** The code object of `fullname` (`InspectLoader.get_code`). */
  getCode?(fullname: string): CodeObject | null;
  /** The file `fullname` is loaded from (`ExecutionLoader.get_filename`). */
  getFilename?(fullname: string): string;
  /**
   * The compiled-cache file for a source at `origin`, or `null` when it has none. `ModuleSpec.cached`
   * asks this, lazily (Python's `_get_cached`).
   */
  getCached?(origin: string): string | null;
  /** Bytes of a data file next to the module (`ResourceLoader.get_data`). */
  getData?(path: string): Uint8Array;
  /** A resource reader for the package `fullname` (`importlib.resources`). */
  getResourceReader?(fullname: string): unknown;
}

/**
 * A loader that executes one {@link CodeObject}. `execCodeModule` gives it to modules whose code came
 * without a loader (Python puts a `SourceFileLoader` there; the core has no file system, so reloading
 * such a module re-runs the same code). Layers above pass a real loader instead.
 */
export class CodeLoader implements Loader {
  readonly code: CodeObject;
  readonly #isPackage: boolean;

  constructor(code: CodeObject, options: { isPackage?: boolean } = {}) {
    this.code = code;
    this.#isPackage = options.isPackage ?? false;
  }

  createModule(): null {
    return null;
  }

  execModule(module: ModuleType): void | PromiseLike<void> {
    return this.code.exec(module) as void | PromiseLike<void>;
  }

  getCode(): CodeObject {
    return this.code;
  }

  getFilename(): string {
    return this.code.filename;
  }

  isPackage(): boolean {
    return this.#isPackage;
  }

  getSource(): null {
    return null;
  }

  toString(): string {
    return `<CodeLoader for '${this.code.filename}'>`;
  }
}

/** Name a loader (or finder) for messages and traces: its `toString()` if it has its own, else its class. */
export function describeObject(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return value.name || 'anonymous function';
  if (typeof value !== 'object') return String(value);
  const own = (value as { toString?: unknown }).toString;
  if (typeof own === 'function' && own !== Object.prototype.toString) {
    try {
      return String(own.call(value));
    } catch {
      // fall through to the class name
    }
  }
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return ctor?.name && ctor.name !== 'Object' ? `<${ctor.name}>` : '<object>';
}
