/**
 * The finder protocols: meta-path finders (on `system.metaPath`), path-entry finders (made by path
 * hooks for one `system.path` entry) and path hooks. PEP 451 `findSpec` first; the legacy PEP 302
 * `findModule` (returning a loader) works too, so old-style importers keep working.
 */
import type { Loader } from './loader.js';
import type { ModuleType } from './module.js';
import type { ModuleSpec } from './spec.js';

/** A finder on `system.metaPath`. Returning `null` means "not mine". */
export interface MetaPathFinder {
  /**
   * Find the spec of `name`. `path` is the parent package's `__path__` for a submodule, or `null` for
   * a top-level name; `target` is the module being reloaded, if any.
   */
  findSpec?(
    name: string,
    path: readonly string[] | null,
    target?: ModuleType | null,
  ): ModuleSpec | null | undefined;
  /** Legacy PEP 302: return a loader for `fullname`, or `null`. Used only when there is no `findSpec`. */
  findModule?(fullname: string, path?: readonly string[] | null): Loader | null | undefined;
  /** Drop whatever this finder caches (called by `system.invalidateCaches()`). */
  invalidateCaches?(): void;
}

/** A finder for one path entry, made by a path hook. Returning `null` means "not here". */
export interface PathEntryFinder {
  /**
   * Find the spec of `name` in this entry. A spec with a `null` loader and search locations is a
   * namespace-package portion.
   */
  findSpec?(name: string, target?: ModuleType | null): ModuleSpec | null | undefined;
  /** Legacy PEP 302: return a loader for `fullname`, or `null`. Used only when there is no `findSpec`. */
  findModule?(fullname: string): Loader | null | undefined;
  /** Drop whatever this finder caches (called by `system.invalidateCaches()`). */
  invalidateCaches?(): void;
}

/**
 * A path hook: given a path entry, return a finder for it, or throw an `ImportError` to decline it
 * (the next hook is then tried). Any other error propagates to the importer.
 */
export type PathHook = (entry: string) => PathEntryFinder;
