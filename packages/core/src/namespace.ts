/**
 * Namespace packages (PEP 420): the live `__path__` of a package made of portions found on several
 * path entries, and the loader such packages get.
 */
import { CodeObject } from './code.js';
import type { Loader } from './loader.js';
import type { ModuleSpec } from './spec.js';

/** What a {@link NamespacePath} asks to recompute itself. */
export interface NamespacePathSource {
  /** The path the package was searched on: `system.path` for a top-level name, else the parent's `__path__`. */
  parentPath(name: string): Iterable<string>;
  /** A counter bumped by `invalidateCaches()`: a change forces a recompute. */
  epoch(): number;
  /** Search `parentPath` for `name` again (the path finder's per-entry walk). */
  find(name: string, parentPath: readonly string[]): ModuleSpec | null;
}

/**
 * The `__path__` of a namespace package (Python's `_NamespacePath`). It recomputes its portions,
 * lazily on every read, whenever the parent path changed or `invalidateCaches()` ran, so a portion
 * added to `system.path` later is found without a reload. Iterate it, read `length`, index it, or
 * call `includes`; `[...path]` gives a plain array.
 */
export class NamespacePath implements Iterable<string> {
  readonly #name: string;
  readonly #source: NamespacePathSource;
  #path: string[];
  #lastParentPath: string[];
  #lastEpoch: number;
  readonly [index: number]: string | undefined;

  constructor(name: string, path: readonly string[], source: NamespacePathSource) {
    this.#name = name;
    this.#path = [...path];
    this.#source = source;
    this.#lastParentPath = [...source.parentPath(name)];
    this.#lastEpoch = source.epoch();
    // Index access (`path[0]`) must see the recomputed portions, so reads go through a proxy.
    return new Proxy(this, {
      get(target, key) {
        if (typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key)) return target.#recalculate()[Number(key)];
        // Getters (`length`) read private fields, which only the target has: not the proxy as receiver.
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
      has(target, key) {
        if (typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key))
          return Number(key) < target.#recalculate().length;
        return Reflect.has(target, key);
      },
    });
  }

  #recalculate(): string[] {
    const parentPath = [...this.#source.parentPath(this.#name)];
    const epoch = this.#source.epoch();
    if (!sameEntries(parentPath, this.#lastParentPath) || epoch !== this.#lastEpoch) {
      const spec = this.#source.find(this.#name, parentPath);
      // A spec with a loader means a regular package appeared: keep the old portions, as Python does.
      if (spec !== null && spec.loader === null && spec.submoduleSearchLocations) {
        const portions = [...spec.submoduleSearchLocations];
        if (portions.length) this.#path = portions;
      }
      this.#lastParentPath = parentPath;
      this.#lastEpoch = epoch;
    }
    return this.#path;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.#recalculate()[Symbol.iterator]();
  }

  get length(): number {
    return this.#recalculate().length;
  }

  /** Tell whether `entry` is one of the portions. */
  includes(entry: string): boolean {
    return this.#recalculate().includes(entry);
  }

  /** Add a portion by hand (Python's `_NamespacePath.append`). */
  push(entry: string): number {
    return this.#path.push(entry);
  }

  toString(): string {
    return `NamespacePath(${JSON.stringify(this.#path)})`;
  }

  toJSON(): string[] {
    return [...this.#recalculate()];
  }
}

function sameEntries(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((entry, i) => entry === b[i]);
}

const EMPTY_CODE = new CodeObject('<namespace>', () => undefined);

/** The loader of namespace packages (Python's `NamespaceLoader`): there is no code to run. */
export class NamespaceLoader implements Loader {
  /** The package's portions. */
  readonly path: Iterable<string>;

  constructor(path: Iterable<string>) {
    this.path = path;
  }

  isPackage(): boolean {
    return true;
  }

  getSource(): string {
    return '';
  }

  getCode(): CodeObject {
    return EMPTY_CODE;
  }

  createModule(): null {
    return null;
  }

  execModule(): void {
    // A namespace package has no code.
  }

  toString(): string {
    return '<NamespaceLoader>';
  }
}
