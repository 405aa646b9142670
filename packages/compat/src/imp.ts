/**
 * `imp`: Python 2's `imp` module over an `ImportSystem`, every function and constant under its Python
 * name. Python's `sys.modules`, `sys.path` and the import lock are the bound system's `modules`,
 * `path` and global import lock.
 */
import { join, resolve } from 'node:path';

import {
  checkModuleName,
  decodeSegment,
  encodeSegment,
  getAttr,
  ImportArgumentError,
  ImportError,
  initModuleAttrs,
  moduleFromSpec,
  ModuleNotFoundError,
  newModule,
  setAttr,
  specFromFileLocation,
  type ImportSystem,
  type Loader,
  type ModuleType,
} from '@importlib/core';
import { getSuffixes } from '@importlib/hooks';
import {
  ExtensionFileLoader,
  JsonFileLoader,
  PACKAGE_MARKERS,
  SourceFileLoader,
  SourcelessFileLoader,
  type LoaderContext,
} from '@importlib/loaders';

import {
  C_BUILTIN,
  C_EXTENSION,
  IMP_HOOK,
  PKG_DIRECTORY,
  PY_CODERESOURCE,
  PY_COMPILED,
  PY_FROZEN,
  PY_RESOURCE,
  PY_SOURCE,
  SEARCH_ERROR,
  type FileMode,
  type ModuleDescription,
  type ModuleKind,
} from './constants.js';
import { ModuleFile } from './module-file.js';
import { NullImporter } from './null-importer.js';
import {
  bindMethods,
  builtinImporterOf,
  checkName,
  contextOf,
  frozenImporterOf,
  isDirectory,
  isFile,
  systemGetter,
  type SystemSource,
} from './system-parts.js';

/** What {@link Imp.find_module} returns: `[file, pathname, description]`. */
export type FindModuleResult = [file: ModuleFile | null, pathname: string, description: ModuleDescription];

const KIND_OF_SUFFIX = {
  extension: [C_EXTENSION, 'rb'],
  source: [PY_SOURCE, 'r'],
  compiled: [PY_COMPILED, 'rb'],
  json: [PY_RESOURCE, 'r'],
} as const;

/** A file a `load_dynamic` loaded, per system: Python's extension cache, keyed by file name. */
interface LoadedExtension {
  /** The registry entry the first load made. */
  readonly exports: unknown;
  /** A copy of its attributes as the init function left them (Python's cached `__dict__`). */
  readonly attributes: Readonly<Record<string, unknown>>;
}
const extensionCaches = new WeakMap<ImportSystem, Map<string, LoadedExtension>>();

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function checkPathname(pathname: unknown, name: string, what: string): string {
  if (typeof pathname !== 'string' || pathname === '') {
    throw new ImportArgumentError(`${what}('${name}', pathname) needs the path of the file to load`);
  }
  return pathname;
}

function checkFile(file: ModuleFile | null | undefined, name: string, what: string): void {
  if (file === null || file === undefined) return;
  if (!(file instanceof ModuleFile)) {
    throw new ImportArgumentError(
      `${what}('${name}', pathname, file): file must be a ModuleFile (as find_module() returns), not ${typeof file}`,
    );
  }
  if (file.closed) {
    throw new ImportArgumentError(`${what}('${name}'): the file '${file.name}' is already closed`);
  }
}

/**
 * Python 2's `imp` module bound to one import system. Get one with `createImp(system)`, or use the
 * package's `imp` (bound to a default system made on first use). Its methods are bound: they can be
 * taken off the object (`const { find_module, load_module } = imp`).
 */
export class Imp {
  /** Unused (`imp.SEARCH_ERROR`, 0). */
  readonly SEARCH_ERROR = SEARCH_ERROR;
  /** Found as a source file: TypeScript or JavaScript (`imp.PY_SOURCE`, 1). */
  readonly PY_SOURCE = PY_SOURCE;
  /** Found as a compiled code file, `.jsc` (`imp.PY_COMPILED`, 2). */
  readonly PY_COMPILED = PY_COMPILED;
  /** Found as a dynamically loadable library, a `.node` addon (`imp.C_EXTENSION`, 3). */
  readonly C_EXTENSION = C_EXTENSION;
  /** A resource: here, a JSON data module (`imp.PY_RESOURCE`, 4). */
  readonly PY_RESOURCE = PY_RESOURCE;
  /** Found as a package directory (`imp.PKG_DIRECTORY`, 5). */
  readonly PKG_DIRECTORY = PKG_DIRECTORY;
  /** Found as a built-in module (`imp.C_BUILTIN`, 6). */
  readonly C_BUILTIN = C_BUILTIN;
  /** Found as a frozen module (`imp.PY_FROZEN`, 7). */
  readonly PY_FROZEN = PY_FROZEN;
  /** A Macintosh code resource, never returned (`imp.PY_CODERESOURCE`, 8). */
  readonly PY_CODERESOURCE = PY_CODERESOURCE;
  /** Found by an import hook, never returned by `find_module` (`imp.IMP_HOOK`, 9). */
  readonly IMP_HOOK = IMP_HOOK;
  /** The path-entry finder that finds nothing (Python's `imp.NullImporter`). */
  readonly NullImporter = NullImporter;

  readonly #system: () => ImportSystem;

  /** Bind `imp` to `system` (or to the system a function returns, asked on first use). */
  constructor(system: SystemSource) {
    this.#system = systemGetter(system);
    bindMethods(this, Imp.prototype);
  }

  /** The import system this object works on (Python's interpreter state: `sys.modules`, `sys.path`, ...). */
  get system(): ImportSystem {
    return this.#system();
  }

  /**
   * The magic number that starts every compiled file this system writes (Python's
   * `imp.get_magic()`): 4 bytes, which change with the format, the transpiler and its options. A
   * copy.
   */
  get_magic(): Uint8Array {
    return contextOf(this.system).magic.slice();
  }

  /**
   * The kinds of module file, in the order a folder is searched (Python's `imp.get_suffixes()`): one
   * `[suffix, mode, type]` triple per suffix, `mode` being how to open the file (`'r'` text, `'rb'`
   * binary) and `type` one of `PY_SOURCE`, `PY_COMPILED`, `C_EXTENSION`, and `PY_RESOURCE` for JSON.
   * Extensions first, then sources, then compiled files, as Python 3's `imp` ordered them.
   */
  get_suffixes(): ModuleDescription[] {
    return getSuffixes().map(({ suffix, kind }) => {
      const [type, mode] = KIND_OF_SUFFIX[kind];
      return [suffix, mode, type] as const;
    });
  }

  /**
   * Find the module `name` (Python's `imp.find_module`). Without `path`, a built-in module
   * (`C_BUILTIN`) is looked for first, then a frozen one (`PY_FROZEN`), then each folder of
   * `system.path`; with `path`, only its folders are searched. In each folder a package (a folder
   * with an `__init__` or `index` source or compiled file) comes before a module file; module files
   * are tried in `get_suffixes()` order. Entries that are not folders are skipped silently.
   *
   * Returns `[file, pathname, description]`: for a module file, `file` is a {@link ModuleFile} open
   * at its beginning (close it: `file?.close()`), `pathname` the file and `description` its
   * `get_suffixes()` triple; for a package, `[null, folder, ['', '', PKG_DIRECTORY]]`; for a
   * built-in or frozen module, `[null, '', ['', '', C_BUILTIN or PY_FROZEN]]`.
   *
   * Dotted names are not handled: find `P` first, then `find_module('M', P.__path__)`.
   *
   * @throws ModuleNotFoundError when nothing is found; ImportError for a dotted name;
   *   ImportArgumentError when `path` is not a list of strings.
   */
  find_module(name: string, path?: Iterable<string> | null): FindModuleResult {
    checkName(name, 'find_module');
    if (name.includes('.')) {
      throw new ImportError(
        `find_module() does not handle dotted names ('${name}'): find and load the package first, then call find_module() with the last name and the package's __path__`,
        { moduleName: name },
      );
    }
    checkModuleName(name);
    let entries: readonly unknown[];
    if (path === null || path === undefined) {
      const system = this.system;
      if (this.is_builtin(name) !== 0) return [null, '', ['', '', C_BUILTIN]];
      if (this.is_frozen(name)) return [null, '', ['', '', PY_FROZEN]];
      entries = [...system.path];
    } else {
      if (typeof path === 'string' || typeof (path as Iterable<unknown>)[Symbol.iterator] !== 'function') {
        throw new ImportArgumentError(`find_module('${name}', path): path must be a list of folder names`);
      }
      entries = [...path];
      const bad = entries.find((entry) => typeof entry !== 'string');
      if (bad !== undefined) {
        throw new ImportArgumentError(
          `find_module('${name}', path): every path item must be a string, not ${bad === null ? 'null' : typeof bad}`,
        );
      }
    }
    const stem = decodeSegment(name);
    if (encodeSegment(stem) === name) {
      const suffixes = this.get_suffixes();
      for (const entry of entries as string[]) {
        const found = findInFolder(entry, stem, suffixes);
        if (found) return found;
      }
    }
    throw new ModuleNotFoundError(`No module named '${name}'`, { moduleName: name });
  }

  /**
   * Load a module found by {@link find_module} (Python's `imp.load_module`). If the module is already
   * in `modules`, it is loaded again in place: the same as `reload()`. `name` is the full name
   * (`'P.M'` for a submodule); `file` and `pathname` are `null` and `''` for a module that is not a
   * file, and `file` is not closed by this function: the caller closes it, even when loading throws.
   *
   * By type: `PY_SOURCE` → {@link load_source}, `PY_COMPILED` → {@link load_compiled},
   * `C_EXTENSION` → {@link load_dynamic}, `PKG_DIRECTORY` → the package's `__init__`/`index` file,
   * `C_BUILTIN` → {@link init_builtin}, `PY_FROZEN` → {@link init_frozen}, `PY_RESOURCE` → the JSON
   * file.
   *
   * @throws ImportArgumentError for a mode other than a read mode, or a `null` file for `PY_SOURCE` /
   *   `PY_COMPILED` (Python's `ValueError`); ImportError for an unknown type, or a built-in or frozen
   *   module that does not exist; whatever loading the module throws.
   */
  load_module(
    name: string,
    file: ModuleFile | null,
    pathname: string | null,
    description: ModuleDescription,
  ): unknown {
    checkName(name, 'load_module');
    if (!Array.isArray(description) || description.length !== 3) {
      throw new ImportArgumentError(
        `load_module('${name}', ...): description must be a (suffix, mode, type) triple as find_module() returns`,
      );
    }
    const [, mode, type] = description as [string, string, number];
    if (mode && (!mode.startsWith('r') || mode.includes('+'))) {
      throw new ImportArgumentError(`load_module('${name}', ...): invalid file open mode '${mode}'`);
    }
    if ((file === null || file === undefined) && (type === PY_SOURCE || type === PY_COMPILED)) {
      throw new ImportArgumentError(
        `load_module('${name}', ...): a file object is required for import (type code ${type}); pass the file find_module() returned`,
      );
    }
    switch (type) {
      case PY_SOURCE:
        return this.load_source(name, pathname as string, file);
      case PY_COMPILED:
        return this.load_compiled(name, pathname as string, file);
      case C_EXTENSION:
        return this.load_dynamic(name, pathname as string, file);
      case PY_RESOURCE:
        return this.#loadValue(
          name,
          new JsonFileLoader(name, checkPathname(pathname, name, 'load_module'), this.system),
        );
      case PKG_DIRECTORY:
        return this.#loadPackage(name, checkPathname(pathname, name, 'load_module'));
      case C_BUILTIN: {
        const module = this.init_builtin(name);
        if (module === null) {
          throw new ImportError(`Purported built-in module '${name}' not found: there is no such builtin`, {
            moduleName: name,
          });
        }
        return module;
      }
      case PY_FROZEN: {
        const module = this.init_frozen(name);
        if (module === null) {
          throw new ImportError(
            `Purported frozen module '${name}' not found: there is no such frozen module`,
            {
              moduleName: name,
            },
          );
        }
        return module;
      }
      default:
        throw new ImportError(
          `Don't know how to import '${name}' (type code ${String(type)}); use a description find_module() or get_suffixes() returned`,
          { moduleName: name, path: pathname || null },
        );
    }
  }

  /** A new, empty module called `name`, not put into `modules` (Python's `imp.new_module`). */
  new_module(name: string): ModuleType {
    return newModule(checkName(name, 'new_module'));
  }

  /**
   * Whether the global import lock is held (Python's `imp.lock_held`). The import system holds it
   * while each finder runs; {@link acquire_lock} holds it until {@link release_lock}.
   */
  lock_held(): boolean {
    return this.system.lockHeld();
  }

  /**
   * Take the global import lock for the current import task (Python's `imp.acquire_lock`). It is
   * reentrant: the holder may take it again, and must release it once per take. While it is held,
   * imports by other tasks wait before asking any finder.
   * @throws ImportLockError when another import task holds it (a synchronous call cannot wait; use
   *   `system.acquireLockAsync()`).
   */
  acquire_lock(): void {
    this.system.acquireLock();
  }

  /**
   * Release the global import lock (Python's `imp.release_lock`).
   * @throws ImportLockError when the caller does not hold it (Python's `RuntimeError`).
   */
  release_lock(): void {
    this.system.releaseLock();
  }

  /**
   * Initialise the built-in module `name` and return it, stored in `modules` (Python's
   * `imp.init_builtin`), or `null` when there is no such builtin. An inittab module already
   * initialised is initialised again in place (its init runs again on the same object); a Node core
   * module is Node's own object, put back into `modules`.
   * @throws whatever the init function throws (the module is then not in `modules`).
   */
  init_builtin(name: string): unknown {
    checkName(name, 'init_builtin');
    const importer = builtinImporterOf(this.system);
    return importer ? importer.initBuiltin(name) : null;
  }

  /**
   * Initialise the frozen module `name` and return it (Python's `imp.init_frozen`), or `null` when
   * there is no such frozen module (or the system has no `FrozenImporter`). A module already in
   * `modules` is initialised again: its frozen code runs again in the same object.
   * @throws ImportError for an excluded or invalid entry; RequireAsyncError for a module that awaits
   *   at top level; whatever its code throws (a new module is then removed from `modules`).
   */
  init_frozen(name: string): unknown {
    checkName(name, 'init_frozen');
    const importer = frozenImporterOf(this.system);
    return importer ? importer.initFrozen(name) : null;
  }

  /**
   * Whether `name` is a built-in module (Python's `imp.is_builtin`): 1 for one that can be
   * initialised again (an inittab entry), -1 for one that cannot (a Node core module), 0 for none.
   */
  is_builtin(name: string): 1 | -1 | 0 {
    checkName(name, 'is_builtin');
    return builtinImporterOf(this.system)?.isBuiltin(name) ?? 0;
  }

  /**
   * Whether there is a frozen module called `name` (Python's `imp.is_frozen`): `true` when a bundle of
   * the system's `FrozenImporter` has a usable entry for it.
   */
  is_frozen(name: string): boolean {
    checkName(name, 'is_frozen');
    return frozenImporterOf(this.system)?.isFrozen(name) ?? false;
  }

  /**
   * Load the compiled file `pathname` (a `.jsc` file) as the module `name` and return it (Python's
   * `imp.load_compiled`). A module already in `modules` is initialised again in place. `file`, when
   * given, must be an open {@link ModuleFile}; the code is read from `pathname`.
   *
   * As Python 2 (which ran it through `PyImport_ExecCodeModuleEx`): `__file__` is `pathname`, and on
   * failure `name` is removed from `modules`, even if it was there before.
   * @throws ImportError / `CompiledCacheError` for an unreadable or foreign file; whatever the code
   *   throws.
   */
  load_compiled(name: string, pathname: string, file?: ModuleFile | null): unknown {
    checkName(name, 'load_compiled');
    checkPathname(pathname, name, 'load_compiled');
    checkFile(file, name, 'load_compiled');
    const loader = new SourcelessFileLoader(name, resolve(pathname), this.#context());
    return this.#execFile(name, loader, pathname, pathname);
  }

  /**
   * Load the native addon `pathname` (a `.node` file) as the module `name` and return it (Python's
   * `imp.load_dynamic`); `file` is ignored. Addons are known by file name, per system: the first
   * `load_dynamic` of a file runs its init function; later ones (under any name) do not, and copy the
   * attributes the init left over the entry `modules` holds for `name` (Python's re-initialisation:
   * "copying the `__dict__` of the cached instance"), or register the first load's exports when there
   * is none. So `load_dynamic('foo', 'mod.node')` and `load_dynamic('bar', 'mod.node')` give the same
   * module.
   * @throws ExtensionLoadError when the file is not a loadable addon (nothing is registered).
   */
  load_dynamic(name: string, pathname: string, _file?: ModuleFile | null): unknown {
    checkName(name, 'load_dynamic');
    const system = this.system;
    const path = resolve(checkPathname(pathname, name, 'load_dynamic'));
    let cache = extensionCaches.get(system);
    if (!cache) {
      cache = new Map();
      extensionCaches.set(system, cache);
    }
    const entry = system.modules.get(name);
    const cached = cache.get(path);
    if (cached) {
      if (isObjectLike(entry)) {
        for (const [key, value] of Object.entries(cached.attributes)) setAttr(entry, key, value);
        return entry;
      }
      system.modules.set(name, cached.exports);
      return cached.exports;
    }
    const loader = new ExtensionFileLoader(name, path, system);
    const module = moduleFromSpec(specFromFileLocation(name, path, { loader }));
    loader.execModule(module); // registers the exports under `name`; throws before touching `modules`
    const exports = system.modules.get(name);
    const attributes = isObjectLike(exports) ? { ...exports } : {};
    cache.set(path, { exports, attributes });
    if (isObjectLike(entry) && entry !== exports) {
      for (const [key, value] of Object.entries(attributes)) setAttr(entry, key, value);
      system.modules.set(name, entry);
      return entry;
    }
    return exports;
  }

  /**
   * Load the source file `pathname` (TypeScript or JavaScript) as the module `name` and return it
   * (Python's `imp.load_source`). A module already in `modules` is initialised again in place. When
   * a matching compiled file exists in the cache (fresh for this source), it is used instead of
   * transpiling the source. `file`, when given, must be an open {@link ModuleFile}; the source is read
   * from `pathname`.
   *
   * As Python 2 (which ran it through `PyImport_ExecCodeModuleEx`): `__file__` is `pathname`,
   * `__cached__` the compiled file, and on failure `name` is removed from `modules`, even if it was
   * there before. No compiled file is written (an import writes it).
   * @throws ImportError when the file cannot be read; ImportSyntaxError; whatever the code throws.
   */
  load_source(name: string, pathname: string, file?: ModuleFile | null): unknown {
    checkName(name, 'load_source');
    checkPathname(pathname, name, 'load_source');
    checkFile(file, name, 'load_source');
    const path = resolve(pathname);
    const loader = new SourceFileLoader(name, path, this.#context());
    return this.#execFile(name, loader, pathname, loader.getCached(path));
  }

  /**
   * Reload a module in place and return it (Python's `imp.reload` / `reload()`): its spec is found
   * again and its code re-run in the *same* object, so names the new code no longer defines linger,
   * other modules' bindings to its old values are not updated, and instances keep their old class.
   * @throws ImportError when the module is not in `modules` or can no longer be found; whatever the
   *   code throws (the module stays in `modules`).
   */
  reload<T>(module: T): T {
    return this.system.reload(module);
  }

  #context(): LoaderContext {
    return contextOf(this.system);
  }

  /** Run the code of a code-file loader as `name`, the way Python 2's loaders did (`ExecCodeModuleEx`). */
  #execFile(
    name: string,
    loader: SourceFileLoader | SourcelessFileLoader,
    pathname: string,
    cpathname: string | null,
  ): unknown {
    const code = loader.getCode(name);
    return this.system.execCodeModule(name, code, { pathname, cpathname, loader });
  }

  /** Load a module whose registry entry is a value (JSON): a new entry each time; removed on failure. */
  #loadValue(name: string, loader: Loader & { readonly path: string }): unknown {
    const system = this.system;
    const module = moduleFromSpec(specFromFileLocation(name, loader.path, { loader }));
    system.modules.set(name, module);
    try {
      loader.execModule?.(module);
    } catch (error) {
      system.modules.delete(name);
      throw error;
    }
    return system.modules.get(name);
  }

  /**
   * Load the package in folder `dir` as `name` (Python 2's `load_package`): `__path__` is `[dir]`,
   * then its `__init__` or `index` file runs in the module (in place when it is already imported).
   */
  #loadPackage(name: string, dir: string): unknown {
    const init = isDirectory(dir) ? packageInit(dir, this.get_suffixes()) : null;
    if (init === null) {
      throw new ImportArgumentError(
        `load_module('${name}', null, '${dir}', PKG_DIRECTORY): '${dir}' is not a package (no __init__ or index source or compiled file)`,
      );
    }
    const [initPath, type] = init;
    const folder = resolve(dir);
    const context = this.#context();
    const loader =
      type === PY_SOURCE
        ? new SourceFileLoader(name, resolve(initPath), context)
        : new SourcelessFileLoader(name, resolve(initPath), context);
    const module = this.system.addModule(name);
    if (getAttr(module, '__spec__') == null) {
      initModuleAttrs(
        specFromFileLocation(name, initPath, { loader, submoduleSearchLocations: [folder] }),
        module,
      );
    }
    setAttr(module, '__path__', [folder]);
    const cpathname = type === PY_SOURCE ? loader.getCached(loader.path) : initPath;
    return this.#execFile(name, loader, initPath, cpathname);
  }
}

/** The `__init__`/`index` file of a package folder (source or compiled), with its type, or `null`. */
function packageInit(dir: string, suffixes: readonly ModuleDescription[]): [string, ModuleKind] | null {
  for (const marker of PACKAGE_MARKERS) {
    for (const [suffix, , type] of suffixes) {
      if (type !== PY_SOURCE && type !== PY_COMPILED) continue;
      const file = join(dir, marker + suffix);
      if (isFile(file)) return [file, type as ModuleKind];
    }
  }
  return null;
}

/** Look for the module file or package `stem` in the folder `entry`. */
function findInFolder(
  entry: string,
  stem: string,
  suffixes: readonly ModuleDescription[],
): FindModuleResult | null {
  if (!isDirectory(entry === '' ? '.' : entry)) return null;
  const packageDir = join(entry, stem);
  if (isDirectory(packageDir) && packageInit(packageDir, suffixes) !== null) {
    return [null, packageDir, ['', '', PKG_DIRECTORY]];
  }
  for (const description of suffixes) {
    const [suffix, mode] = description;
    const file = join(entry, stem + suffix);
    if (isFile(file)) return [new ModuleFile(file, mode as FileMode), file, description];
  }
  return null;
}

/**
 * Make an `imp` bound to `system` (Python's `imp` module for that interpreter).
 * @example
 * const imp = createImp(createImportSystem({ path: ['src'] }));
 * const [file, pathname, description] = imp.find_module('app');
 */
export function createImp(system: ImportSystem): Imp {
  return new Imp(system);
}
