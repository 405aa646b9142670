/**
 * The loaders of modules inside a zip archive (Python's `zipimporter` as a loader, split by kind as
 * the folder loaders are): {@link ZipSourceLoader} (TypeScript and JavaScript entries, transpiled like
 * folder sources), {@link ZipSourcelessLoader} (a compiled-only `.jsc` entry), {@link ZipJsonLoader},
 * and {@link ZipReader}, the resource reader of a package in an archive.
 *
 * Nothing is ever written into an archive. A source entry runs from, in order:
 *
 * 1. a compiled entry in the archive, `<dir>/__pycache__/<file>.<tag>.jsc` (where the folder layout
 *    puts it, so zipping a warm folder ships its compiled files), when it matches the source entry:
 *    its recorded source size equals the entry's and its recorded mtime is within a second of the
 *    entry's DOS time (Python's `_eq_mtime`), or its source hash matches for a hash-based one;
 * 2. the transpile cache outside the archive, keyed by the archive, the entry name, its CRC-32 and
 *    size: `<archive folder>/__pycache__/<archive name>/<dir>/<file>.<tag>.jsc`, or under the cache
 *    prefix; a warm start reads neither the archive nor swc;
 * 3. the entry itself, transpiled now (and then written to 2, with V8's cache, if writing is on).
 */
import path from 'node:path';

import { cacheFromSource, MAGIC_TAG } from '../cache-paths.js';
import { CodeFileLoader, mapOf, preparedFrom, readIfExists, type Prepared } from '../code-file-loader.js';
import {
  CompiledCacheError,
  decodeCompiled,
  isFresh,
  type CompiledRecord,
  type DecodedCompiled,
} from '../compiled-cache.js';
import { crc32 } from '../io/crc32.js';
import { JsonFileLoader } from '../json-loader.js';
import { PYCACHE } from '../layout.js';
import type { LoaderContext } from '../loader-context.js';
import { compileBody } from '../module-body.js';
import { registerSourceMap } from '../stack-traces.js';
import { transpile } from '../transpile.js';
import { getZipDirectory, type ZipDirectory, type ZipEntry } from './directory.js';
import { ZipFileNotFoundError, ZipImportError } from './errors.js';

/** The archive-relative name of the compiled entry of the source entry `entry`. */
export function zipCompiledEntryName(entry: string): string {
  const slash = entry.lastIndexOf('/');
  const dir = slash === -1 ? '' : entry.slice(0, slash + 1);
  return `${dir}${PYCACHE}/${entry.slice(slash + 1)}.${MAGIC_TAG}.jsc`;
}

/**
 * Where the transpile cache of the entry `entry` of `archive` lives outside the archive:
 * `<archive folder>/__pycache__/<archive name>/<entry dir>/<file>.<tag>.jsc`, or with a cache prefix
 * `<prefix>/<absolute archive path>/<entry dir>/<file>.<tag>.jsc`.
 */
export function zipCachePath(archive: string, entry: string, prefix: string | null = null): string {
  if (prefix !== null) return cacheFromSource(entryPath(archive, entry), { prefix });
  let dir = cacheFolders.get(archive);
  if (dir === undefined) {
    dir = path.join(path.dirname(archive), PYCACHE, path.basename(archive));
    cacheFolders.set(archive, dir);
  }
  return `${entryPath(dir, entry)}.${MAGIC_TAG}.jsc`;
}

/** The transpile-cache folder of each archive (computed once: this is on every warm import). */
const cacheFolders = new Map<string, string>();

/**
 * `<archive>/<entry>` as a path. Entry names were checked when the directory was read (no `..`, no
 * empty or absolute segments, no backslashes), so joining is concatenation.
 */
export function entryPath(archive: string, entry: string): string {
  return path.sep === '/' ? `${archive}/${entry}` : path.join(archive, ...entry.split('/'));
}

/**
 * The 16-byte key a transpile-cache file of an entry carries (in its source-hash field): the entry's
 * CRC-32 and size, and a CRC-32 of the archive path and entry name. The file's magic number already
 * covers the transpiler and its options. Cheap on purpose: this is on every warm import.
 */
function entryKey(archive: string, entry: ZipEntry): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32LE(entry.crc32, 0);
  key.writeUInt32LE(crc32(Buffer.from(`${archive}\0${entry.name}`)), 4);
  key.writeDoubleLE(entry.size, 8);
  return key;
}

/**
 * The name inside `archive` of a data-file path: absolute under `<archive>/`, or relative to the
 * archive (Python's `get_data` rule). `null` for a path outside the archive.
 */
function innerName(archive: string, file: string): string | null {
  const start = archive + path.sep;
  let inner: string;
  if (file.startsWith(start)) inner = file.slice(start.length);
  else if (path.isAbsolute(file)) return null;
  else inner = file;
  return path.sep === '/' ? inner : inner.split(path.sep).join('/');
}

/**
 * The bytes of the data file `file` in the archive (Python's `zipimporter.get_data`): a folder gives
 * no bytes.
 *
 * @throws ZipFileNotFoundError (`code` `'ENOENT'`) when the archive holds no such file;
 *   ZipImportError when the entry cannot be read.
 */
export function readZipData(archive: string, file: string): Uint8Array {
  const inner = innerName(archive, file);
  const directory = getZipDirectory(archive);
  if (inner === null || directory === null) throw new ZipFileNotFoundError(file, archive);
  const name = inner.endsWith('/') ? inner.slice(0, -1) : inner;
  if (directory.isDirectory(name)) return new Uint8Array(0);
  if (!directory.isFile(name)) throw new ZipFileNotFoundError(file, archive);
  return directory.read(name);
}

/** What every zip entry loader knows: where its entry is, and the directory it was found in. */
interface ZipLocation {
  /** The archive file. */
  archive: string;
  /** The entry's name inside the archive (`pkg/mod.ts`). */
  entry: string;
  /** The directory the entry was found in (read again if the archive changes). */
  directory: ZipDirectory;
}

/**
 * `read(directory)` on the directory `location` holds; when the archive changed since that directory
 * was read, once more on the archive's directory as it is now (kept in `location`).
 * @throws ZipImportError when the archive was removed in between.
 */
function withCurrentDirectory<T>(location: ZipLocation, read: (directory: ZipDirectory) => T): T {
  try {
    return read(location.directory);
  } catch (error) {
    if (!(error instanceof ZipImportError) || error.reason !== 'changed') throw error;
    const fresh = getZipDirectory(location.archive);
    if (fresh === null) {
      throw new ZipImportError('the archive was removed while in use', 'missing-entry', {
        archive: location.archive,
        entry: location.entry,
      });
    }
    location.directory = fresh;
    return read(fresh);
  }
}

/** The bytes of the entry of `location`, reading the directory again once if the archive changed. */
function readEntry(location: ZipLocation): Buffer {
  return withCurrentDirectory(location, (directory) => directory.read(location.entry));
}

/** What the code loaders of an entry share: where the entry is, its data files and resources. */
abstract class ZipCodeLoader extends CodeFileLoader {
  /** The archive file. */
  readonly archive: string;
  /** The entry's name inside the archive. */
  readonly entry: string;
  /** @internal */
  protected readonly location: ZipLocation;

  /**
   * @param name the module name
   * @param directory the archive's directory (from `getZipDirectory`)
   * @param entry the entry's name inside the archive
   */
  constructor(name: string, directory: ZipDirectory, entry: string, context: LoaderContext) {
    super(name, entryPath(directory.archive, entry), context);
    this.archive = directory.archive;
    this.entry = entry;
    this.location = { archive: directory.archive, entry, directory };
  }

  /** Bytes of a data file in the archive. @throws ZipFileNotFoundError when it is not there. */
  override getData(file: string): Uint8Array {
    return readZipData(this.archive, file);
  }

  /** A {@link ZipReader} over the package's folder in the archive, or `null` for a plain module. */
  getResourceReader(): ZipReader | null {
    if (!this.isPackage()) return null;
    const slash = this.entry.lastIndexOf('/');
    return new ZipReader(this.archive, slash === -1 ? '' : this.entry.slice(0, slash));
  }
}

/**
 * Loads a TypeScript or JavaScript entry of an archive (Python's `zipimporter` for a `.py` entry):
 * `__file__` is `<archive>/<entry>`. See the module comment for where its compiled code comes from.
 */
export class ZipSourceLoader extends ZipCodeLoader {
  #cachePath: string | null | undefined;

  /** The entry's text (Python's `get_source`). @throws ZipImportError when it cannot be read. */
  override getSource(): string {
    return readEntry(this.location).toString('utf8');
  }

  /** The transpile-cache file outside the archive, or `null` when the cache is off. */
  override getCached(): string | null {
    if (this.#cachePath === undefined) {
      const { cache } = this.context;
      this.#cachePath =
        cache.read || cache.write ? zipCachePath(this.archive, this.entry, cache.prefix) : null;
    }
    return this.#cachePath;
  }

  /** @internal */
  protected override prepare(name: string): Prepared {
    return withCurrentDirectory(this.location, (directory) => this.#prepare(name, directory));
  }

  #prepare(name: string, directory: ZipDirectory): Prepared {
    const { system, cache, magic } = this.context;
    const entry = directory.file(this.entry);
    if (entry === undefined) {
      throw new ZipImportError('the entry is no longer in the archive', 'missing-entry', {
        archive: this.archive,
        entry: this.entry,
        moduleName: name,
      });
    }
    let sourceBytes: Buffer | undefined;
    const readSource = (): Buffer => (sourceBytes ??= directory.read(this.entry));

    if (cache.read) {
      const compiledName = zipCompiledEntryName(this.entry);
      if (directory.isFile(compiledName)) {
        try {
          const decoded = decodeCompiled(directory.read(compiledName), {
            name,
            path: entryPath(this.archive, compiledName),
            magic,
          });
          if (matchesEntry(decoded, entry, readSource, cache.checkHashBased)) {
            if (system.tracing)
              system.verbose(1, `# code object from '${this.archive}/${compiledName}'`, name);
            return this.#compiled(decoded, name, false);
          }
          if (system.tracing) system.verbose(1, `# bytecode is stale for '${name}'`, name);
        } catch (error) {
          if (!(error instanceof CompiledCacheError) && !(error instanceof ZipImportError)) throw error;
          if (error instanceof ZipImportError && error.reason === 'changed') throw error;
          if (system.tracing) system.verbose(1, `# ${error.message}; using the source entry`, name);
        }
      }
    }

    const key = entryKey(this.archive, entry);
    const cachePath = this.getCached();
    if (cache.read && cachePath !== null) {
      const bytes = readIfExists(cachePath);
      if (bytes !== null) {
        try {
          const decoded = decodeCompiled(bytes, { name, path: cachePath, magic });
          if (decoded.sourceHash !== undefined && key.equals(decoded.sourceHash)) {
            if (system.tracing) system.verbose(1, `# code object from '${cachePath}'`, name);
            return this.#compiled(decoded, name, decoded.v8Rejected || decoded.v8 === null);
          }
        } catch (error) {
          if (!(error instanceof CompiledCacheError)) throw error;
          if (system.tracing) system.verbose(1, `# ${error.message}; rebuilding from source`, name);
        }
      }
    }

    const text = readSource().toString('utf8');
    const { code, map, isAsync } = transpile(text, this.path, this.context.transpile, name);
    const record: CompiledRecord = {
      invalidation: 'unchecked-hash',
      sourceHash: key,
      isAsync,
      js: code,
      map,
      v8: null,
    };
    const body = compileBody(code, this.path, { isAsync, moduleName: name });
    if (map !== null) registerSourceMap(this.path, mapOf(map), body.firstLineOffset);
    return { body, record, writeTo: cache.write ? cachePath : null, mode: 0o666 };
  }

  /**
   * `decoded`, ready to run; its transpile-cache file is (re)written when `stale` (no usable V8
   * cache in it) or when V8 rejects the cache it holds.
   */
  #compiled(decoded: DecodedCompiled, name: string, stale: boolean): Prepared {
    const prepared = preparedFrom(decoded, this.path, name);
    if ((stale || prepared.body.cachedDataRejected) && this.context.cache.write)
      prepared.writeTo = this.getCached();
    return prepared;
  }

  override toString(): string {
    return `<ZipSourceLoader '${this.path}'>`;
  }
}

/**
 * Whether a compiled entry stands for the source entry beside it: for a timestamp record, the sizes
 * are equal and the times within a second (zip times have 2-second resolution; Python's
 * `_eq_mtime`); for a hash-based one, {@link isFresh} on the entry's bytes.
 */
function matchesEntry(
  record: CompiledRecord,
  entry: ZipEntry,
  readSource: () => Uint8Array,
  checkHashBased: 'default' | 'always' | 'never',
): boolean {
  if (record.invalidation === 'timestamp') {
    const recorded = Math.floor((record.sourceMtimeMs ?? Number.NaN) / 1000);
    return record.sourceSize === entry.size && Math.abs(recorded - Math.floor(entry.mtimeMs / 1000)) <= 1;
  }
  return isFresh(record, { mtimeMs: 0, size: entry.size }, readSource, checkHashBased);
}

/**
 * Loads a compiled-only `.jsc` entry (Python's sourceless pyc in a zip). A compiled entry that cannot
 * be read is a {@link ZipImportError} (`'bad-module'`) whose `cause` is the `CompiledCacheError`.
 */
export class ZipSourcelessLoader extends ZipCodeLoader {
  override getSource(): null {
    return null;
  }

  override getCached(origin: string): string {
    return origin;
  }

  /** @internal */
  protected override prepare(name: string): Prepared {
    let record;
    try {
      record = decodeCompiled(readEntry(this.location), {
        name,
        path: this.path,
        magic: this.context.magic,
      });
    } catch (error) {
      if (!(error instanceof CompiledCacheError)) throw error;
      throw new ZipImportError(`module load failed: ${error.message}`, 'bad-module', {
        archive: this.archive,
        entry: this.entry,
        moduleName: name,
        cause: error,
      });
    }
    const prepared = preparedFrom(record, this.path, name);
    const { system } = this.context;
    if (system.tracing) system.verbose(1, `# code object from '${this.path}'`, name);
    return prepared;
  }

  override toString(): string {
    return `<ZipSourcelessLoader '${this.path}'>`;
  }
}

/**
 * Loads a `.json` entry: the registry entry becomes the parsed document, as for a `.json` file (it is
 * a {@link JsonFileLoader} that reads the entry).
 */
export class ZipJsonLoader extends JsonFileLoader {
  /** The archive file. */
  readonly archive: string;
  /** The entry's name inside the archive. */
  readonly entry: string;
  readonly #location: ZipLocation;

  constructor(name: string, directory: ZipDirectory, entry: string, context: LoaderContext) {
    super(name, entryPath(directory.archive, entry), context.system);
    this.archive = directory.archive;
    this.entry = entry;
    this.#location = { archive: directory.archive, entry, directory };
  }

  /** @internal The entry's text. @throws ZipImportError when it cannot be read. */
  protected override readText(): string {
    return readEntry(this.#location).toString('utf8');
  }

  override getData(file: string): Uint8Array {
    return readZipData(this.archive, file);
  }

  override toString(): string {
    return `<ZipJsonLoader for '${this.name}' from '${this.path}'>`;
  }
}

// ---------------------------------------------------------------------------------------------
// Resources

/**
 * A file or folder inside an archive, as `importlib.resources` traverses it (Python's `zipfile.Path`,
 * the `Traversable` a {@link ZipReader}'s `files()` returns).
 */
export class ZipPath {
  /** The archive file. */
  readonly archive: string;
  /** The name inside the archive (`''` for the root). */
  readonly at: string;

  constructor(archive: string, at: string) {
    this.archive = archive;
    this.at = at;
  }

  /** The last segment of the name. */
  get name(): string {
    return this.at.slice(this.at.lastIndexOf('/') + 1);
  }

  #directory(): ZipDirectory | null {
    return getZipDirectory(this.archive);
  }

  /** The path below this one (`joinpath('data', 'x.txt')`). */
  joinpath(...parts: string[]): ZipPath {
    const segments = parts.flatMap((part) => part.split('/')).filter((part) => part !== '' && part !== '.');
    return new ZipPath(this.archive, [this.at, ...segments].filter((part) => part !== '').join('/'));
  }

  /** Whether a file entry is here. */
  isFile(): boolean {
    return this.#directory()?.isFile(this.at) ?? false;
  }

  /** Whether a folder is here. */
  isDir(): boolean {
    return this.#directory()?.isDirectory(this.at) ?? false;
  }

  /** Whether anything is here. */
  exists(): boolean {
    const directory = this.#directory();
    return directory !== null && (directory.isFile(this.at) || directory.isDirectory(this.at));
  }

  /** The files and folders directly in this folder. */
  iterdir(): ZipPath[] {
    const directory = this.#directory();
    if (directory === null || !directory.isDirectory(this.at)) return [];
    return directory.children(this.at).map((child) => this.joinpath(child));
  }

  /** The file's bytes. @throws ZipFileNotFoundError when no file is here. */
  readBytes(): Uint8Array {
    const directory = this.#directory();
    if (directory === null || !directory.isFile(this.at))
      throw new ZipFileNotFoundError(this.toString(), this.archive);
    return directory.read(this.at);
  }

  /** The file's text. @throws ZipFileNotFoundError when no file is here. */
  readText(encoding: BufferEncoding = 'utf8'): string {
    return Buffer.from(this.readBytes()).toString(encoding);
  }

  /** `<archive>/<name>`. */
  toString(): string {
    return this.at === '' ? this.archive : entryPath(this.archive, this.at);
  }
}

/**
 * The resource reader of a package inside an archive (Python's `importlib.readers.ZipReader`):
 * rooted at the package's folder; resources are the files directly in it.
 */
export class ZipReader {
  /** The archive file. */
  readonly archive: string;
  /** The package's folder inside the archive (`''` at the root). */
  readonly prefix: string;

  constructor(archive: string, prefix: string) {
    this.archive = archive;
    this.prefix = prefix;
  }

  /** The package folder as a traversable {@link ZipPath}. */
  files(): ZipPath {
    return new ZipPath(this.archive, this.prefix);
  }

  /**
   * The bytes of the resource `resource` (Python's `open_resource`).
   * @throws ZipFileNotFoundError when the package has no such file (Python maps `KeyError` to
   *   `FileNotFoundError`).
   */
  openResource(resource: string): Uint8Array {
    return this.files().joinpath(resource).readBytes();
  }

  /** Whether `name` is a file of the package (a folder is not a resource). */
  isResource(name: string): boolean {
    return this.files().joinpath(name).isFile();
  }

  /** The names of the files and folders in the package's folder. */
  contents(): string[] {
    return this.files()
      .iterdir()
      .map((child) => child.name);
  }

  /**
   * Always throws: a file in an archive has no path of its own on disk (Python raises
   * `FileNotFoundError`; use {@link openResource}).
   * @throws ZipFileNotFoundError
   */
  resourcePath(resource: string): never {
    throw new ZipFileNotFoundError(this.files().joinpath(resource).toString(), this.archive);
  }
}
