/**
 * `FileFinder`: the path-entry finder for a folder (CPython's `importlib.machinery.FileFinder`). It
 * lists its folder once and answers every lookup from that listing until the folder's mtime changes,
 * so finding a plain module costs one `stat` of the folder and nothing else.
 *
 * What a module name finds in the folder, for the last segment `tail` of the name (the file stem is
 * `decodeSegment(tail)`, so `app%2Emodule` is the file `app.module.ts`):
 *
 * 1. a package: a folder `<stem>/` whose `package.json` names an entry (`exports` or `main`), entered
 *    at the file Node enters it at (an installed package: a `node_modules` folder on the path works
 *    like site-packages); else a folder holding `__init__<suffix>`, or else `index<suffix>`. Every
 *    suffix of every loader detail is tried for `__init__` before any for `index`, so `__init__.js`
 *    beats `index.ts`;
 * 2. a module: a file `<stem><suffix>`, suffixes in loader-detail order. When a folder `<stem>/` that
 *    is no package sits beside it, the module searches that folder for submodules (`lib/schema.js`
 *    and `lib/schema/default.js`: `lib.schema.default`, as Node finds `./schema/default`);
 * 3. a namespace-package portion: the folder `<stem>/` with neither marker nor entry (spec with a
 *    `null` loader and `[folder]` as search locations, which the path finder merges across entries).
 *
 * Matching is exact-case against the listing, on every platform.
 */
import { join, resolve } from 'node:path';

import {
  decodeSegment,
  encodeSegment,
  ImportError,
  invalidNameReason,
  ModuleSpec,
  specFromFileLocation,
  type Loader,
  type ModuleType,
  type PathEntryFinder,
  type PathHook,
} from '@importlib/core';
import { PACKAGE_MARKERS } from '@importlib/loaders';

import { packageEntry, readPackageJson, type NodeConditions } from '@importlib/loaders';

import { ListingCache, statKind, type FolderListing } from './listing-cache.js';

/** Make the loader for the module `fullname` found at `path` (an absolute file). */
export type LoaderFactory = (fullname: string, path: string) => Loader;

/** A loader factory and the file suffixes it loads, in order (Python's `(loader, suffixes)` pairs). */
export type LoaderDetail = readonly [factory: LoaderFactory, suffixes: readonly string[]];

/** Options of a {@link FileFinder} (and of the finders a {@link FileFinder.pathHook} makes). */
export interface FileFinderOptions {
  /**
   * The listing cache to read folders through. A path hook shares one among all its finders (its own
   * unless given); a finder built directly gets its own unless given.
   */
  listings?: ListingCache;
  /**
   * Receives Python's verbose messages: `trying <file>` (level 2) for each module file considered and
   * `possible namespace for <folder>` (level 1). Give `(message, level) => system.verbose(level, message)`
   * to see them in a system's trace. No message is built when absent.
   */
  trace?: ((message: string, level: 1 | 2) => void) | null;
}

type FinderArgs = LoaderDetail[] | [FileFinderOptions, ...LoaderDetail[]];

function splitArgs(args: FinderArgs): [FileFinderOptions, LoaderDetail[]] {
  const [first, ...rest] = args;
  if (first === undefined) return [{}, []];
  if (Array.isArray(first)) return [{}, args as LoaderDetail[]];
  return [first as FileFinderOptions, rest as LoaderDetail[]];
}

/** The path-entry finder for one folder on `system.path` or in a package's `__path__`. */
export class FileFinder implements PathEntryFinder {
  /** The absolute folder searched. */
  readonly path: string;
  /** `[suffix, factory]` pairs, flattened from the loader details in order. */
  readonly #loaders: ReadonlyArray<readonly [suffix: string, factory: LoaderFactory]>;
  readonly #listings: ListingCache;
  readonly #trace: ((message: string, level: 1 | 2) => void) | null;

  /**
   * A finder for `path` (`''` and `'.'` mean the current directory; a relative path is made absolute
   * now) that tries the loader details in order. Options may come before the details.
   */
  constructor(path: string, ...details: LoaderDetail[]);
  constructor(path: string, options: FileFinderOptions, ...details: LoaderDetail[]);
  constructor(path: string, ...args: FinderArgs) {
    const [options, details] = splitArgs(args);
    this.path = path === '' || path === '.' ? process.cwd() : resolve(path);
    const loaders: (readonly [string, LoaderFactory])[] = [];
    for (const [factory, suffixes] of details) {
      for (const suffix of suffixes) loaders.push([suffix, factory]);
    }
    this.#loaders = loaders;
    this.#listings = options.listings ?? new ListingCache();
    this.#trace = options.trace ?? null;
  }

  /**
   * A path hook making a {@link FileFinder} for each folder entry, all sharing one listing cache.
   * For anything but a folder it throws `ImportError('only directories are supported')`, so the path
   * finder tries the next hook. Options may come before the details.
   */
  static pathHook(...details: LoaderDetail[]): PathHook;
  static pathHook(options: FileFinderOptions, ...details: LoaderDetail[]): PathHook;
  static pathHook(...args: FinderArgs): PathHook {
    const [options, details] = splitArgs(args);
    const shared = { ...options, listings: options.listings ?? new ListingCache() };
    const pathHookForFileFinder = (entry: string): FileFinder => {
      if (shared.listings.knownKind(entry) !== 'dir' && statKind(entry === '' ? '.' : entry) !== 'dir') {
        throw new ImportError('only directories are supported', { path: entry });
      }
      return new FileFinder(entry, shared, ...details);
    };
    return pathHookForFileFinder;
  }

  /** The listing cache this finder reads its folder (and package folders) through. */
  get listings(): ListingCache {
    return this.#listings;
  }

  /**
   * Find the module whose last name segment is the file or folder in this finder's folder: a
   * package, a module, a namespace portion, or `null`. A segment that is not the canonical spelling of
   * a file name (`encodeSegment(decodeSegment(tail)) !== tail`, e.g. `a%2eb`) finds nothing, so one
   * file has one module name.
   */
  findSpec(fullname: string, _target?: ModuleType | null): ModuleSpec | null {
    const tail = fullname.slice(fullname.lastIndexOf('.') + 1);
    if (invalidNameReason(tail) !== null) return null;
    const stem = decodeSegment(tail);
    if (encodeSegment(stem) !== tail) return null;
    const listing = this.#listings.read(this.path);

    let namespaceFolder: string | null = null;
    if (listing.isDirectory(stem)) {
      const folder = join(this.path, stem);
      const pkg = this.#findPackage(fullname, folder);
      if (pkg !== null) return pkg;
      namespaceFolder = folder;
    }
    for (const [suffix, factory] of this.#loaders) {
      const file = stem + suffix;
      this.#trace?.(`trying ${join(this.path, file)}`, 2);
      if (listing.isFile(file)) {
        // A module beside a folder of its name (`schema.js` and `schema/`) searches that folder for
        // its submodules, as Node finds `./schema/default` beside `./schema`.
        return fileSpec(
          factory,
          fullname,
          join(this.path, file),
          namespaceFolder === null ? null : [namespaceFolder],
        );
      }
    }
    if (namespaceFolder !== null) {
      this.#trace?.(`possible namespace for ${namespaceFolder}`, 1);
      const spec = new ModuleSpec(fullname, null);
      spec.submoduleSearchLocations = [namespaceFolder];
      return spec;
    }
    return null;
  }

  #findPackage(fullname: string, folder: string): ModuleSpec | null {
    const inner: FolderListing = this.#listings.read(folder);
    if (inner.isFile('package.json')) {
      const installed = this.#installedPackage(fullname, folder);
      if (installed !== null) return installed;
    }
    for (const marker of PACKAGE_MARKERS) {
      for (const [suffix, factory] of this.#loaders) {
        const file = marker + suffix;
        if (inner.isFile(file)) return fileSpec(factory, fullname, join(folder, file), [folder]);
      }
    }
    return null;
  }

  /**
   * An installed package (site-packages style): a folder whose package.json names an entry (`exports`
   * or `main`) is that package, entered at the file Node's `require` enters it at (its `import`
   * entry, when another, goes to the loader as `loaderState.importPath` for the async path). Its
   * submodules are searched in the package folder, as Node resolves `pkg/sub` there.
   */
  #installedPackage(fullname: string, folder: string): ModuleSpec | null {
    const json = readPackageJson(folder);
    if (json === null || (json.main === undefined && json.exports === undefined)) return null;
    const entry = (conditions: NodeConditions): string | null => {
      try {
        return packageEntry(folder, json, '.', conditions);
      } catch {
        return null; // `exports` without a `.` entry for these conditions
      }
    };
    const required = entry('require');
    const imported = entry('import');
    const file = required ?? imported;
    if (file === null) return null;
    const factory = this.#loaders.find(([suffix]) => file.endsWith(suffix))?.[1];
    if (factory === undefined) return null;
    const spec = fileSpec(factory, fullname, file, [folder]);
    if (imported !== null && imported !== file) spec.loaderState = { importPath: imported };
    return spec;
  }

  /**
   * Forget the listings of this folder and of the folders below it, so the next lookup lists them
   * again even when their mtime looks unchanged (Python sets the cached mtime to -1).
   */
  invalidateCaches(): void {
    this.#listings.invalidate(this.path);
  }

  toString(): string {
    return `FileFinder('${this.path}')`;
  }
}

function fileSpec(
  factory: LoaderFactory,
  fullname: string,
  file: string,
  searchLocations: string[] | null,
): ModuleSpec {
  return specFromFileLocation(fullname, file, {
    loader: factory(fullname, file),
    submoduleSearchLocations: searchLocations,
  });
}
