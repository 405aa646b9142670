/**
 * `ImportSystem`: one isolated import state (Python's `sys.modules`, `sys.meta_path`, `sys.path`,
 * `sys.path_hooks`, `sys.path_importer_cache`) and the import algorithm of CPython's `_bootstrap.py`
 * over it, synchronous and asynchronous.
 *
 * The algorithm is written once, as generators that yield only the promises they must wait for
 * (module code that awaits, module locks, the global lock). The synchronous driver refuses to wait;
 * the asynchronous one awaits. So both paths share every rule, error and trace event.
 */
import { resolve } from 'node:path';

import { initModuleAttrs, moduleFromSpec } from './attrs.js';
import { CodeObject, isThenable } from './code.js';
import {
  ImportArgumentError,
  ImportError,
  ImportStateError,
  ModuleNotFoundError,
  RequireAsyncError,
  ImportLockError,
  InvalidModuleNameError,
} from './errors.js';
import type { MetaPathFinder, PathEntryFinder, PathHook } from './finder.js';
import { CodeLoader, describeObject, type Loader } from './loader.js';
import {
  GlobalImportLock,
  ModuleLockTable,
  getCurrentTask,
  runInNewTask,
  type ImportTask,
  type ModuleLock,
} from './locks.js';
import { bindSubmodule, getAttr, hasAttr, isModule, ModuleType, setAttr } from './module.js';
import { absoluteName, checkModuleName, resolveName, splitLevel, splitName } from './names.js';
import { PathFinder } from './path-finder.js';
import { ReplacedPackages } from './replaced-packages.js';
import { ModuleSpec, specFromFileLocation, specFromLoader } from './spec.js';
import type { ImportEvent, ImportTracer, ImportWarningEvent } from './trace.js';

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

/** Python's `globals()` as `__import__` reads it: a module object, or any object with these keys. */
export interface ImportGlobals {
  __name__?: unknown;
  __package__?: unknown;
  __spec__?: unknown;
  __path__?: unknown;
}

/** Options of {@link ImportSystem.execCodeModule}. */
export interface ExecCodeModuleOptions {
  /** The source file (`__file__`); defaults to the code object's `filename`. */
  pathname?: string | null;
  /** The compiled file (`__cached__`, and the spec's `cached`). */
  cpathname?: string | null;
  /**
   * The loader to record for a module that has none (Python records a `SourceFileLoader`).
   * @default a {@link CodeLoader} that re-runs `code`
   */
  loader?: Loader | null;
}

type Op<T> = Generator<PromiseLike<unknown>, T, unknown>;
interface Ctx {
  readonly async: boolean;
  readonly task: ImportTask | null;
}
const SYNC: Ctx = { async: false, task: null };
const NEEDS_LOADING = Symbol('needs loading');

function runSync<T>(op: Op<T>): T {
  const step = op.next();
  if (!step.done) throw new Error('internal error: the synchronous import path tried to wait');
  return step.value;
}

async function runAsync<T>(op: Op<T>): Promise<T> {
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

function toSearchPath(value: unknown): readonly string[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value as string[];
  if (typeof value === 'string') return [value];
  if (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function')
    return [...(value as Iterable<string>)];
  return null;
}

function isInitializing(module: unknown): boolean {
  const spec = getAttr(module, '__spec__');
  return spec instanceof ModuleSpec ? spec.initializing : getAttr(spec, 'initializing') === true;
}

/** Keep a promise the sync path could not await from becoming an unhandled rejection. */
function abandon(promise: PromiseLike<unknown>): void {
  void Promise.resolve(promise).catch(() => undefined);
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

  readonly #moduleLocks = new ModuleLockTable();
  readonly #importLock = new GlobalImportLock();
  readonly #reloading = new Map<string, unknown>();
  readonly #tracers: ImportTracer[] = [];
  readonly #replacedPackages = new ReplacedPackages();

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
    const hit = level === 0 ? this.#fastHit(rest) : NEEDS_LOADING;
    if (hit !== NEEDS_LOADING) return hit;
    return this.#sync(this.#gcdImport(SYNC, rest, pkg ?? null, level));
  }

  /**
   * Import a module, waiting for module code that awaits (top-level `await`) and for other import
   * tasks importing the same module. Concurrent imports of a cycle never hang: one of them gets the
   * partially initialised module, as Python's threads do.
   */
  importModuleAsync(name: string, pkg?: string | null): Promise<unknown> {
    try {
      const [rest, level] = this.#importModuleArgs(name, pkg);
      return this.#runAsync((ctx) => this.#gcdImport(ctx, rest, pkg ?? null, level));
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
    return this.#sync(this.#importStatement(SYNC, name, globals, fromlist, level));
  }

  /** {@link __import__} on the async path, with the same parameters: waits for module code that awaits. */
  __importAsync__(
    name: string,
    globals: ImportGlobals | null = null,
    _locals: unknown = null,
    fromlist: readonly unknown[] = [],
    level = 0,
  ): Promise<unknown> {
    return this.#runAsync((ctx) => this.#importStatement(ctx, name, globals, fromlist, level));
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
      parentPath = this.#searchPathOf(parentName, parent);
      if (parentPath === null) {
        throw new ModuleNotFoundError(
          `__path__ attribute not found on '${parentName}' while trying to find '${fullname}'`,
          { moduleName: fullname },
        );
      }
    }
    return this.#sync(this.#findSpecOp(SYNC, fullname, parentPath, null));
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
    return this.#sync(this.#findSpecOp(SYNC, name, toSearchPath(path), null));
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
    return this.#sync(this.#reloadOp(SYNC, module)) as T;
  }

  /** {@link reload} on the async path. */
  reloadAsync<T>(module: T): Promise<T> {
    return this.#runAsync((ctx) => this.#reloadOp(ctx, module)) as Promise<T>;
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
    yield this.#moduleLocks.waitFor(name, ctx.task);
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
    const module = this.addModule(name);
    try {
      fixUpModule(
        module,
        name,
        options.pathname ?? code.filename,
        options.cpathname ?? null,
        options.loader ?? null,
        code,
      );
      const result = code.exec(module);
      if (isThenable(result)) {
        abandon(result);
        throw new RequireAsyncError(
          `module '${name}' did not finish synchronously (its code returned a promise); execCodeModule() runs code synchronously`,
          { moduleName: name, path: code.filename },
        );
      }
    } catch (error) {
      this.modules.delete(name);
      throw error;
    }
    if (!this.modules.has(name)) {
      throw new ImportError(`Loaded module '${name}' not found in modules`, {
        moduleName: name,
        path: code.filename,
      });
    }
    return this.modules.get(name);
  }

  // ---------------------------------------------------------------- the global import lock

  /**
   * Take the global reentrant import lock (Python's `imp.acquire_lock`). While an import task holds it,
   * imports by tasks it did not start wait before asking any finder (see `GlobalImportLock` for who
   * counts as the holder). Throws `ImportLockError` when another task holds it (a synchronous caller
   * cannot wait; see {@link acquireLockAsync}).
   */
  acquireLock(): void {
    this.#importLock.acquire();
  }

  /** Take the global import lock, waiting while another import task holds it. */
  acquireLockAsync(): Promise<void> {
    return this.#importLock.acquireAsync();
  }

  /** Release the global import lock; throws `ImportLockError` ("not holding the import lock") if the caller does not hold it. */
  releaseLock(): void {
    this.#importLock.release();
  }

  /** Tell whether any import task holds the global import lock (Python's `imp.lock_held`). */
  lockHeld(): boolean {
    return this.#importLock.held;
  }

  /** The number of module locks currently held or waited for (they are dropped when unused). */
  get activeModuleLocks(): number {
    return this.#moduleLocks.size;
  }

  // ---------------------------------------------------------------- tracing

  /** Add a tracer that receives every {@link ImportEvent}; returns a function that removes it. */
  addTracer(tracer: ImportTracer): () => void {
    this.#tracers.push(tracer);
    return () => {
      const index = this.#tracers.indexOf(tracer);
      if (index !== -1) this.#tracers.splice(index, 1);
    };
  }

  /** `true` when at least one tracer listens: check it before building an expensive event. */
  get tracing(): boolean {
    return this.#tracers.length > 0;
  }

  /** Hand `event` to every tracer. Finders and loaders of other layers report through this too. */
  trace(event: ImportEvent): void {
    for (const tracer of [...this.#tracers]) tracer(event);
  }

  /** Report a verbose message (`level` 1 is `-v`, 2 is `-vv`). */
  verbose(level: 1 | 2, message: string, name?: string): void {
    if (this.#tracers.length) this.trace({ type: 'verbose', level, message, name });
  }

  /** Report a warning (Python's `ImportWarning`/`DeprecationWarning`: silent unless a tracer shows it). */
  warn(category: ImportWarningEvent['category'], message: string, name?: string): void {
    if (this.#tracers.length) this.trace({ type: 'warning', category, message, name });
  }

  // ---------------------------------------------------------------- the algorithm

  #importModuleArgs(name: string, pkg: string | null | undefined): [string, number] {
    if (typeof name !== 'string')
      throw new ImportArgumentError(`module name must be a string, not ${typeof name}`);
    const [rest, level] = splitLevel(name);
    if (level > 0) requirePackage(name, pkg);
    return [rest, level];
  }

  /** The registry hit that needs no lock and no search: present and fully initialised. */
  #fastHit(name: string): unknown {
    const module = this.modules.get(name);
    if (module === undefined || module === null) return NEEDS_LOADING;
    if (isInitializing(module)) return NEEDS_LOADING;
    if (this.#tracers.length) this.trace({ type: 'cached', name });
    return module;
  }

  // ---------------------------------------------------------------- the outer import

  #depth = 0;
  #outerImports = 0;

  /**
   * An id of the outermost synchronous import (or find, or reload) now running, `null` when none
   * runs: every finder call made during one such import, nested imports included, sees the same id
   * (the async path has none: it may wait without end). A finder may keep a check for as long as the id stays the same (the folder
   * finders of `createImportSystem` check a folder's mtime once per outer import); a file created and
   * imported within the same outer import then needs {@link invalidateCaches} first, as Python says of
   * files created at run time.
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

  *#gcdImport(ctx: Ctx, name: string, pkg: unknown, level: number): Op<unknown> {
    return yield* this.#findAndLoad(ctx, absoluteName(name, pkg, level));
  }

  *#importStatement(
    ctx: Ctx,
    name: string,
    globals: ImportGlobals | null,
    fromlist: readonly unknown[],
    level: number,
  ): Op<unknown> {
    const pkg = level > 0 ? this.#calcPackage(globals ?? {}) : null;
    const fullname = absoluteName(name, pkg, level);
    const module = yield* this.#findAndLoad(ctx, fullname);
    if (!fromlist || fromlist.length === 0) {
      const front = name.split('.', 1)[0] as string;
      if (level === 0) return yield* this.#gcdImport(ctx, front, null, 0);
      if (front.length === name.length) return module;
      // Relative without fromlist: the entry of the first component after the dots, cut from the
      // absolute name (as PyImport_ImportModuleLevelObject does, so an entry that is not a module works).
      const toReturn = fullname.slice(0, fullname.length - (name.length - front.length));
      if (!this.modules.has(toReturn)) {
        const message = `'${toReturn}' not in modules as expected (removed while '${fullname}' was imported)`;
        throw new ImportError(message, { moduleName: toReturn });
      }
      return this.modules.get(toReturn);
    }
    if (hasAttr(module, '__path__') || this.#searchPathOf(fullname, module) !== null) {
      return yield* this.#handleFromlist(ctx, module, fullname, fromlist, false);
    }
    return module;
  }

  /** Work out the package a relative import is made from (Python's `_calc___package__`). */
  #calcPackage(globals: ImportGlobals): unknown {
    const pkg = getAttr(globals, '__package__');
    const spec = getAttr(globals, '__spec__') as ModuleSpec | null | undefined;
    if (pkg !== null && pkg !== undefined) {
      if (spec && pkg !== spec.parent) this.warn('DeprecationWarning', '__package__ != __spec__.parent');
      return pkg;
    }
    if (spec) return spec.parent;
    this.warn(
      'ImportWarning',
      "can't resolve package from __spec__ or __package__, falling back on __name__ and __path__",
    );
    const name = getAttr(globals, '__name__');
    if (typeof name !== 'string') throw new ImportArgumentError("'__name__' not in globals");
    return hasAttr(globals, '__path__') ? name : splitName(name)[0];
  }

  *#handleFromlist(
    ctx: Ctx,
    module: unknown,
    fullname: string,
    fromlist: Iterable<unknown>,
    recursive: boolean,
  ): Op<unknown> {
    // Python names the submodules after `module.__name__`; an entry that is not a module has none.
    const ownName = getAttr(module, '__name__');
    const pkgName = typeof ownName === 'string' ? ownName : fullname;
    for (const item of fromlist) {
      if (typeof item !== 'string') {
        const where = recursive ? `${pkgName}.__all__` : "``from list''";
        throw new ImportArgumentError(`Item in ${where} must be str, not ${typeof item}`);
      }
      if (item === '*') {
        const all = getAttr(module, '__all__');
        if (!recursive && all !== undefined && all !== null) {
          yield* this.#handleFromlist(ctx, module, fullname, all as Iterable<unknown>, true);
        }
      } else if (!hasAttr(module, item)) {
        const fromName = `${pkgName}.${item}`;
        try {
          yield* this.#gcdImport(ctx, fromName, null, 0);
        } catch (error) {
          // A fromlist name that is not a submodule is not an error (it may be an attribute set later)...
          if (
            // 'pkg.' + '' and the like: Python finds no such module; the port refuses the name before any finder.
            (error instanceof ModuleNotFoundError || error instanceof InvalidModuleNameError) &&
            error.moduleName === fromName &&
            this.modules.get(fromName) !== null
          ) {
            continue;
          }
          throw error; // ...but anything else, including a blocked (null) entry, is.
        }
      }
    }
    return module;
  }

  *#findAndLoad(ctx: Ctx, name: string): Op<unknown> {
    for (;;) {
      let module: unknown = this.modules.has(name) ? this.modules.get(name) : NEEDS_LOADING;
      if (module === NEEDS_LOADING || (module !== null && isInitializing(module))) {
        if (ctx.async && ctx.task) {
          if (module === NEEDS_LOADING) {
            // A DeadlockError here, before the module exists, reaches the caller (`_ModuleLockManager`).
            const lock = (yield this.#moduleLocks.acquire(name, ctx.task)) as ModuleLock;
            try {
              module = this.modules.has(name) ? this.modules.get(name) : NEEDS_LOADING;
              if (module === NEEDS_LOADING) return yield* this.#tracedFindAndLoad(ctx, name);
            } finally {
              this.#moduleLocks.release(lock, ctx.task);
            }
          }
          // Present but maybe still initialising in another task: wait for it, or take it partial on a
          // cycle (the import statement's path, import_ensure_initialized → _lock_unlock_module).
          if (isInitializing(module)) yield this.#moduleLocks.waitFor(name, ctx.task);
          if (!this.modules.has(name)) continue; // its import failed meanwhile: try again (`_find_and_load`)
          module = this.modules.get(name);
        } else if (module === NEEDS_LOADING) {
          return yield* this.#tracedFindAndLoad(ctx, name);
        } else {
          this.#checkSyncWait(name);
        }
        // Sync path and still initialising in this task: a circular import, handed back partly filled.
      } else if (module !== null && this.#tracers.length) {
        this.trace({ type: 'cached', name });
      }
      if (module === null) {
        throw new ModuleNotFoundError(`import of ${name} halted; null in modules`, { moduleName: name });
      }
      return module;
    }
  }

  /**
   * A synchronous import met `name` still initialising. In the caller's own task (or one it started)
   * that is a circular import; in another task, Python would wait for it, which a synchronous caller
   * cannot do: refuse rather than hand back a half-made module silently.
   */
  #checkSyncWait(name: string): void {
    const owner = this.#moduleLocks.ownerOf(name);
    if (owner === null) return;
    const current = getCurrentTask();
    if (current?.descendsFrom(owner)) return;
    throw new RequireAsyncError(
      `module '${name}' is still being initialised by another import task; a synchronous import cannot wait for it (use importModuleAsync())`,
      { moduleName: name },
    );
  }

  *#tracedFindAndLoad(ctx: Ctx, name: string): Op<unknown> {
    if (!this.#tracers.length) return yield* this.#findAndLoadUnlocked(ctx, name);
    this.trace({ type: 'import-start', name });
    let ok = false;
    try {
      const module = yield* this.#findAndLoadUnlocked(ctx, name);
      ok = true;
      return module;
    } finally {
      this.trace({ type: 'import-end', name, ok });
    }
  }

  *#findAndLoadUnlocked(ctx: Ctx, name: string): Op<unknown> {
    let path: readonly string[] | null = null;
    const [parent, child] = splitName(name);
    if (parent) {
      if (!this.modules.has(parent)) yield* this.#findAndLoad(ctx, parent);
      // Importing the parent may have imported this module as a side effect.
      if (this.modules.has(name)) return this.modules.get(name);
      let parentModule = this.modules.get(parent);
      if (isInitializing(parentModule)) {
        // The parent is still running, maybe in another task: wait for it (or take it partly filled).
        parentModule = yield* this.#findAndLoad(ctx, parent);
        if (this.modules.has(name)) return this.modules.get(name);
      }
      path = this.#searchPathOf(parent, parentModule);
      if (path === null) {
        throw new ModuleNotFoundError(`No module named '${name}'; '${parent}' is not a package`, {
          moduleName: name,
        });
      }
    }
    const spec = yield* this.#findSpecOp(ctx, name, path, null);
    if (spec === null) throw new ModuleNotFoundError(`No module named '${name}'`, { moduleName: name });
    const module = yield* this.#loadUnlocked(ctx, spec);
    if (parent) {
      const parentModule = this.modules.get(parent);
      if (!bindSubmodule(parentModule, child, module)) {
        this.warn(
          'ImportWarning',
          `Cannot set an attribute on '${parent}' for child module '${child}'`,
          name,
        );
      }
    }
    return module;
  }

  *#findSpecOp(
    ctx: Ctx,
    name: string,
    path: readonly string[] | null,
    target: unknown,
  ): Op<ModuleSpec | null> {
    const metaPath: unknown = this.metaPath;
    if (!Array.isArray(metaPath)) throw new ImportStateError('system.metaPath must be an array');
    const finders = [...(metaPath as MetaPathFinder[])]; // changes made while finding do not apply (gh-130094)
    if (!finders.length) this.warn('ImportWarning', 'system.metaPath is empty', name);
    const isReload = this.modules.has(name);
    const lock = this.#importLock;
    for (const finder of finders) {
      // A loop: another task may take the lock between our wake-up and our turn.
      while (!lock.availableToCaller()) {
        if (!ctx.async) {
          throw new ImportLockError(
            `cannot import '${name}' synchronously: the import lock is held by another import task`,
          );
        }
        yield lock.waitAvailable();
      }
      let spec: ModuleSpec | null | undefined;
      lock.acquire(); // each finder runs holding the global lock, as in Python
      try {
        if (this.#tracers.length) this.trace({ type: 'trying', name, where: describeObject(finder) });
        if (typeof finder?.findSpec === 'function') {
          spec = finder.findSpec(name, path, (target ?? null) as ModuleType | null);
        } else if (typeof finder?.findModule === 'function') {
          if (this.#tracers.length) {
            this.warn(
              'ImportWarning',
              `${describeObject(finder)}.findSpec() not found; falling back to findModule()`,
              name,
            );
          }
          const loader = finder.findModule(name, path);
          spec = loader ? specFromLoader(name, loader) : null;
        } else {
          continue; // not a finder: skipped, as Python skips objects without find_spec
        }
      } finally {
        lock.release();
      }
      if (spec === null || spec === undefined) continue;
      // A parent's import may have imported this module meanwhile: its spec wins.
      if (!isReload && this.modules.has(name)) {
        const existing = getAttr(this.modules.get(name), '__spec__');
        return existing instanceof ModuleSpec ? existing : spec;
      }
      return spec;
    }
    return null;
  }

  *#runLoader(ctx: Ctx, spec: ModuleSpec, run: () => unknown): Op<void> {
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

  *#loadUnlocked(ctx: Ctx, spec: ModuleSpec): Op<unknown> {
    const name = spec.name;
    if (spec.loader !== null && typeof spec.loader.execModule !== 'function') {
      return yield* this.#loadBackwardCompatible(ctx, spec);
    }
    const module = moduleFromSpec(spec);
    // Set before the module enters the registry: other importers test it to decide whether to wait.
    spec.initializing = true;
    const isPackage = spec.submoduleSearchLocations !== null;
    if (isPackage) this.#replacedPackages.begin(name, module);
    try {
      this.modules.set(name, module);
      try {
        const loader = spec.loader;
        if (loader === null) {
          throw new ImportError('missing loader', { moduleName: name });
        } else {
          yield* this.#runLoader(ctx, spec, () => loader.execModule?.(module));
        }
      } catch (error) {
        this.modules.delete(name);
        throw error;
      }
      if (!this.modules.has(name)) {
        throw new ImportError(`module '${name}' removed itself from modules while being imported`, {
          moduleName: name,
          path: spec.hasLocation ? spec.origin : null,
        });
      }
      // The registry entry after execution is the result (a module may replace itself), moved to the end.
      const result = this.modules.get(name);
      this.modules.delete(name);
      this.modules.set(name, result);
      if (this.#tracers.length)
        this.trace({ type: 'loaded', name, loader: describeObject(spec.loader), spec });
      return result;
    } finally {
      spec.initializing = false;
      if (isPackage) this.#endPackageCode(name, module);
    }
  }

  /** The code of the package `name` ran in `module`: keep its search path if it replaced its entry. */
  #endPackageCode(name: string, module: object): void {
    this.#replacedPackages.end(name, module, this.modules.has(name), this.modules.get(name));
  }

  /**
   * The search path of the package `name` whose registry entry is `entry` (`parent_module.__path__`
   * in `_find_and_load_unlocked`), `null` when it is not a package. An entry that the package's own
   * code put in place of its module object (`module.exports = fn`) keeps the module's `__path__`,
   * where CPython loses it (see {@link ReplacedPackages}).
   */
  #searchPathOf(name: string, entry: unknown): readonly string[] | null {
    const path = toSearchPath(getAttr(entry, '__path__'));
    if (path !== null || entry === null || entry === undefined) return path;
    const module = this.#replacedPackages.moduleFor(name, entry);
    return module === undefined ? null : toSearchPath(getAttr(module, '__path__'));
  }

  /**
   * Run a legacy (PEP 302) loader's `loadModule` for `spec` (Python's fallback when a loader has no
   * `exec_module`), with its `ImportWarning`; a loader with neither method is an `ImportError`.
   */
  *#runLegacyLoader(ctx: Ctx, spec: ModuleSpec, loader: Loader): Op<void> {
    const name = spec.name;
    if (typeof loader.loadModule !== 'function') {
      throw new ImportError(
        `the loader of '${name}' (${describeObject(loader)}) has neither execModule() nor loadModule()`,
        { moduleName: name },
      );
    }
    if (this.#tracers.length) {
      this.warn(
        'ImportWarning',
        `${describeObject(loader)}.execModule() not found; falling back to loadModule()`,
        name,
      );
    }
    yield* this.#runLoader(ctx, spec, () => loader.loadModule?.(name));
  }

  *#loadBackwardCompatible(ctx: Ctx, spec: ModuleSpec): Op<unknown> {
    const name = spec.name;
    const loader = spec.loader as Loader;
    try {
      yield* this.#runLegacyLoader(ctx, spec, loader);
    } catch (error) {
      // A legacy loader cleans up after itself; only move a surviving entry to the end.
      if (this.modules.has(name)) moveToEnd(this.modules, name);
      throw error;
    }
    if (!this.modules.has(name)) {
      throw new ImportError(`the legacy loader of '${name}' did not put it into modules`, {
        moduleName: name,
      });
    }
    const module = moveToEnd(this.modules, name);
    if (getAttr(module, '__loader__') == null) setAttr(module, '__loader__', loader);
    if (getAttr(module, '__package__') == null) {
      setAttr(
        module,
        '__package__',
        hasAttr(module, '__path__') ? getAttr(module, '__name__') : splitName(name)[0],
      );
    }
    if (getAttr(module, '__spec__') == null) setAttr(module, '__spec__', spec);
    if (this.#tracers.length) this.trace({ type: 'loaded', name, loader: describeObject(loader), spec });
    return module;
  }

  *#reloadOp(ctx: Ctx, module: unknown): Op<unknown> {
    const spec = getAttr(module, '__spec__');
    const name = spec instanceof ModuleSpec ? spec.name : getAttr(module, '__name__');
    if (typeof name !== 'string') throw new ImportArgumentError('reload() argument must be a module');
    if (this.modules.get(name) !== module) {
      throw new ImportError(`module '${name}' not in modules`, { moduleName: name });
    }
    if (this.#reloading.has(name)) return this.#reloading.get(name); // reload(m) while reloading m
    this.#reloading.set(name, module);
    try {
      const [parentName] = splitName(name);
      let pkgPath: readonly string[] | null = null;
      if (parentName) {
        if (!this.modules.has(parentName)) {
          throw new ImportError(`parent '${parentName}' not in modules`, { moduleName: parentName });
        }
        pkgPath = this.#searchPathOf(parentName, this.modules.get(parentName));
        if (pkgPath === null) {
          throw new ModuleNotFoundError(`No module named '${name}'; '${parentName}' is not a package`, {
            moduleName: name,
          });
        }
      }
      const newSpec = yield* this.#findSpecOp(ctx, name, pkgPath, module);
      setAttr(module, '__spec__', newSpec);
      if (newSpec === null) {
        throw new ModuleNotFoundError(`spec not found for the module '${name}'`, { moduleName: name });
      }
      yield* this.#execOp(ctx, newSpec, module);
      return this.modules.get(name);
    } finally {
      this.#reloading.delete(name);
    }
  }

  /** Execute `spec` in the existing `module` (Python's `_exec`), holding its module lock on the async path. */
  *#execOp(ctx: Ctx, spec: ModuleSpec, module: unknown): Op<unknown> {
    const name = spec.name;
    const isPackage = spec.submoduleSearchLocations !== null;
    const task = ctx.async ? ctx.task : null;
    const lock = task ? ((yield this.#moduleLocks.acquire(name, task)) as ModuleLock) : null;
    try {
      if (this.modules.get(name) !== module) {
        throw new ImportError(`module '${name}' not in modules`, { moduleName: name });
      }
      try {
        const loader = spec.loader;
        if (loader === null && spec.submoduleSearchLocations === null) {
          throw new ImportError('missing loader', { moduleName: name });
        }
        initModuleAttrs(spec, module as object, true);
        const current = spec.loader as Loader; // a namespace spec got its NamespaceLoader just now
        if (isPackage) this.#replacedPackages.begin(name, module as object);
        if (typeof current.execModule === 'function') {
          yield* this.#runLoader(ctx, spec, () => current.execModule?.(module as ModuleType));
        } else {
          yield* this.#runLegacyLoader(ctx, spec, current);
        }
      } finally {
        if (isPackage) this.#endPackageCode(name, module as object);
        // Keep teardown order: the reloaded module moves to the end of the registry.
        if (this.modules.has(name)) moveToEnd(this.modules, name);
      }
      return this.modules.get(name);
    } finally {
      if (lock && task) this.#moduleLocks.release(lock, task);
    }
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

function moveToEnd(modules: Map<string, unknown>, name: string): unknown {
  const module = modules.get(name);
  modules.delete(name);
  modules.set(name, module);
  return module;
}

/**
 * Give a module run by `execCodeModule` its import attributes (Python's `_fix_up_module`): an existing
 * `__loader__` / `__spec__` is kept; `__file__` and `__cached__` are always set.
 */
function fixUpModule(
  module: ModuleType,
  name: string,
  pathname: string,
  cpathname: string | null,
  loaderOption: Loader | null,
  code: CodeObject,
): void {
  const existingSpec = getAttr(module, '__spec__') as ModuleSpec | null | undefined;
  let loader = getAttr(module, '__loader__') as Loader | null | undefined;
  if (!loader) loader = existingSpec?.loader ?? loaderOption ?? new CodeLoader(code);
  let spec = existingSpec;
  if (!spec) {
    spec = specFromFileLocation(name, pathname, { loader, isPackage: false });
    if (cpathname) spec.cached = resolve(cpathname);
  }
  setAttr(module, '__spec__', spec);
  setAttr(module, '__loader__', loader);
  setAttr(module, '__file__', pathname);
  setAttr(module, '__cached__', cpathname);
}
