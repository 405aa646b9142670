/**
 * `capi`: the `PyImport_*` functions of Python's C API over an `ImportSystem`, under their C names.
 *
 * Translation rules, the same for every function:
 * - where C returns `NULL` (or -1) with an exception set, these throw the typed error instead;
 * - "borrowed" and "new" references mean nothing in JavaScript: each function returns the object
 *   itself (the one `system.modules` holds), and its doc comment says which;
 * - `const char *` and `PyObject *` names are both JavaScript strings.
 */
import {
  CodeObject,
  getAttr,
  ImportArgumentError,
  ImportError,
  ImportStateError,
  type ExecCodeModuleOptions,
  type ImportGlobals,
  type ImportSystem,
  type Loader,
  type ModuleType,
  type PathEntryFinder,
} from '@importlib/core';
import {
  COMPILED_SUFFIX,
  getMagicNumber,
  getMagicTag,
  SourceFileLoader,
  SourcelessFileLoader,
  sourceFromCache,
  type InittabInit,
} from '@importlib/loaders';

import { callTrimmed } from './frames.js';
import {
  bindMethods,
  checkName,
  contextOf,
  frozenImporterOf,
  isFile,
  requireBuiltinImporter,
  systemGetter,
  type SystemSource,
} from './system-parts.js';

/** The `__import__` function `PyImport_Import` calls: `system.__import__`'s signature. */
export type ImportFunction = (
  name: string,
  globals: ImportGlobals | null,
  locals: unknown,
  fromlist: readonly unknown[],
  level: number,
) => unknown;

/**
 * The globals `PyImport_Import` reads, as C reads the calling frame's: an `__import__` function in
 * `__builtins__` replaces `system.__import__` (an import hook installed there is honoured).
 */
export interface ImportHookGlobals extends ImportGlobals {
  __builtins__?: { __import__?: ImportFunction } | null;
}

function checkCode(code: unknown, name: string, what: string): CodeObject {
  if (!(code instanceof CodeObject)) {
    throw new ImportArgumentError(
      `${what}('${name}', co): co must be a CodeObject (from a loader's getCode() or new CodeObject())`,
    );
  }
  return code;
}

/**
 * Python's C API import functions bound to one import system. Get one with `createCapi(system)`, or
 * use the package's `capi` (bound to a default system made on first use). Its methods are bound.
 */
export class CApi {
  readonly #system: () => ImportSystem;

  /** Bind the C API to `system` (or to the system a function returns, asked on first use). */
  constructor(system: SystemSource) {
    this.#system = systemGetter(system);
    bindMethods(this, CApi.prototype);
  }

  /** The import system these functions work on (C's interpreter state). */
  get system(): ImportSystem {
    return this.#system();
  }

  // ---------------------------------------------------------------- modules by name

  /**
   * Return the module `modules` holds for `name`, creating an empty one (and storing it, over any
   * value that is not a module object) when there is none (`PyImport_AddModuleRef`, Python 3.13).
   * Never imports or executes anything; a dotted name creates no parent package. Returns the module
   * object itself (C: a new reference).
   * @throws ImportArgumentError when `name` is not a string (C: `NULL` with an exception set).
   */
  PyImport_AddModuleRef(name: string): ModuleType {
    return this.system.addModule(checkName(name, 'PyImport_AddModuleRef'));
  }

  /**
   * {@link PyImport_AddModuleRef} for a name given as a Python `str` object; in JavaScript both are
   * strings (`PyImport_AddModuleObject`). C returns a borrowed reference, valid only while
   * `sys.modules` holds the module: here the object returned is the one `modules` holds, checked
   * after storing it.
   * @throws ImportStateError when `system.modules` did not keep the module (Python's `RuntimeError`
   *   "sys.modules does not hold a strong reference to the module"); ImportArgumentError when `name`
   *   is not a string. (C: `NULL` with the exception set.)
   */
  PyImport_AddModuleObject(name: string): ModuleType {
    checkName(name, 'PyImport_AddModuleObject');
    const system = this.system;
    const module = system.addModule(name);
    if (system.modules.get(name) !== module) {
      throw new ImportStateError(
        `system.modules does not hold the module '${name}' it was just given: use a Map that keeps its entries`,
      );
    }
    return module;
  }

  /**
   * {@link PyImport_AddModuleObject} for a name given as a C string (`PyImport_AddModule`); the same
   * function in JavaScript. Returns the module `modules` holds (C: a borrowed reference).
   * @throws ImportStateError / ImportArgumentError as {@link PyImport_AddModuleObject}.
   */
  PyImport_AddModule(name: string): ModuleType {
    return this.PyImport_AddModuleObject(checkName(name, 'PyImport_AddModule'));
  }

  /**
   * The entry `modules` holds for `name` (`PyImport_GetModule`): `undefined` when there is none (C
   * returns `NULL` without an exception), `null` for a blocked name (Python's `None`). Never imports.
   * It does not wait for a module another import task is still initialising (see
   * {@link PyImport_GetModuleAsync}). Returns the object itself (C: a new reference).
   */
  PyImport_GetModule(name: string): unknown {
    return this.system.getModule(checkName(name, 'PyImport_GetModule'));
  }

  /**
   * {@link PyImport_GetModule} on the async path: a module another import task is still initialising
   * is waited for, as C waits on its module lock; `undefined` when its import failed (or replaced
   * the entry) meanwhile. A module initialising in the caller's own task (a cycle) is returned
   * partly filled.
   */
  PyImport_GetModuleAsync(name: string): Promise<unknown> {
    try {
      return this.system.getModuleAsync(checkName(name, 'PyImport_GetModuleAsync'));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The registry itself (`PyImport_GetModuleDict`, Python's `sys.modules`): `system.modules`, one per
   * system as C's is one per interpreter. C returns a borrowed reference: this is the live `Map`.
   */
  PyImport_GetModuleDict(): Map<string, unknown> {
    return this.system.modules;
  }

  // ---------------------------------------------------------------- executing code objects

  /**
   * Run the code object `co` as the module `name` and return what `modules` holds for it afterwards
   * (`PyImport_ExecCodeModule`; C: a new reference). The module is got or created, so one already
   * in `modules` is re-executed in place: a reload (`PyImport_ReloadModule` is the intended way to
   * reload). `__spec__` and `__loader__` are set when missing: the loader is a `SourceFileLoader`
   * when `co`'s file exists, else a loader that re-runs `co`; `__file__` is `co.filename`.
   * A dotted name creates no parent package.
   * @throws whatever `co` throws (C: `NULL` with the exception set); then `name` is removed from
   *   `modules`, even if it was there before (restoring it is the caller's job). ImportError when
   *   the code removed its own entry; ImportArgumentError when `co` is not a `CodeObject`.
   */
  PyImport_ExecCodeModule(name: string, co: CodeObject): unknown {
    return this.#exec('PyImport_ExecCodeModule', name, co, null, null);
  }

  /**
   * {@link PyImport_ExecCodeModule} with `__file__` set to `pathname` (`PyImport_ExecCodeModuleEx`);
   * `null` means `co.filename`.
   * @throws as {@link PyImport_ExecCodeModule}.
   */
  PyImport_ExecCodeModuleEx(name: string, co: CodeObject, pathname: string | null): unknown {
    return this.#exec('PyImport_ExecCodeModuleEx', name, co, pathname, null);
  }

  /**
   * {@link PyImport_ExecCodeModuleEx} with the compiled file `cpathname` too
   * (`PyImport_ExecCodeModuleWithPathnames`): `__cached__` is `cpathname`, and a `null` `pathname`
   * is derived from it: the source its cache path names (`sourceFromCache`), else `cpathname`
   * without its trailing `c` (`x.jsc` → `x.js`), when that file exists; otherwise `cpathname` itself.
   * @throws as {@link PyImport_ExecCodeModule}.
   */
  PyImport_ExecCodeModuleWithPathnames(
    name: string,
    co: CodeObject,
    pathname: string | null,
    cpathname: string | null,
  ): unknown {
    checkName(name, 'PyImport_ExecCodeModuleWithPathnames');
    const source = pathname ?? this.#sourceOf(cpathname);
    return this.#exec('PyImport_ExecCodeModuleWithPathnames', name, co, source, cpathname);
  }

  /**
   * {@link PyImport_ExecCodeModule} with `__file__ = pathname` and `__cached__ = cpathname`
   * (`PyImport_ExecCodeModuleObject`). When the module has no loader, it gets a
   * `SourcelessFileLoader` if `pathname === cpathname`, else a `SourceFileLoader` for `pathname`
   * (when that file exists), and its spec's `cached` is `cpathname` made absolute.
   * @throws as {@link PyImport_ExecCodeModule}.
   */
  PyImport_ExecCodeModuleObject(
    name: string,
    co: CodeObject,
    pathname: string | null,
    cpathname: string | null,
  ): unknown {
    return this.#exec('PyImport_ExecCodeModuleObject', name, co, pathname, cpathname);
  }

  // ---------------------------------------------------------------- importing

  /**
   * Import the module `name` and return it: the named module itself, not its top package
   * (`PyImport_ImportModule`, which C implements with {@link PyImport_Import}; C: a new reference).
   * @throws ModuleNotFoundError / ImportError (with the import machinery's frames trimmed from its
   *   stack), or whatever the module's code throws (C: `NULL` with the exception set).
   */
  PyImport_ImportModule(name: string): unknown {
    return this.PyImport_Import(checkName(name, 'PyImport_ImportModule'));
  }

  /**
   * Python's `__import__(name, globals, locals, fromlist)` with level 0 (`PyImport_ImportModuleEx`):
   * the top package without a `fromlist`, the named module with one.
   * @throws as {@link PyImport_ImportModuleLevel}.
   */
  PyImport_ImportModuleEx(
    name: string,
    globals: ImportGlobals | null = null,
    locals: unknown = null,
    fromlist: readonly unknown[] = [],
  ): unknown {
    return this.PyImport_ImportModuleLevel(name, globals, locals, fromlist, 0);
  }

  /**
   * Python's `__import__` (`PyImport_ImportModuleLevel`): import `name` (relative to the package
   * `globals` names when `level > 0`) and return the top package without a `fromlist`, the named
   * module with one, importing each `fromlist` entry that is a submodule.
   *
   * On failure the stack trace is trimmed as CPython's `remove_importlib_frames` trims it: every
   * frame of the import machinery (`@importlib/*`) for an `ImportError`; for another error only the
   * machinery's frames that lie beneath the code that threw (its calls into module code, finders and
   * loaders). Nothing is trimmed while a tracer listens (`-v`). While the import runs, errors record
   * 60 more frames than `Error.stackTraceLimit` (restored afterwards), so the trimmed trace still
   * reaches the caller.
   * @throws ModuleNotFoundError / ImportError / ImportArgumentError, or whatever the module's code
   *   throws (C: `NULL` with the exception set).
   */
  PyImport_ImportModuleLevel(
    name: string,
    globals: ImportGlobals | null = null,
    locals: unknown = null,
    fromlist: readonly unknown[] = [],
    level = 0,
  ): unknown {
    checkName(name, 'PyImport_ImportModuleLevel');
    const system = this.system;
    return callTrimmed(system, () => system.__import__(name, globals, locals, fromlist, level));
  }

  /**
   * {@link PyImport_ImportModuleLevel} for a name given as a Python `str` object
   * (`PyImport_ImportModuleLevelObject`); the same function in JavaScript.
   * @throws as {@link PyImport_ImportModuleLevel}.
   */
  PyImport_ImportModuleLevelObject(
    name: string,
    globals: ImportGlobals | null = null,
    locals: unknown = null,
    fromlist: readonly unknown[] = [],
    level = 0,
  ): unknown {
    return this.PyImport_ImportModuleLevel(name, globals, locals, fromlist, level);
  }

  /**
   * Import `name` through the `__import__` of `globals.__builtins__` (C reads the calling frame's
   * globals; JavaScript has no frames, so pass them), or `system.__import__` without one, with level
   * 0 and an empty fromlist, then return what `modules` holds for `name`: the named module, not its
   * top package (`PyImport_Import`; C: a new reference).
   * @throws ImportError when `name` is not in `modules` afterwards (Python's `KeyError`); whatever
   *   the `__import__` throws, its stack trimmed as {@link PyImport_ImportModuleLevel} trims it.
   *   (C: `NULL` with the exception set.)
   */
  PyImport_Import(name: string, globals: ImportHookGlobals | null = null): unknown {
    checkName(name, 'PyImport_Import');
    const system = this.system;
    const builtins = getAttr(globals, '__builtins__');
    const hook = getAttr(builtins, '__import__');
    callTrimmed(system, () =>
      typeof hook === 'function'
        ? (hook as ImportFunction)(name, globals, globals, [], 0)
        : system.__import__(name, globals, globals, [], 0),
    );
    if (!system.modules.has(name)) {
      throw new ImportError(
        `'${name}' is not in modules after __import__('${name}') returned (Python raises KeyError): the __import__ in use did not register it`,
        { moduleName: name },
      );
    }
    return system.modules.get(name);
  }

  /**
   * Reload `m` in place and return what `modules` holds for it afterwards (`PyImport_ReloadModule`,
   * Python's `importlib.reload`; C: a new reference).
   * @throws ImportError when `m` is not in `modules` or can no longer be found; whatever its code
   *   throws (C: `NULL` with the exception set). The module still exists (it stays in `modules`)
   *   after a failed reload.
   */
  PyImport_ReloadModule<T>(m: T): T {
    return this.system.reload(m);
  }

  /**
   * Import (or import again, in place) the frozen module `name` (`PyImport_ImportFrozenModule`):
   * 1 when it was imported, 0 when there is no such frozen module (or the system has no
   * `FrozenImporter`). C returns -1 with an exception set on failure; this throws the error instead.
   * @throws ImportError for an excluded or invalid entry; RequireAsyncError for a module that awaits
   *   at top level; whatever the module's code throws (a new module is then removed from `modules`).
   */
  PyImport_ImportFrozenModule(name: string): 1 | 0 {
    checkName(name, 'PyImport_ImportFrozenModule');
    const importer = frozenImporterOf(this.system);
    if (!importer) return 0;
    return importer.initFrozen(name) === null ? 0 : 1;
  }

  /**
   * {@link PyImport_ImportFrozenModule} for a name given as a Python `str` object
   * (`PyImport_ImportFrozenModuleObject`); the same function in JavaScript.
   * @throws as {@link PyImport_ImportFrozenModule}.
   */
  PyImport_ImportFrozenModuleObject(name: string): 1 | 0 {
    return this.PyImport_ImportFrozenModule(name);
  }

  // ---------------------------------------------------------------- builtins, importers, magic

  /**
   * Add the built-in module `name`, filled by `initfunc`, to the system's inittab
   * (`PyImport_AppendInittab`). Unlike C, where this must happen before `Py_Initialize`, an entry
   * can be added at any time; imports of `name` made afterwards find it. C returns 0 or -1; this
   * returns a function that removes the entry again.
   * @throws ImportArgumentError for a dotted or invalid name, a repeated name or an `initfunc` that is
   *   not a function; ImportStateError when the system has no `BuiltinImporter` (C: -1).
   */
  PyImport_AppendInittab(name: string, initfunc: InittabInit): () => void {
    checkName(name, 'PyImport_AppendInittab');
    return requireBuiltinImporter(this.system, 'PyImport_AppendInittab').inittab.appendInittab(
      name,
      initfunc,
    );
  }

  /**
   * Add several built-in modules at once, all or none (`PyImport_ExtendInittab`); returns a function
   * that removes them all.
   * @throws as {@link PyImport_AppendInittab}.
   */
  PyImport_ExtendInittab(entries: Iterable<readonly [string, InittabInit]>): () => void {
    return requireBuiltinImporter(this.system, 'PyImport_ExtendInittab').inittab.extendInittab(entries);
  }

  /**
   * The finder of the path entry `path` (`PyImport_GetImporter`): from `system.pathImporterCache`,
   * else from the first path hook that accepts it, cached there; `null` when no hook does (also
   * cached). C: a new reference.
   * @throws whatever a path hook throws other than an `ImportError` (which means "not mine"); C:
   *   `NULL` with the exception set.
   */
  PyImport_GetImporter(path: string): PathEntryFinder | null {
    if (typeof path !== 'string') {
      throw new ImportArgumentError(`PyImport_GetImporter() needs a path string, not ${typeof path}`);
    }
    return this.system.pathFinder.finderFor(path);
  }

  /**
   * The magic number of compiled files, as a little-endian integer (`PyImport_GetMagicNumber`): the
   * first 4 bytes of every `.jsc` file, read as a number.
   */
  PyImport_GetMagicNumber(): number {
    return getMagicNumber();
  }

  /** The tag in compiled file names, `importlib-1` (`PyImport_GetMagicTag`, Python's `cpython-313`). */
  PyImport_GetMagicTag(): string {
    return getMagicTag();
  }

  // ---------------------------------------------------------------- helpers

  #exec(
    what: string,
    name: string,
    co: CodeObject,
    pathname: string | null,
    cpathname: string | null,
  ): unknown {
    checkName(name, what);
    checkCode(co, name, what);
    const options: ExecCodeModuleOptions = {
      pathname,
      cpathname,
      loader: this.#loaderFor(name, co, pathname, cpathname),
    };
    return this.system.execCodeModule(name, co, options);
  }

  /**
   * The loader Python's `_fix_up_module` gives a module without one: a `SourcelessFileLoader` when
   * `pathname === cpathname`, else a `SourceFileLoader`; here only when the file exists (otherwise
   * the core's loader that re-runs the code object, so a reload still works).
   */
  #loaderFor(name: string, co: CodeObject, pathname: string | null, cpathname: string | null): Loader | null {
    const file = pathname ?? co.filename;
    if (!isFile(file)) return null;
    const context = contextOf(this.system);
    return cpathname !== null && file === cpathname
      ? new SourcelessFileLoader(name, file, context)
      : new SourceFileLoader(name, file, context);
  }

  /** Python's `_get_sourcefile`: the source of the compiled file `cpathname`, or `cpathname` itself. */
  #sourceOf(cpathname: string | null): string | null {
    if (cpathname === null || cpathname === '') return null;
    if (!cpathname.endsWith(COMPILED_SUFFIX)) return cpathname;
    let source: string;
    try {
      source = sourceFromCache(cpathname, contextOf(this.system).cachePaths);
    } catch {
      source = cpathname.slice(0, -1);
    }
    return isFile(source) ? source : cpathname;
  }
}

/**
 * Make the C API functions bound to `system` (C's functions for that interpreter).
 * @example
 * const capi = createCapi(system);
 * const module = capi.PyImport_ImportModule('app.main');
 */
export function createCapi(system: ImportSystem): CApi {
  return new CApi(system);
}

/** The type of an inittab init function, re-exported for `PyImport_AppendInittab` callers. */
export type { InittabInit };
