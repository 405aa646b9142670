/**
 * `FrozenImporter`: the meta-path finder of frozen modules (Python's `FrozenImporter`, with
 * `_imp.is_frozen`, `_imp.is_frozen_package`, `_imp.find_frozen`, `_imp.get_frozen_object` and
 * `PyImport_ImportFrozenModuleObject` as {@link FrozenImporter.initFrozen}), serving the modules of
 * the frozen bundles it is given; and {@link FrozenImporter.pathHook}, which makes a bundle file on
 * `system.path` work as a folder of modules does.
 *
 * The bundles are searched in the order given (Python searches its tables in order too: the first
 * that has an entry wins, so an earlier bundle overrides a later one). The reading, checking and
 * running live in `FrozenBundle` and `FrozenLoader` (`@importlib/loaders`).
 */
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';

import {
  getAttr,
  ImportError,
  initModuleAttrs,
  isModule,
  ModuleSpec,
  RequireAsyncError,
  setAttr,
  type CodeObject,
  type ImportSystem,
  type MetaPathFinder,
  type ModuleType,
  type PathEntryFinder,
  type PathHook,
} from '@importlib/core';
import {
  checkFrozenUsable,
  FROZEN_ORIGIN,
  FrozenBundle,
  FrozenLoader,
  isBundleFile,
  type FrozenLoaderOptions,
  type FrozenLoaderState,
  type FrozenLookup,
} from '@importlib/loaders';

import { withoutStack } from './decline.js';
import type { ListingCache } from './listing-cache.js';
import { splitAtFile } from './split-at-file.js';

/** Options of the {@link FrozenImporter} constructor. */
export interface FrozenImporterOptions {
  /** The system the importer serves: frozen code imports through it. */
  system: ImportSystem;
  /**
   * The bundles, in search order: files (read, and checked, when the importer is made) or bundles
   * already read.
   */
  bundles: readonly (string | FrozenBundle)[];
  /**
   * Fall back to Node's own resolution for a bare specifier no finder claims (npm dependencies).
   * @default true
   */
  nodeFallback?: boolean;
  /** @internal Told of every body compiled (`freeze` makes V8 caches after a warm-up run with it). */
  onCompiled?: FrozenLoaderOptions['onCompiled'];
}

/** What {@link FrozenImporter.findFrozen} returns (Python's `_imp.find_frozen` tuple). */
export interface FrozenInfo {
  /** The module's code (Python's `data`). */
  code: CodeObject | null;
  /** The module is a package. */
  isPackage: boolean;
  /** The module's original name, or `null`. */
  origname: string | null;
}

function loaderState(lookup: FrozenLookup): FrozenLoaderState {
  return { filename: lookup.entry.filename, origname: lookup.entry.origname };
}

/** Finds frozen modules for one import system (put it on `system.metaPath`, after the builtin importer). */
export class FrozenImporter implements MetaPathFinder {
  /** The system this importer serves. */
  readonly system: ImportSystem;
  /** The loader of every spec this importer returns. */
  readonly loader: FrozenLoader;

  /**
   * Read the bundles given as files. Throws `FrozenBundleError` (`@importlib/loaders`) naming a bundle
   * that cannot be read or is not a usable bundle.
   */
  constructor(options: FrozenImporterOptions) {
    this.system = options.system;
    const bundles = options.bundles.map((bundle) =>
      typeof bundle === 'string' ? FrozenBundle.read(bundle) : bundle,
    );
    this.loader = new FrozenLoader(this.system, bundles, {
      nodeFallback: options.nodeFallback,
      onCompiled: options.onCompiled,
    });
  }

  /** The bundles, in search order. */
  get bundles(): readonly FrozenBundle[] {
    return this.loader.bundles;
  }

  /**
   * Return the spec of the frozen module `name`, or `null` when no bundle has it. The path and target
   * are ignored, as in Python. The spec's `origin` is `'frozen'`, it has no location, its
   * `loaderState` is `{ filename, origname }`, and a package's search locations are the original
   * folder when the bundle recorded the file, else `[]`. Throws `ImportError` for an excluded or
   * invalid entry (Python's `find_frozen` does).
   */
  findSpec(
    name: string,
    _path: readonly string[] | null = null,
    _target?: ModuleType | null,
  ): ModuleSpec | null {
    const found = this.loader.lookup(name);
    if (!found) return null;
    checkFrozenUsable(found);
    return frozenSpec(name, this.loader, found, null);
  }

  /** Tell whether `name` is a usable frozen module (Python's `_imp.is_frozen`): excluded or invalid entries are not. */
  isFrozen(name: string): boolean {
    const found = this.loader.lookup(name);
    return found !== null && !found.entry.excluded && !found.entry.invalid;
  }

  /**
   * Tell whether the frozen module `name` is a package (Python's `_imp.is_frozen_package`; an excluded
   * entry still answers). Throws `ImportError` when `name` is not frozen or its entry is invalid.
   */
  isFrozenPackage(name: string): boolean {
    const found = this.loader.lookup(name);
    if (!found) throw new ImportError(`No such frozen object named '${name}'`, { moduleName: name });
    if (found.entry.invalid) checkFrozenUsable(found);
    return found.entry.isPackage;
  }

  /**
   * What the bundles hold for `name` (Python's `_imp.find_frozen`): `null` when it is not frozen,
   * else its code, whether it is a package, and its original name. Throws `ImportError` for an
   * excluded or invalid entry.
   */
  findFrozen(name: string): FrozenInfo | null {
    const found = this.loader.lookup(name);
    if (!found) return null;
    checkFrozenUsable(found);
    return {
      code: this.loader.getCode(name),
      isPackage: found.entry.isPackage,
      origname: found.entry.origname,
    };
  }

  /**
   * The code object of the frozen module `name` (Python's `_imp.get_frozen_object`). Throws
   * `ImportError` when it is not frozen, excluded or invalid.
   */
  getFrozenObject(name: string): CodeObject {
    return this.loader.getCode(name);
  }

  /**
   * Import the frozen module `name` the way `PyImport_ImportFrozenModuleObject` does, and return what
   * `modules` holds for it afterwards; `null` when it is not frozen. A module already in `modules` is
   * executed again in place (its other attributes stay); otherwise a new module is made, registered,
   * and removed again if its code throws. A package gets `__path__ = []` before its code runs; the
   * module gets `__origname__`. Throws `ImportError` for an excluded or invalid entry,
   * `RequireAsyncError` for a body with top-level `await` (import it with `importModuleAsync`), and
   * whatever the module's code throws.
   *
   * Unlike Python, a failed re-execution of a module already in `modules` leaves it registered.
   */
  initFrozen(name: string): ModuleType | null {
    const found = this.loader.lookup(name);
    if (!found) return null;
    checkFrozenUsable(found);
    if (found.entry.isAsync) {
      throw new RequireAsyncError(
        `the frozen module '${name}' awaits at top level: import it with importModuleAsync`,
        { moduleName: name, path: found.bundle.path },
      );
    }
    const code = this.loader.getCode(name);
    const modules = this.system.modules;
    const existing = modules.get(name);
    if (isModule(existing)) {
      if (getAttr(existing, '__spec__') == null) {
        initModuleAttrs(frozenSpec(name, this.loader, found, null), existing);
      }
      prepare(existing, found);
      code.exec(existing);
      return modules.get(name) as ModuleType;
    }
    const spec = frozenSpec(name, this.loader, found, null);
    const module = this.loader.createModule(spec);
    initModuleAttrs(spec, module);
    prepare(module, found);
    spec.initializing = true;
    modules.set(name, module);
    try {
      code.exec(module);
    } catch (error) {
      modules.delete(name);
      throw error;
    } finally {
      spec.initializing = false;
    }
    return modules.get(name) as ModuleType;
  }

  /** The code object of `fullname` (Python's `FrozenImporter.get_code`): what {@link getFrozenObject} gives. */
  getCode(fullname: string): CodeObject {
    return this.loader.getCode(fullname);
  }

  /** Frozen modules have no source (Python's `FrozenImporter.get_source` returns `None`). */
  getSource(_fullname?: string): null {
    return null;
  }

  /**
   * Tell whether the frozen module `fullname` is a package (Python's `FrozenImporter.is_package`).
   * Throws `ImportError` when it is not frozen.
   */
  isPackage(fullname: string): boolean {
    return this.loader.isPackage(fullname);
  }

  invalidateCaches(): void {
    // The bundles are read once; a changed bundle file is a new importer (Python's tables are fixed too).
  }

  toString(): string {
    return '<FrozenImporter>';
  }

  /**
   * A path hook that claims frozen bundle files on `system.path` (and `<bundle>/<pkg>/<sub>` paths
   * inside them, the search locations of their packages). It throws `ImportError` for any other entry
   * (a folder, a zip file, a missing path), so the next hook is tried; a file with the bundle magic
   * that is damaged gives its `FrozenBundleError` (an `ImportError`: the entry is then skipped, as
   * Python skips a bad zip file).
   */
  static pathHook(
    system: ImportSystem,
    options: {
      nodeFallback?: boolean;
      /** The folder hook's listing cache: an entry it knows to be a folder is declined with no `stat`. */
      listings?: ListingCache;
    } = {},
  ): PathHook {
    const loaders = new Map<string, { loader: FrozenLoader; stats: Stats }>();
    const loaderOf = (file: string, stats: Stats): FrozenLoader => {
      const known = loaders.get(file);
      if (known && known.stats.mtimeMs === stats.mtimeMs && known.stats.size === stats.size)
        return known.loader;
      const loader = new FrozenLoader(system, [FrozenBundle.read(file)], options);
      loaders.set(file, { loader, stats });
      return loader;
    };
    // Named, as tracing (`-vv`) and `importlib find` report path hooks by name.
    const pathHookForFrozenBundle = (entry: string): PathEntryFinder => {
      if (options.listings?.knownKind(entry) === 'dir')
        throw withoutStack(() => new ImportError(`not a frozen bundle: '${entry}'`, { path: entry }));
      const located = locateBundle(entry);
      return new FrozenBundleFinder(loaderOf(located.file, located.stats), located.file, located.prefix);
    };
    return pathHookForFrozenBundle;
  }
}

/** A path-entry finder for one bundle file (or a package folder inside it) on `system.path`. */
class FrozenBundleFinder implements PathEntryFinder {
  constructor(
    readonly loader: FrozenLoader,
    readonly file: string,
    readonly prefix: string,
  ) {}

  findSpec(name: string): ModuleSpec | null {
    const dot = name.lastIndexOf('.');
    if ((dot === -1 ? '' : name.slice(0, dot)) !== this.prefix) return null;
    const found = this.loader.lookup(name);
    if (!found) return null;
    checkFrozenUsable(found);
    return frozenSpec(name, this.loader, found, join(this.file, ...name.split('.')));
  }

  toString(): string {
    return `<FrozenBundleFinder '${this.prefix ? join(this.file, ...this.prefix.split('.')) : this.file}'>`;
  }
}

/** The bundle file an entry names, and the package prefix inside it; `ImportError` when it is none. */
function locateBundle(entry: string): { file: string; stats: Stats; prefix: string } {
  const found = splitAtFile(entry);
  if (found && isBundleFile(found.file)) return { ...found, prefix: found.inner.join('.') };
  throw new ImportError(`not a frozen bundle: '${entry}'`, { path: entry });
}

/**
 * The spec of a frozen module. `location` is the package search location inside a bundle on the
 * path (path-hook specs); meta-path specs use the original folder, or `[]`.
 */
function frozenSpec(
  name: string,
  loader: FrozenLoader,
  found: FrozenLookup,
  location: string | null,
): ModuleSpec {
  const { entry } = found;
  const spec = new ModuleSpec(name, loader, { origin: FROZEN_ORIGIN, loaderState: loaderState(found) });
  if (entry.isPackage) {
    spec.submoduleSearchLocations = location ? [location] : entry.filename ? [dirname(entry.filename)] : [];
  }
  return spec;
}

/** What `PyImport_ImportFrozenModuleObject` sets before running: `__path__ = []` for a package, `__origname__`. */
function prepare(module: ModuleType, { entry }: FrozenLookup): void {
  if (entry.isPackage) setAttr(module, '__path__', []);
  setAttr(module, '__origname__', entry.origname);
}
