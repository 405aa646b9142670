/**
 * `ZipImporter`: the path-entry finder (and path hook) for zip archives (Python's
 * `zipimport.zipimporter`). A path entry that is an archive (`app.zip`) or a folder inside one
 * (`app.zip/lib`) is searched like a folder: a package (`<stem>/__init__<suffix>`, else
 * `<stem>/index<suffix>`), then a module (`<stem><suffix>`), then a namespace portion (a folder
 * with neither). `__file__` is `<archive>/<entry>`; a package's `__path__` is `[<archive>/<dir>]`,
 * which the path hook claims again with a prefix.
 *
 * The archive's directory is read once and shared by every importer of it (`getZipDirectory` in
 * `@importlib/loaders`); each lookup costs one `stat` of the archive (as a folder lookup costs one
 * `stat` of the folder), and an entry's bytes are read only when its module is loaded.
 */
import path from 'node:path';

import {
  decodeSegment,
  encodeSegment,
  ImportArgumentError,
  invalidNameReason,
  ModuleSpec,
  specFromFileLocation,
  type CodeObject,
  type Loader,
  type ModuleType,
  type PathEntryFinder,
  type PathHook,
} from '@importlib/core';
import {
  COMPILED_SUFFIX,
  entryPath,
  getZipDirectory,
  invalidateZipDirectory,
  JSON_SUFFIXES,
  PACKAGE_MARKERS,
  readZipData,
  SOURCE_SUFFIXES,
  ZipImportError,
  ZipJsonLoader,
  ZipReader,
  ZipSourceLoader,
  ZipSourcelessLoader,
  type LoaderContext,
  type ZipDirectory,
} from '@importlib/loaders';

import { withoutStack } from './decline.js';
import type { ListingCache } from './listing-cache.js';
import { splitAtFile } from './split-at-file.js';

/** Options of a {@link ZipImporter}. */
export interface ZipImporterOptions {
  /**
   * The source suffixes, in search order. After them come `.jsc` (compiled-only entries) and
   * `.json`. (Native addons cannot load from an archive, as in Python.)
   * @default ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']
   */
  sourceSuffixes?: readonly string[];
  /**
   * The folder hook's listing cache: the hook then declines, with no system call, an entry that
   * listing already knows to be a folder (the package folders a `FileFinder` finds).
   */
  listings?: ListingCache;
  /**
   * When given, the archive is `stat`ed once per non-null id instead of on every lookup
   * (`createImportSystem` passes `() => system.outerImportId`, the folder finders' rule).
   */
  checkId?: () => number | null;
}

type Kind = 'source' | 'compiled' | 'json';

/** Where a module is inside the archive. */
interface Found {
  entry: string;
  kind: Kind;
  isPackage: boolean;
}

/**
 * The finder for one archive path entry (Python's `zipimporter`). It is a finder only: the specs it
 * returns carry one loader per module (`ZipSourceLoader`, `ZipSourcelessLoader`, `ZipJsonLoader`);
 * its own `getSource`, `getCode`, … answer by name, as Python's do.
 */
export class ZipImporter implements PathEntryFinder {
  /** The archive file (an absolute path). */
  readonly archive: string;
  /** The folder inside the archive this entry searches, with a trailing `/` (`''` for the root). */
  readonly prefix: string;
  /** What the loaders of found modules share. */
  readonly context: LoaderContext;
  readonly #suffixes: ReadonlyArray<readonly [suffix: string, kind: Kind]>;
  readonly #checkId: (() => number | null) | null;

  /**
   * An importer for `entry`: the archive path, or a path inside it. The path is walked up until an
   * existing regular file is found: that is the archive, the rest is the prefix.
   *
   * @throws ImportArgumentError for a non-string path; ZipImportError for an empty path (`'archive
   *   path is empty'`), a path with no regular file along it (`'not a Zip file'`), or a file that is
   *   not a usable archive.
   */
  constructor(entry: string, context: LoaderContext, options: ZipImporterOptions = {}) {
    if (typeof entry !== 'string') {
      throw new ImportArgumentError(`a zip path entry must be a string, not ${typeof entry}`);
    }
    if (entry === '') throw new ZipImportError('archive path is empty', 'not-found', { archive: entry });
    const found = splitAtFile(entry);
    if (found === null || getZipDirectory(found.file) === null) {
      throw new ZipImportError('not a Zip file', 'not-found', { archive: entry });
    }
    this.archive = found.file;
    this.prefix = found.inner.length === 0 ? '' : `${found.inner.join('/')}/`;
    this.context = context;
    const sources = options.sourceSuffixes ?? SOURCE_SUFFIXES;
    this.#checkId = options.checkId ?? null;
    this.#suffixes = [
      ...sources.map((suffix) => [suffix, 'source'] as const),
      [COMPILED_SUFFIX, 'compiled'],
      ...JSON_SUFFIXES.map((suffix) => [suffix, 'json'] as const),
    ];
  }

  /**
   * A path hook making a {@link ZipImporter} for each entry that is an archive or a path inside one.
   * For anything else it throws an `ImportError` (a `ZipImportError`), so the next hook is tried.
   */
  static pathHook(context: LoaderContext, options: ZipImporterOptions = {}): PathHook {
    const zipimporter = (entry: string): ZipImporter => {
      if (options.listings?.knownKind(entry) === 'dir')
        throw withoutStack(() => new ZipImportError('not a Zip file', 'not-found', { archive: entry }));
      return new ZipImporter(entry, context, options);
    };
    return zipimporter;
  }

  #search(directory: ZipDirectory, base: string): Found | null {
    if (directory.isDirectory(base)) {
      for (const marker of PACKAGE_MARKERS) {
        for (const [suffix, kind] of this.#suffixes) {
          const entry = `${base}/${marker}${suffix}`;
          if (directory.isFile(entry)) return { entry, kind, isPackage: true };
        }
      }
    }
    for (const [suffix, kind] of this.#suffixes) {
      const entry = base + suffix;
      if (directory.isFile(entry)) return { entry, kind, isPackage: false };
    }
    return null;
  }

  /** The archive-relative base name of `fullname`'s last segment, or `null` for a non-canonical one. */
  #base(fullname: string): string | null {
    const tail = fullname.slice(fullname.lastIndexOf('.') + 1);
    if (invalidNameReason(tail) !== null) return null;
    const stem = decodeSegment(tail);
    if (encodeSegment(stem) !== tail) return null;
    return this.prefix + stem;
  }

  #loader(fullname: string, directory: ZipDirectory, found: Found): Loader {
    switch (found.kind) {
      case 'source':
        return new ZipSourceLoader(fullname, directory, found.entry, this.context);
      case 'compiled':
        return new ZipSourcelessLoader(fullname, directory, found.entry, this.context);
      default:
        return new ZipJsonLoader(fullname, directory, found.entry, this.context);
    }
  }

  #location(entry: string): string {
    return entryPath(this.archive, entry);
  }

  /**
   * Find the module whose last name segment is in this entry's folder of the archive: a package, a
   * module, a namespace portion (`loader` `null`, locations `['<archive>/<dir>']`), or `null`. An
   * archive deleted in use finds nothing.
   *
   * @throws ZipImportError when the archive was replaced by a file that is not a usable archive.
   */
  findSpec(fullname: string, _target?: ModuleType | null): ModuleSpec | null {
    const base = this.#base(fullname);
    if (base === null) return null;
    const directory = getZipDirectory(this.archive, this.#checkId?.() ?? null);
    if (directory === null) return null;
    const found = this.#search(directory, base);
    if (found !== null) {
      return specFromFileLocation(fullname, this.#location(found.entry), {
        loader: this.#loader(fullname, directory, found),
        // A module beside a folder of its name searches that folder too, as in a folder (FileFinder).
        submoduleSearchLocations:
          found.isPackage || directory.isDirectory(base) ? [this.#location(base)] : null,
      });
    }
    if (directory.isDirectory(base)) {
      const spec = new ModuleSpec(fullname, null);
      spec.submoduleSearchLocations = [this.#location(base)];
      return spec;
    }
    return null;
  }

  /** The module `fullname` (by its last segment), or a `ZipImportError` naming it. */
  #require(fullname: string): { directory: ZipDirectory; found: Found } {
    const base = this.#base(fullname);
    const directory = getZipDirectory(this.archive);
    const found = base === null || directory === null ? null : this.#search(directory, base);
    if (directory === null || found === null) {
      throw new ZipImportError(`can't find module '${fullname}'`, 'missing-entry', {
        archive: this.archive,
        entry: base,
        moduleName: fullname,
      });
    }
    return { directory, found };
  }

  /**
   * The bytes of a data file in the archive: `path` absolute under `<archive>/`, or relative to the
   * archive (Python's `get_data`). A folder gives no bytes.
   *
   * @throws ZipFileNotFoundError (`code` `'ENOENT'`) when there is no such file.
   */
  getData(file: string): Uint8Array {
    return readZipData(this.archive, file);
  }

  /**
   * The source text of `fullname`, or `null` when the archive holds only its compiled entry.
   * @throws ZipImportError when the module is not in this entry.
   */
  getSource(fullname: string): string | null {
    const { directory, found } = this.#require(fullname);
    return this.#loader(fullname, directory, found).getSource?.(fullname) ?? null;
  }

  /** `<archive>/<entry>` of `fullname`. @throws ZipImportError when the module is not in this entry. */
  getFilename(fullname: string): string {
    return this.#location(this.#require(fullname).found.entry);
  }

  /** Whether `fullname` is a package. @throws ZipImportError when the module is not in this entry. */
  isPackage(fullname: string): boolean {
    return this.#require(fullname).found.isPackage;
  }

  /**
   * The code object of `fullname` (compiled from the archive's compiled entry, the transpile cache or
   * the source entry). @throws ZipImportError when the module is not in this entry.
   */
  getCode(fullname: string): CodeObject | null {
    const { directory, found } = this.#require(fullname);
    return this.#loader(fullname, directory, found).getCode?.(fullname) ?? null;
  }

  /**
   * A {@link ZipReader} over the package `fullname`'s folder, or `null` for a plain module.
   * @throws ZipImportError when the module is not in this entry.
   */
  getResourceReader(fullname: string): ZipReader | null {
    const { found } = this.#require(fullname);
    if (!found.isPackage) return null;
    return new ZipReader(this.archive, found.entry.slice(0, found.entry.lastIndexOf('/')));
  }

  /**
   * Forget the archive's shared directory, for every importer of it: the next lookup reads it again
   * (Python's `zipimporter.invalidate_caches`).
   */
  invalidateCaches(): void {
    invalidateZipDirectory(this.archive);
  }

  toString(): string {
    return `<ZipImporter object "${this.archive}${this.prefix === '' ? '' : path.sep + this.prefix}">`;
  }
}
