/**
 * `ImportSystem`: one isolated import state (Python's `sys.modules`, `sys.meta_path`, `sys.path`,
 * `sys.path_hooks`, `sys.path_importer_cache`) and the public face of the import algorithm over it
 * (`algorithm.ts`, `import-statement.ts`, `reload.ts`), synchronous and asynchronous (`drivers.ts`).
 */
import { ImportAlgorithm } from './algorithm.js';
import { CodeObject } from './code.js';
import { runAsync, runSync, SYNC, type Ctx, type Op } from './drivers.js';
import { ImportArgumentError, ImportError, ModuleNotFoundError } from './errors.js';
import { execCodeModule, type ExecCodeModuleOptions } from './exec-code-module.js';
import type { MetaPathFinder, PathEntryFinder, PathHook } from './finder.js';
import { importStatement, type ImportGlobals } from './import-statement.js';
import { runInNewTask } from './locks.js';
import { getAttr, isModule, ModuleType } from './module.js';
import { checkModuleName, resolveName, splitLevel, splitName } from './names.js';
import { PathFinder } from './path-finder.js';
import { isInitializing, NEEDS_LOADING, toSearchPath } from './registry.js';
import { reloadModule } from './reload.js';
import type { ModuleSpec } from './spec.js';
import type { ImportEvent, ImportTracer, ImportWarningEvent } from './trace.js';
import { Tracing } from './tracing.js';

/** Options of the {@link ImportSystem} constructor. */
export interface ImportSystemOptions {
  /**
   * The search path (Python's `sys.path`).
   * @default []
   */
  path?: string[];
  /**
   * The meta path. By default it holds this system's {@link PathFinder}; give your own list to replace it.
   * @default [system.pathFinder]
   */
  metaPath?: MetaPathFinder[];
  /**
   * Path hooks, asked in order for each new path entry (Python's `sys.path_hooks`).
   * @default []
   */
  pathHooks?: PathHook[];
  /** Modules to start with (name to module). */
  modules?: Iterable<readonly [string, unknown]>;
}

/**
 * One isolated import state and the import algorithm over it. Make as many as you like: each has its
 * own registry, finders, hooks and caches, and dropping the object frees every module it loaded.
 */
export class ImportSystem {
  /** The registry (Python's `sys.modules`). A `null` value blocks the name. */
  modules: Map<string, unknown>;
  /** The meta-path finders, asked in order (Python's `sys.meta_path`). */
  metaPath: MetaPathFinder[];
  /** The search path (Python's `sys.path`). */
  path: string[];
  /** Path hooks, asked in order for a new path entry (Python's `sys.path_hooks`). */
  pathHooks: PathHook[];
  /** The finder of each path entry seen, `null` for "no finder" (Python's `sys.path_importer_cache`). */
  pathImporterCache: Map<string, PathEntryFinder | null>;
  /** This system's path-based finder (on `metaPath` by default). */
  readonly pathFinder: PathFinder;

  readonly #tracing = new Tracing();
  readonly #algorithm = new ImportAlgorithm(this, this.#tracing);

  constructor(options: ImportSystemOptions = {}) {
    this.modules = new Map(options.modules ?? []);
    this.pathFinder = new PathFinder(this);
    this.metaPath = options.metaPath ? [...options.metaPath] : [this.pathFinder];
    this.path = options.path ? [...options.path] : [];
    this.pathHooks = options.pathHooks ? [...options.pathHooks] : [];
    this.pathImporterCache = new Map();
  }

  // ---------------------------------------------------------------- importing

  /**
   * Import a module and return it (Python's `importlib.import_module`). Leading dots make `name`
   * relative to `pkg`: `importModule('..x', 'a.b.c')` imports `a.b.x`. Returns the named module itself
   * (not its top package): whatever `modules` holds for it once its code has run.
   */
  importModule(name: string, pkg?: string | null): unknown {
    const [rest, level] = this.#importModuleArgs(name, pkg);
    const hit = level === 0 ? this.#algorithm.fastHit(rest) : NEEDS_LOADING;
    if (hit !== NEEDS_LOADING) return hit;
    return this.#sync(this.#algorithm.gcdImport(SYNC, rest, pkg ?? null, level));
  }

  /**
   * Import a module, waiting for module code that awaits (top-level `await`) and for other import
   * tasks importing the same module. Concurrent imports of a cycle never hang: one of them gets the
   * partially initialised module, as Python's threads do.
   */
  importModuleAsync(name: string, pkg?: string | null): Promise<unknown> {
    try {
      const [rest, level] = this.#importModuleArgs(name, pkg);
      return this.#runAsync((ctx) => this.#algorithm.gcdImport(ctx, rest, pkg ?? null, level));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The `import` statement (Python's `__import__`). `globals` says where the import is made from
   * (needed for `level > 0`); without `fromlist` it returns the top package (`a` for `a.b.c`), with one
   * it returns the named module and imports each `fromlist` entry that is a submodule. `'*'` imports
   * the names in the package's `__all__`.
   */
  __import__(
    name: string,
    globals: ImportGlobals | null = null,
    _locals: unknown = null,
    fromlist: readonly unknown[] = [],
    level = 0,
  ): unknown {
    return this.#sync(importStatement(this.#algorithm, SYNC, name, globals, fromlist, level));
  }

  /** {@link __import__} on the async path, with the same parameters: waits for module code that awaits. */
  __importAsync__(
    name: string,
    globals: ImportGlobals | null = null,
    _locals: unknown = null,
    fromlist: readonly unknown[] = [],
    level = 0,
  ): Promise<unknown> {
    return this.#runAsync((ctx) => importStatement(this.#algorithm, ctx, name, globals, fromlist, level));
  }

  /**
   * Find the spec of `name` without loading it (Python's `importlib.util.find_spec`). A dotted name's
   * parent package *is* imported; a name already in `modules` gives that module's `__spec__`
   * (an `ImportArgumentError` when it has none); `null` when nothing finds it.
   */
  findSpec(name: string, pkg?: string | null): ModuleSpec | null {
    const [rest, level] = splitLevel(name);
    if (level > 0 && !pkg) {
      // importlib.util.resolve_name raises ImportError here (import_module's TypeError is another check).
      throw new ImportError(`no package specified for '${name}' (required for relative module names)`, {
        moduleName: name,
      });
    }
    const fullname = level > 0 ? resolveName(rest, requirePackage(name, pkg), level) : name;
    checkModuleName(fullname);
    if (this.modules.has(fullname)) return this.#specOfRegistered(fullname, name);
    const [parentName] = splitName(fullname);
    let parentPath: readonly string[] | null = null;
    if (parentName) {
      const parent = this.__import__(parentName, null, null, ['__path__']);
      parentPath = this.#algorithm.searchPathOf(parentName, parent);
      if (parentPath === null) {
        throw new ModuleNotFoundError(
          `__path__ attribute not found on '${parentName}' while trying to find '${fullname}'`,
          { moduleName: fullname },
        );
      }
    }
    return this.#sync(this.#algorithm.findSpec(SYNC, fullname, parentPath, null));
  }

  /**
   * Find the spec of `name` on `path` (a package's `__path__`, or `null` for `system.path`) without
   * importing any parent (Python's `importlib._bootstrap._find_spec_from_path`): a name already in
   * `modules` gives that module's `__spec__` (`null` for a blocked name, an `ImportArgumentError` when
   * the module has none); otherwise the meta path is asked.
   */
  findSpecFromPath(name: string, path: Iterable<string> | null = null): ModuleSpec | null {
    checkModuleName(name);
    if (this.modules.has(name)) return this.#specOfRegistered(name, name);
    return this.#sync(this.#algorithm.findSpec(SYNC, name, toSearchPath(path), null));
  }

  /** The `__spec__` of the registered module `fullname` (`null` for a blocked name), as find_spec reports it. */
  #specOfRegistered(fullname: string, asked: string): ModuleSpec | null {
    const module = this.modules.get(fullname);
    if (module === null) return null;
    const spec = getAttr(module, '__spec__');
    if (spec === undefined) throw new ImportArgumentError(`${asked}.__spec__ is not set`);
    if (spec === null) throw new ImportArgumentError(`${asked}.__spec__ is None`);
    return spec as ModuleSpec;
  }

  /**
   * Reload a module in place (Python's `importlib.reload`): find its spec again and re-execute it in
   * the *same* object, so names the new code no longer defines survive. Returns what `modules` holds
   * afterwards. A reload that fails leaves the module in `modules`.
   */
  reload<T>(module: T): T {
    return this.#sync(reloadModule(this.#algorithm, SYNC, module)) as T;
  }

  /** {@link reload} on the async path. */
  reloadAsync<T>(module: T): Promise<T> {
    return this.#runAsync((ctx) => reloadModule(this.#algorithm, ctx, module)) as Promise<T>;
  }

  /**
   * Tell every meta-path finder to drop its caches (Python's `importlib.invalidate_caches`): the path
   * finder drops `null` and relative entries of `pathImporterCache` and invalidates the rest.
   */
  invalidateCaches(): void {
    for (const finder of [...this.metaPath]) {
      if (typeof finder?.invalidateCaches === 'function') finder.invalidateCaches();
    }
  }

  // ---------------------------------------------------------------- the C API's registry helpers

  /**
   * Return the module registered as `name`, creating an empty one when there is none or when the entry
   * is not a module object (Python's `PyImport_AddModuleRef`). Never imports or executes anything, and
   * a dotted name creates no parent package.
   */
  addModule(name: string): ModuleType {
    if (typeof name !== 'string')
      throw new ImportArgumentError(`module name must be a string, not ${typeof name}`);
    const existing = this.modules.get(name);
    if (isModule(existing)) return existing;
    const module = new ModuleType(name);
    this.modules.set(name, module);
    return module;
  }

  /**
   * Return the entry of `name` in `modules`, or `undefined` when there is none; never imports
   * (Python's `PyImport_GetModule`).
   */
  getModule(name: string): unknown {
    return this.modules.get(name);
  }

  /**
   * {@link getModule} that waits, as Python's `PyImport_GetModule` does, for a module another import
   * task is still initialising; returns `undefined` when the entry was removed (its import failed) or
   * replaced during the wait. A module initialising in the caller's own task (a cycle) is returned
   * partly filled, without waiting. Never imports.
   */
  getModuleAsync(name: string): Promise<unknown> {
    return this.#runAsync((ctx) => this.#getModuleOp(ctx, name));
  }

  *#getModuleOp(ctx: Ctx, name: string): Op<unknown> {
    const module = this.modules.get(name);
    if (module === undefined || module === null || !isInitializing(module) || !ctx.task) return module;
    yield this.#algorithm.moduleLocks.waitFor(name, ctx.task);
    return this.modules.get(name) === module ? module : undefined;
  }

  /**
   * Execute a code object as the module `name` (Python's `PyImport_ExecCodeModuleObject`): get or
   * create the module (so an existing module is re-executed in place: a reload), set `__spec__` and
   * `__loader__` if missing, and `__file__` / `__cached__`, run the code, and return what `modules`
   * holds for `name`. On any failure `name` is removed from `modules`, *even if it was there before*
   * (restoring it is the caller's job, as the C API documents). Dotted names create no packages.
   */
  execCodeModule(name: string, code: CodeObject, options: ExecCodeModuleOptions = {}): unknown {
    if (!(code instanceof CodeObject)) {
      throw new ImportArgumentError('execCodeModule() needs a CodeObject (made by a loader)');
    }
    return execCodeModule(this.modules, this.addModule(name), name, code, options);
  }

  // ---------------------------------------------------------------- the global import lock

  /**
   * Take the global reentrant import lock (Python's `imp.acquire_lock`). While an import task holds it,
   * imports by tasks it did not start wait before asking any finder (see `GlobalImportLock` for who
   * counts as the holder). Throws `ImportLockError` when another task holds it (a synchronous caller
   * cannot wait; see {@link acquireLockAsync}).
   */
  acquireLock(): void {
    this.#algorithm.importLock.acquire();
  }

  /** Take the global import lock, waiting while another import task holds it. */
  acquireLockAsync(): Promise<void> {
    return this.#algorithm.importLock.acquireAsync();
  }

  /** Release the global import lock; throws `ImportLockError` ("not holding the import lock") if the caller does not hold it. */
  releaseLock(): void {
    this.#algorithm.importLock.release();
  }

  /** Tell whether any import task holds the global import lock (Python's `imp.lock_held`). */
  lockHeld(): boolean {
    return this.#algorithm.importLock.held;
  }

  /** The number of module locks currently held or waited for (they are dropped when unused). */
  get activeModuleLocks(): number {
    return this.#algorithm.moduleLocks.size;
  }

  // ---------------------------------------------------------------- tracing

  /** Add a tracer that receives every {@link ImportEvent}; returns a function that removes it. */
  addTracer(tracer: ImportTracer): () => void {
    return this.#tracing.add(tracer);
  }

  /** `true` when at least one tracer listens: check it before building an expensive event. */
  get tracing(): boolean {
    return this.#tracing.trace !== null;
  }

  /** Hand `event` to every tracer. Finders and loaders of other layers report through this too. */
  trace(event: ImportEvent): void {
    this.#tracing.trace?.(event);
  }

  /** Report a verbose message (`level` 1 is `-v`, 2 is `-vv`). */
  verbose(level: 1 | 2, message: string, name?: string): void {
    this.#tracing.verbose(level, message, name);
  }

  /** Report a warning (Python's `ImportWarning`/`DeprecationWarning`: silent unless a tracer shows it). */
  warn(category: ImportWarningEvent['category'], message: string, name?: string): void {
    this.#tracing.warn(category, message, name);
  }

  // ---------------------------------------------------------------- the outer import

  #importModuleArgs(name: string, pkg: string | null | undefined): [string, number] {
    if (typeof name !== 'string')
      throw new ImportArgumentError(`module name must be a string, not ${typeof name}`);
    const [rest, level] = splitLevel(name);
    if (level > 0) requirePackage(name, pkg);
    return [rest, level];
  }

  #depth = 0;
  #outerImports = 0;

  /**
   * An id of the outermost synchronous import (or find, or reload) now running, `null` when none
   * runs: every finder call made during one such import, nested imports included, sees the same id
   * (the async path has none: it may wait without end). A finder may keep a check for as long as the
   * id stays the same (the folder finders of `createImportSystem` check a folder's mtime once per outer
   * import); a file created and imported within the same outer import then needs
   * {@link invalidateCaches} first, as Python says of files created at run time.
   */
  get outerImportId(): number | null {
    return this.#depth > 0 ? this.#outerImports : null;
  }

  #sync<T>(op: Op<T>): T {
    if (this.#depth++ === 0) this.#outerImports++;
    try {
      return runSync(op);
    } finally {
      this.#depth--;
    }
  }

  // The async path keeps no outer import: it may wait without end (a main module awaiting a
  // server), and later imports must still see new files. Its synchronous imports are outer ones.
  #runAsync<T>(make: (ctx: Ctx) => Op<T>): Promise<T> {
    return runInNewTask((task) => runAsync(make({ async: true, task })));
  }
}

function requirePackage(name: string, pkg: string | null | undefined): string {
  if (!pkg) {
    throw new ImportArgumentError(
      `the 'package' argument is required to perform a relative import for '${name}'`,
    );
  }
  return pkg;
}
