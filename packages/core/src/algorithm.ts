/**
 * The import algorithm of CPython's `_bootstrap.py` over one system's state, read top to bottom:
 * `_find_and_load` (registry, module lock, wait for an initialising module), `_find_and_load_unlocked`
 * (parent first, then find, load, bind on the parent), `_find_spec` (the meta path), and
 * `_load_unlocked` / `_load_backward_compatible` (create, register, execute). Each step is an
 * {@link Op}, run by the synchronous or the asynchronous driver of `drivers.ts`.
 */
import { moduleFromSpec } from './attrs.js';
import { isThenable } from './code.js';
import { abandon, type Ctx, type Op } from './drivers.js';
import {
  ImportError,
  ImportLockError,
  ImportStateError,
  ModuleNotFoundError,
  RequireAsyncError,
} from './errors.js';
import type { MetaPathFinder } from './finder.js';
import { describeObject, type Loader } from './loader.js';
import { GlobalImportLock, ModuleLockTable, getCurrentTask, type ModuleLock } from './locks.js';
import { bindSubmodule, getAttr, hasAttr, setAttr, type ModuleType } from './module.js';
import { absoluteName, splitName } from './names.js';
import { ReplacedPackages } from './replaced-packages.js';
import { isInitializing, moveToEnd, NEEDS_LOADING, toSearchPath } from './registry.js';
import { ModuleSpec, specFromLoader } from './spec.js';
import type { Tracing } from './tracing.js';

/** What the algorithm reads from its system, each time anew (a user may replace either). */
export interface AlgorithmHost {
  readonly modules: Map<string, unknown>;
  readonly metaPath: MetaPathFinder[];
}

/** The import algorithm over one system: its locks, and the steps of `_bootstrap.py`. */
export class ImportAlgorithm {
  /** The per-module locks (Python's `_module_locks`). */
  readonly moduleLocks = new ModuleLockTable();
  /** The global import lock (Python's `_imp.acquire_lock`). */
  readonly importLock = new GlobalImportLock();
  /** The modules being reloaded now, by name (Python's `_RELOADING`). */
  readonly reloading = new Map<string, unknown>();
  readonly #packages = new ReplacedPackages();

  constructor(
    readonly host: AlgorithmHost,
    readonly tracing: Tracing,
  ) {}

  /** Python's `_gcd_import`: check the name, make it absolute, then `_find_and_load`. */
  *gcdImport(ctx: Ctx, name: string, pkg: unknown, level: number): Op<unknown> {
    return yield* this.findAndLoad(ctx, absoluteName(name, pkg, level));
  }

  /** The registry hit that needs no lock and no search (present and initialised), else `NEEDS_LOADING`. */
  fastHit(name: string): unknown {
    const module = this.host.modules.get(name);
    if (module === undefined || module === null || isInitializing(module)) return NEEDS_LOADING;
    this.tracing.trace?.({ type: 'cached', name });
    return module;
  }

  /**
   * Python's `_find_and_load`: the registry entry of `name`. An absent one is found and loaded under
   * its module lock; one still initialising is waited for (or, in a cycle, taken partly filled).
   */
  *findAndLoad(ctx: Ctx, name: string): Op<unknown> {
    const modules = this.host.modules;
    for (;;) {
      const module = modules.has(name) ? modules.get(name) : NEEDS_LOADING;
      if (module === NEEDS_LOADING) {
        const loaded = yield* this.#loadUnderLock(ctx, name);
        if (loaded !== NEEDS_LOADING) return loaded;
        // Another task registered it while we waited for the lock: wait for it to be initialised.
      } else if (module === null || !isInitializing(module)) {
        if (module === null) throw halted(name);
        this.tracing.trace?.({ type: 'cached', name });
        return module;
      }
      const initialised = yield* this.#awaitInitialised(ctx, name);
      if (initialised !== NEEDS_LOADING) return initialised;
      // Its import failed meanwhile: try again.
    }
  }

  /**
   * `with _ModuleLockManager(name)` around `_find_and_load_unlocked`: on the async path, take the
   * module lock and load `name` unless another task registered it meanwhile (then `NEEDS_LOADING`).
   * The sync path takes no lock: it cannot wait, and nothing else runs while it does.
   */
  *#loadUnderLock(ctx: Ctx, name: string): Op<unknown> {
    if (ctx.task === null) return yield* this.#tracedFindAndLoad(ctx, name);
    // A DeadlockError here, before the module exists, reaches the caller.
    const lock = (yield this.moduleLocks.acquire(name, ctx.task)) as ModuleLock;
    try {
      if (this.host.modules.has(name)) return NEEDS_LOADING;
      return yield* this.#tracedFindAndLoad(ctx, name);
    } finally {
      this.moduleLocks.release(lock, ctx.task);
    }
  }

  /**
   * Python's `_lock_unlock_module`: wait until `name` is initialised in another task, or take it
   * partly filled on a cycle. Returns its entry, or `NEEDS_LOADING` when its import failed meanwhile.
   */
  *#awaitInitialised(ctx: Ctx, name: string): Op<unknown> {
    const modules = this.host.modules;
    if (ctx.task === null) this.#checkSyncWait(name);
    else if (isInitializing(modules.get(name))) yield this.moduleLocks.waitFor(name, ctx.task);
    if (!modules.has(name)) return NEEDS_LOADING;
    const module = modules.get(name);
    if (module === null) throw halted(name);
    return module;
  }

  /**
   * A synchronous import met `name` still initialising. In the caller's own task (or one it started)
   * that is a circular import; in another task, Python would wait for it, which a synchronous caller
   * cannot do: refuse rather than hand back a half-made module silently.
   */
  #checkSyncWait(name: string): void {
    const owner = this.moduleLocks.ownerOf(name);
    if (owner === null) return;
    const current = getCurrentTask();
    if (current?.descendsFrom(owner)) return;
    throw new RequireAsyncError(
      `module '${name}' is still being initialised by another import task; a synchronous import cannot wait for it (use importModuleAsync())`,
      { moduleName: name },
    );
  }

  /** `_find_and_load_unlocked` between its `import-start` and `import-end` events (`-X importtime`). */
  *#tracedFindAndLoad(ctx: Ctx, name: string): Op<unknown> {
    if (this.tracing.trace === null) return yield* this.#findAndLoadUnlocked(ctx, name);
    this.tracing.trace({ type: 'import-start', name });
    let ok = false;
    try {
      const module = yield* this.#findAndLoadUnlocked(ctx, name);
      ok = true;
      return module;
    } finally {
      this.tracing.trace?.({ type: 'import-end', name, ok });
    }
  }

  /**
   * Python's `_find_and_load_unlocked`: import the parent package first, search its `__path__` (or the
   * meta path's default for a top-level name), load the spec, and bind the module on its parent.
   */
  *#findAndLoadUnlocked(ctx: Ctx, name: string): Op<unknown> {
    const modules = this.host.modules;
    let path: readonly string[] | null = null;
    const [parent, child] = splitName(name);
    if (parent) {
      if (!modules.has(parent)) yield* this.findAndLoad(ctx, parent);
      // Importing the parent may have imported this module as a side effect.
      if (modules.has(name)) return modules.get(name);
      let parentModule = modules.get(parent);
      if (isInitializing(parentModule)) {
        // The parent is still running, maybe in another task: wait for it (or take it partly filled).
        parentModule = yield* this.findAndLoad(ctx, parent);
        if (modules.has(name)) return modules.get(name);
      }
      path = this.searchPathOf(parent, parentModule);
      if (path === null) {
        throw new ModuleNotFoundError(`No module named '${name}'; '${parent}' is not a package`, {
          moduleName: name,
        });
      }
    }
    const spec = yield* this.findSpec(ctx, name, path, null);
    if (spec === null) throw new ModuleNotFoundError(`No module named '${name}'`, { moduleName: name });
    const module = yield* this.#loadUnlocked(ctx, spec);
    if (parent && !bindSubmodule(modules.get(parent), child, module)) {
      this.tracing.warn(
        'ImportWarning',
        `Cannot set an attribute on '${parent}' for child module '${child}'`,
        name,
      );
    }
    return module;
  }

  /**
   * The search path of the package `name` whose registry entry is `entry` (`parent_module.__path__`
   * in `_find_and_load_unlocked`), `null` when it is not a package. An entry that the package's own
   * code put in place of its module object (`module.exports = fn`) keeps the module's `__path__`,
   * where CPython loses it (see {@link ReplacedPackages}).
   */
  searchPathOf(name: string, entry: unknown): readonly string[] | null {
    const path = toSearchPath(getAttr(entry, '__path__'));
    if (path !== null || entry === null || entry === undefined) return path;
    const module = this.#packages.moduleFor(name, entry);
    return module === undefined ? null : toSearchPath(getAttr(module, '__path__'));
  }

  /**
   * Python's `_find_spec`: ask each meta-path finder, holding the global import lock, for the spec of
   * `name` on `path`; `target` is the module being reloaded. `null` when no finder finds it.
   */
  *findSpec(ctx: Ctx, name: string, path: readonly string[] | null, target: unknown): Op<ModuleSpec | null> {
    const modules = this.host.modules;
    const metaPath: unknown = this.host.metaPath;
    if (!Array.isArray(metaPath)) throw new ImportStateError('system.metaPath must be an array');
    const finders = [...(metaPath as MetaPathFinder[])]; // changes made while finding do not apply (gh-130094)
    if (!finders.length) this.tracing.warn('ImportWarning', 'system.metaPath is empty', name);
    const isReload = modules.has(name);
    for (const finder of finders) {
      yield* this.#awaitImportLock(ctx, name);
      const spec = this.#askFinder(finder, name, path, target);
      if (spec === null || spec === undefined) continue;
      // A parent's import may have imported this module meanwhile: its spec wins.
      if (!isReload && modules.has(name)) {
        const existing = getAttr(modules.get(name), '__spec__');
        return existing instanceof ModuleSpec ? existing : spec;
      }
      return spec;
    }
    return null;
  }

  /** Wait until the global import lock is free for this caller (the sync path cannot wait: it refuses). */
  *#awaitImportLock(ctx: Ctx, name: string): Op<void> {
    const lock = this.importLock;
    // A loop: another task may take the lock between our wake-up and our turn.
    while (!lock.availableToCaller()) {
      if (!ctx.async) {
        throw new ImportLockError(
          `cannot import '${name}' synchronously: the import lock is held by another import task`,
        );
      }
      yield lock.waitAvailable();
    }
  }

  /** One finder's answer, asked holding the global lock as in Python (`findModule` for a legacy finder). */
  #askFinder(
    finder: MetaPathFinder,
    name: string,
    path: readonly string[] | null,
    target: unknown,
  ): ModuleSpec | null | undefined {
    this.importLock.acquire();
    try {
      this.tracing.trace?.({ type: 'trying', name, where: describeObject(finder) });
      if (typeof finder?.findSpec === 'function') {
        return finder.findSpec(name, path, (target ?? null) as ModuleType | null);
      }
      if (typeof finder?.findModule === 'function') {
        this.tracing.trace?.({
          type: 'warning',
          category: 'ImportWarning',
          message: `${describeObject(finder)}.findSpec() not found; falling back to findModule()`,
          name,
        });
        const loader = finder.findModule(name, path);
        return loader ? specFromLoader(name, loader) : null;
      }
      return null; // not a finder: skipped, as Python skips objects without find_spec
    } finally {
      this.importLock.release();
    }
  }

  /**
   * Python's `_load_unlocked`: create the module from its spec, register it before its code runs (a
   * cycle gets the same, partly filled object), execute it, and return what the registry then holds.
   */
  *#loadUnlocked(ctx: Ctx, spec: ModuleSpec): Op<unknown> {
    const modules = this.host.modules;
    const name = spec.name;
    if (spec.loader !== null && typeof spec.loader.execModule !== 'function') {
      return yield* this.#loadBackwardCompatible(ctx, spec);
    }
    const module = moduleFromSpec(spec);
    // Set before the module enters the registry: other importers test it to decide whether to wait.
    spec.initializing = true;
    const isPackage = spec.submoduleSearchLocations !== null;
    if (isPackage) this.#packages.begin(name, module);
    try {
      modules.set(name, module);
      try {
        const loader = spec.loader;
        if (loader === null) throw new ImportError('missing loader', { moduleName: name });
        yield* this.runLoader(ctx, spec, () => loader.execModule?.(module));
      } catch (error) {
        modules.delete(name);
        throw error;
      }
      if (!modules.has(name)) {
        throw new ImportError(`module '${name}' removed itself from modules while being imported`, {
          moduleName: name,
          path: spec.hasLocation ? spec.origin : null,
        });
      }
      // The registry entry after execution is the result (a module may replace itself), moved to the end.
      const result = moveToEnd(modules, name);
      this.tracing.trace?.({ type: 'loaded', name, loader: describeObject(spec.loader), spec });
      return result;
    } finally {
      spec.initializing = false;
      if (isPackage) this.endPackageCode(name, module);
    }
  }

  /**
   * Python's `_load_backward_compatible`: run a legacy loader's `loadModule`, which registers the module
   * itself, then fill in the import attributes it left missing.
   */
  *#loadBackwardCompatible(ctx: Ctx, spec: ModuleSpec): Op<unknown> {
    const modules = this.host.modules;
    const name = spec.name;
    const loader = spec.loader as Loader;
    try {
      yield* this.runLegacyLoader(ctx, spec, loader);
    } catch (error) {
      // A legacy loader cleans up after itself; only move a surviving entry to the end.
      if (modules.has(name)) moveToEnd(modules, name);
      throw error;
    }
    if (!modules.has(name)) {
      throw new ImportError(`the legacy loader of '${name}' did not put it into modules`, {
        moduleName: name,
      });
    }
    const module = moveToEnd(modules, name);
    if (getAttr(module, '__loader__') == null) setAttr(module, '__loader__', loader);
    if (getAttr(module, '__package__') == null) {
      setAttr(
        module,
        '__package__',
        hasAttr(module, '__path__') ? getAttr(module, '__name__') : splitName(name)[0],
      );
    }
    if (getAttr(module, '__spec__') == null) setAttr(module, '__spec__', spec);
    this.tracing.trace?.({ type: 'loaded', name, loader: describeObject(loader), spec });
    return module;
  }

  /**
   * Run a loader step (`execModule`, `loadModule`): its promise is awaited on the async path and
   * refused with a `RequireAsyncError` on the sync one.
   */
  *runLoader(ctx: Ctx, spec: ModuleSpec, run: () => unknown): Op<void> {
    const result = run();
    if (!isThenable(result)) return;
    if (!ctx.async) {
      abandon(result);
      throw new RequireAsyncError(
        `module '${spec.name}' can only be imported asynchronously (its loader returned a promise, e.g. for top-level await); use importModuleAsync()`,
        { moduleName: spec.name, path: spec.hasLocation ? spec.origin : null },
      );
    }
    yield result;
  }

  /**
   * Run a legacy (PEP 302) loader's `loadModule` for `spec` (Python's fallback when a loader has no
   * `exec_module`), with its `ImportWarning`; a loader with neither method is an `ImportError`.
   */
  *runLegacyLoader(ctx: Ctx, spec: ModuleSpec, loader: Loader): Op<void> {
    const name = spec.name;
    if (typeof loader.loadModule !== 'function') {
      throw new ImportError(
        `the loader of '${name}' (${describeObject(loader)}) has neither execModule() nor loadModule()`,
        { moduleName: name },
      );
    }
    this.tracing.trace?.({
      type: 'warning',
      category: 'ImportWarning',
      message: `${describeObject(loader)}.execModule() not found; falling back to loadModule()`,
      name,
    });
    yield* this.runLoader(ctx, spec, () => loader.loadModule?.(name));
  }

  /** A package's code is about to run in `module` (a load or a reload): see {@link ReplacedPackages}. */
  beginPackageCode(name: string, module: object): void {
    this.#packages.begin(name, module);
  }

  /** The code of the package `name` ran in `module`: keep its search path if it replaced its entry. */
  endPackageCode(name: string, module: object): void {
    const modules = this.host.modules;
    this.#packages.end(name, module, modules.has(name), modules.get(name));
  }
}

/** The error for a name blocked by `null` in the registry. */
function halted(name: string): ModuleNotFoundError {
  return new ModuleNotFoundError(`import of ${name} halted; null in modules`, { moduleName: name });
}
