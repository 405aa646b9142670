/**
 * The path-based finder (Python's `PathFinder`): the meta-path finder that walks `system.path` (or a
 * package's `__path__`), turns each entry into a path-entry finder through `system.pathHooks`, caches
 * that finder in `system.pathImporterCache` (`null` = no finder for this entry, not asked again until
 * `invalidateCaches()`), and gathers namespace-package portions (PEP 420).
 *
 * It never touches the file system itself: path hooks and their finders do.
 */
import { isAbsolute } from 'node:path';

import { ImportError, ImportStateError } from './errors.js';
import type { MetaPathFinder, PathEntryFinder, PathHook } from './finder.js';
import { describeObject } from './loader.js';
import { getAttr, type ModuleType } from './module.js';
import { NamespacePath } from './namespace.js';
import { ModuleSpec, specFromLoader } from './spec.js';
import type { ImportEvent, ImportWarningEvent } from './trace.js';

/**
 * What a {@link PathFinder} uses of its system: the path state it walks and caches into, the registry
 * (for a parent package's `__path__`) and the system's tracing. An `ImportSystem` is one.
 */
export interface PathFinderHost {
  /** The search path (`sys.path`), walked for a top-level name. */
  readonly path: string[];
  /** The path hooks (`sys.path_hooks`), asked for a path entry not in the cache. */
  readonly pathHooks: PathHook[];
  /** The finder of each path entry seen (`sys.path_importer_cache`). */
  readonly pathImporterCache: Map<string, PathEntryFinder | null>;
  /** The registry (`sys.modules`). */
  readonly modules: Map<string, unknown>;
  /** `true` when a tracer listens. */
  readonly tracing: boolean;
  trace(event: ImportEvent): void;
  warn(category: ImportWarningEvent['category'], message: string, name?: string): void;
  verbose(level: 1 | 2, message: string, name?: string): void;
}

/** The finder on `system.metaPath` that searches path entries through path hooks. */
export class PathFinder implements MetaPathFinder {
  readonly #system: PathFinderHost;
  /** Bumped by {@link invalidateCaches}: namespace `__path__`s recompute when it changes. */
  #epoch = 0;

  constructor(system: PathFinderHost) {
    this.#system = system;
  }

  /** Find `name` on `path` (`system.path` when `null`); a namespace package when only portions are found. */
  findSpec(
    name: string,
    path: readonly string[] | null = null,
    target: ModuleType | null = null,
  ): ModuleSpec | null {
    const spec = this.#getSpec(name, path ?? this.#system.path, target);
    if (spec === null) return null;
    if (spec.loader !== null) return spec;
    const portions = spec.submoduleSearchLocations as string[];
    if (!portions.length) return null;
    spec.origin = null;
    spec.submoduleSearchLocations = new NamespacePath(name, portions, {
      parentPath: (n) => this.#parentPath(n),
      epoch: () => this.#epoch,
      find: (n, parentPath) => this.#getSpec(n, parentPath, null),
    });
    return spec;
  }

  /**
   * Return the finder for one path entry, asking the path hooks on a cache miss and caching the
   * answer (`null` when no hook accepted it). `''` means the current directory.
   */
  finderFor(entry: string): PathEntryFinder | null {
    const system = this.#system;
    if (entry === '') {
      try {
        entry = process.cwd();
      } catch (error) {
        system.verbose(1, `cannot get the current directory for path entry '': ${String(error)}`);
        return null; // not cached: the directory may come back
      }
    }
    const cache = system.pathImporterCache;
    if (!(cache instanceof Map)) throw new ImportStateError('system.pathImporterCache must be a Map');
    if (cache.has(entry)) return cache.get(entry) ?? null;
    cache.set(entry, null); // a hook asking for its own entry gets null, not a recursion (PyImport_GetImporter)
    let finder: PathEntryFinder | null;
    try {
      finder = this.#pathHooks(entry);
    } catch (error) {
      cache.delete(entry); // PathFinder caches nothing when a hook fails
      throw error;
    }
    cache.set(entry, finder);
    return finder;
  }

  #pathHooks(entry: string): PathEntryFinder | null {
    const system = this.#system;
    const hooks = system.pathHooks;
    if (!Array.isArray(hooks)) throw new ImportStateError('system.pathHooks must be an array');
    if (!hooks.length) system.warn('ImportWarning', 'system.pathHooks is empty');
    for (const hook of hooks) {
      try {
        return hook(entry);
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        if (system.tracing)
          system.verbose(2, `path hook ${describeObject(hook)} declined '${entry}': ${error.message}`);
      }
    }
    return null;
  }

  #getSpec(name: string, path: Iterable<unknown>, target: ModuleType | null): ModuleSpec | null {
    const system = this.#system;
    const namespacePath: string[] = [];
    for (const entry of path) {
      if (typeof entry !== 'string') continue; // Python skips non-str entries (bytes, None)
      const finder = this.finderFor(entry);
      if (finder === null) continue;
      if (system.tracing) system.trace({ type: 'trying', name, where: entry });
      let spec: ModuleSpec | null | undefined;
      if (typeof finder.findSpec === 'function') {
        spec = finder.findSpec(name, target);
      } else if (typeof finder.findModule === 'function') {
        if (system.tracing) {
          system.warn(
            'ImportWarning',
            `${describeObject(finder)}.findSpec() not found; falling back to findModule()`,
            name,
          );
        }
        const loader = finder.findModule(name);
        spec = loader ? specFromLoader(name, loader) : null;
      } else {
        continue;
      }
      if (!spec) continue;
      if (spec.loader !== null) return spec;
      const portions = spec.submoduleSearchLocations;
      if (portions === null) throw new ImportError('spec missing loader', { moduleName: name });
      namespacePath.push(...portions);
    }
    const namespace = new ModuleSpec(name, null);
    namespace.submoduleSearchLocations = namespacePath;
    return namespace;
  }

  #parentPath(name: string): Iterable<string> {
    const dot = name.lastIndexOf('.');
    if (dot === -1) return this.#system.path;
    const parentPath = getAttr(this.#system.modules.get(name.slice(0, dot)), '__path__');
    return (parentPath ?? []) as Iterable<string>;
  }

  /**
   * Drop cached `null` entries and entries keyed by a relative path (the current directory may have
   * changed), tell every remaining finder to invalidate its caches, and make namespace paths recompute.
   */
  invalidateCaches(): void {
    const cache = this.#system.pathImporterCache;
    for (const [entry, finder] of [...cache]) {
      if (finder === null || !isAbsolute(entry)) cache.delete(entry);
      else finder.invalidateCaches?.();
    }
    this.#epoch++;
  }

  toString(): string {
    return '<PathFinder>';
  }
}
