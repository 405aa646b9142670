/**
 * The loaders of code files: `SourceFileLoader` (TypeScript and JavaScript sources, transpiled and
 * kept in the compiled cache) and `SourcelessFileLoader` (a compiled file shipped without its source).
 * Python's `SourceFileLoader` / `SourcelessFileLoader`.
 *
 * A warm import costs one `stat` of the source and one read of its compiled file: no transpiling, no
 * swc, and V8's code cache instead of a parse. The compiled file is written after the module first
 * ran, so V8's cache includes the functions the module actually used.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { basename, extname } from 'node:path';

import {
  CodeObject,
  ImportError,
  isThenable,
  type ImportSystem,
  type Loader,
  type ModuleType,
} from '@importlib/core';

import { cacheFromSource, type CachePathOptions } from './cache-paths.js';
import { queueCompiledWrite } from './cache-writer.js';
import {
  CompiledCacheError,
  decodeCompiled,
  encodeCompiled,
  isFresh,
  magicForOptions,
  sourceHash,
  writeFileAtomic,
  type CheckHashBased,
  type CompiledRecord,
  type DecodedCompiled,
  type InvalidationMode,
} from './compiled-cache.js';
import { compileBody, createModuleScope, runBody, type CompiledBody } from './runtime.js';
import { registerSourceMap, type SourceMapLoader } from './stack-traces.js';
import { transpile, transpileOptionsKey, type TranspileOptions } from './transpile.js';

/** How the compiled cache is used. */
export interface CompiledCacheOptions {
  /**
   * Read compiled files.
   * @default true
   */
  read?: boolean;
  /**
   * Write compiled files (Python's `sys.dont_write_bytecode`, inverted). A read-only or missing
   * folder only means no cache.
   * @default true
   */
  write?: boolean;
  /**
   * Keep compiled files under this folder, mirroring the sources' absolute paths, instead of in
   * `__pycache__` folders beside them (Python's `sys.pycache_prefix`).
   * @default null
   */
  prefix?: string | null;
  /**
   * How new compiled files are checked against their source (PEP 552): source mtime and size, or a
   * hash of the source, checked on every import or never.
   * @default 'timestamp'
   */
  invalidationMode?: InvalidationMode;
  /**
   * Override for hash-based files (Python's `--check-hash-based-pycs`): `'default'` checks only
   * checked-hash files, `'always'` checks unchecked ones too, `'never'` checks none.
   * @default 'default'
   */
  checkHashBased?: CheckHashBased;
  /**
   * Write compiled files from a background thread after a system's first
   * {@link INLINE_COMPILED_WRITES}, so a cold start does not wait for them. The process waits for
   * the queue before it exits; `flushCompiledWrites()` waits on demand. Writes are always inline
   * while the system is being traced (`-v` reports each one in order).
   * @default true
   */
  background?: boolean;
}

/** How many compiled files a system writes inline before handing the rest to the background writer. */
export const INLINE_COMPILED_WRITES = 32;

/** Options of a {@link LoaderContext}. */
export interface LoaderOptions {
  cache?: CompiledCacheOptions;
  transpile?: TranspileOptions;
  /**
   * Fall back to Node's own resolution, from the importing file, for a bare specifier no finder
   * claims (npm dependencies).
   * @default true
   */
  nodeFallback?: boolean;
}

/** What every code loader of one system shares: the system, and the settled options. */
export class LoaderContext {
  readonly system: ImportSystem;
  readonly cache: Required<CompiledCacheOptions>;
  readonly transpile: TranspileOptions;
  readonly nodeFallback: boolean;
  readonly cachePaths: CachePathOptions;
  /** The magic number of compiled files made with these transpile options. */
  readonly magic: Uint8Array;

  constructor(system: ImportSystem, options: LoaderOptions = {}) {
    this.system = system;
    this.cache = {
      read: options.cache?.read ?? true,
      write: options.cache?.write ?? true,
      prefix: options.cache?.prefix ?? null,
      invalidationMode: options.cache?.invalidationMode ?? 'timestamp',
      checkHashBased: options.cache?.checkHashBased ?? 'default',
      background: options.cache?.background ?? true,
    };
    this.transpile = { ...options.transpile };
    this.nodeFallback = options.nodeFallback ?? true;
    this.cachePaths = { prefix: this.cache.prefix };
    this.magic = magicForOptions(transpileOptionsKey(this.transpile));
  }

  #inlineWrites = 0;

  /** @internal Whether the next compiled file is written on this thread (else it is queued). */
  writeInline(): boolean {
    if (!this.cache.background || this.system.tracing) return true;
    return this.#inlineWrites++ < INLINE_COMPILED_WRITES;
  }
}

/**
 * A compiled module ready to run, and what to do with the compiled cache afterwards.
 * @internal Shared with the zip entry loaders (`zip/loaders.ts`).
 */
export interface Prepared {
  body: CompiledBody;
  record: CompiledRecord;
  /** Where the compiled file goes; `null` when the cache is not written. */
  writeTo: string | null;
  /** The compiled file's mode: the source's, owner-writable (Python's `_calc_mode`). */
  mode: number;
}

function isPackageFile(path: string): boolean {
  const stem = basename(path, extname(path));
  return stem === '__init__' || stem === 'index';
}

/** @internal The error for the source `path` of `name` that cannot be stat'ed or read (shared with compile-file). */
export function unreadableSource(name: string, path: string, error: unknown): ImportError {
  return new ImportError(`cannot read the source of '${name}': ${(error as Error).message}`, {
    moduleName: name,
    path,
    cause: error,
  });
}

function statSource(name: string, path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw unreadableSource(name, path, error);
  }
}

/**
 * @internal A compiled record of `js` (not yet run: no V8 cache), stamped with its source as `mode`
 * says: the source's mtime and size, or the hash of `readSource()`. Shared with compile-file.
 */
export function sourceRecord(
  js: string,
  map: string | null,
  mode: InvalidationMode,
  source: { mtimeMs: number; size: number },
  readSource: () => Uint8Array,
): CompiledRecord {
  return {
    invalidation: mode,
    isAsync: false,
    js,
    map,
    v8: null,
    ...(mode === 'timestamp'
      ? { sourceMtimeMs: source.mtimeMs, sourceSize: source.size }
      : { sourceHash: sourceHash(readSource()) }),
  };
}

/**
 * The part shared by the source and sourceless loaders (and the zip entry loaders): run a compiled
 * record as a module, then write its compiled file (with V8's cache) where `prepare` said.
 * @internal Not exported from the package; subclassed inside it.
 */
export abstract class CodeFileLoader implements Loader {
  readonly name: string;
  readonly path: string;
  readonly context: LoaderContext;

  constructor(name: string, path: string, context: LoaderContext) {
    this.name = name;
    this.path = path;
    this.context = context;
  }

  /** @internal Compile (or read from the cache) what `execModule` runs. */
  protected abstract prepare(name: string): Prepared;

  abstract getSource(): string | null;

  abstract getCached(origin: string): string | null;

  createModule(): null {
    return null;
  }

  execModule(module: ModuleType): void | Promise<void> {
    return this.#run(this.prepare(module.__name__), module);
  }

  /** The module's code (Python's `get_code`): running it compiles nothing more and writes no cache. */
  getCode(fullname: string = this.name): CodeObject {
    const prepared = this.prepare(fullname);
    return new CodeObject(this.path, (module) => this.#run({ ...prepared, writeTo: null }, module));
  }

  #run(prepared: Prepared, module: ModuleType): void | Promise<void> {
    const { system } = this.context;
    const scope = createModuleScope(system, module, this.path, { nodeFallback: this.context.nodeFallback });
    let result: unknown;
    try {
      result = runBody(prepared.body, scope, this.path);
    } catch (error) {
      this.#writeCache(prepared);
      throw error;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        () => {
          scope.module.loaded = true;
          this.#writeCache(prepared);
        },
        (error: unknown) => {
          this.#writeCache(prepared);
          throw error;
        },
      );
    }
    scope.module.loaded = true;
    this.#writeCache(prepared);
  }

  /**
   * Write the compiled file, with V8's cache made now that the code ran: inline, or queued for the
   * background writer. A failure only means no cache.
   */
  #writeCache(prepared: Prepared): void {
    const target = prepared.writeTo;
    if (target === null) return;
    prepared.writeTo = null; // once
    const { system } = this.context;
    try {
      const v8 = prepared.body.script.createCachedData();
      const bytes = encodeCompiled(
        { ...prepared.record, isAsync: prepared.body.isAsync, v8 },
        { magic: this.context.magic },
      );
      if (!this.context.writeInline() && queueCompiledWrite(target, bytes, prepared.mode)) return;
      writeFileAtomic(target, bytes, { mode: prepared.mode });
      if (system.tracing) system.verbose(1, `# created '${target}'`, this.name);
    } catch (error) {
      if (system.tracing)
        system.verbose(1, `# could not write '${target}': ${(error as Error).message}`, this.name);
    }
  }

  isPackage(): boolean {
    return isPackageFile(this.path);
  }

  getFilename(): string {
    return this.path;
  }

  getData(path: string): Uint8Array {
    return readFileSync(path);
  }
}

/** Loads TypeScript and JavaScript sources through the compiled cache (Python's `SourceFileLoader`). */
export class SourceFileLoader extends CodeFileLoader {
  #cachePath: string | null | undefined;

  override getSource(): string {
    return readFileSync(this.path, 'utf8');
  }

  override getCached(origin: string): string | null {
    return origin === this.path ? this.#ownCachePath() : this.#cachePathOf(origin);
  }

  /** The compiled file of this loader's source, computed once (spec.cached and the import both ask). */
  #ownCachePath(): string | null {
    if (this.#cachePath === undefined) this.#cachePath = this.#cachePathOf(this.path);
    return this.#cachePath;
  }

  #cachePathOf(origin: string): string | null {
    const { cache } = this.context;
    return cache.read || cache.write ? cacheFromSource(origin, this.context.cachePaths) : null;
  }

  /** @internal */
  protected override prepare(name: string): Prepared {
    const { system, cache } = this.context;
    const path = this.path;
    const stat = statSource(name, path);
    const source = { mtimeMs: stat.mtimeMs, size: stat.size };
    let sourceBytes: Uint8Array | undefined;
    const readSource = (): Uint8Array => (sourceBytes ??= readFileSync(path));
    const cachePath = this.#ownCachePath();
    let mode = cache.invalidationMode;
    // Python's `_calc_mode`: a private source never gets a compiled file others can read.
    const fileMode = (stat.mode | 0o200) & 0o666;

    if (cache.read && cachePath !== null) {
      const bytes = readIfExists(cachePath);
      if (bytes) {
        try {
          const decoded = decodeCompiled(bytes, { name, path: cachePath, magic: this.context.magic });
          if (isFresh(decoded, source, readSource, cache.checkHashBased)) {
            if (system.tracing) system.verbose(2, `# ${cachePath} matches ${path}`, name);
            const body = compileBody(decoded.js, path, {
              isAsync: decoded.isAsync,
              cachedData: decoded.v8,
              moduleName: name,
            });
            if (system.tracing) system.verbose(1, `# code object from '${cachePath}'`, name);
            registerSourceMap(
              path,
              decoded.map === null
                ? mapFromSource(path, this.context.transpile, decoded)
                : mapInFile(cachePath, name, this.context.magic),
              body.firstLineOffset,
            );
            const stale = decoded.v8Rejected || decoded.v8 === null || body.cachedDataRejected;
            return {
              body,
              record: decoded,
              writeTo: stale && cache.write ? cachePath : null,
              mode: fileMode,
            };
          }
          // Python rewrites a stale hash-based file as hash-based again, with the same check flag.
          mode = decoded.invalidation;
          if (system.tracing) system.verbose(1, `# bytecode is stale for '${name}'`, name);
        } catch (error) {
          if (!(error instanceof CompiledCacheError)) throw error;
          if (system.tracing) system.verbose(1, `# ${error.message}; rebuilding from source`, name);
        }
      }
    }

    const text = Buffer.from(readSource()).toString('utf8');
    // No map now: it is made from the source when a stack trace first needs one (mapFromSource).
    const { code } = transpile(text, path, this.context.transpile, name, { sourceMaps: false });
    const record = sourceRecord(code, null, mode, source, readSource);
    const body = compileBody(code, path, { moduleName: name });
    if (code !== text)
      registerSourceMap(path, mapFromSource(path, this.context.transpile, record), body.firstLineOffset);
    return { body, record, writeTo: cache.write ? cachePath : null, mode: fileMode };
  }

  override toString(): string {
    return `<SourceFileLoader '${this.path}'>`;
  }
}

/**
 * Loads a compiled file that ships without its source (Python's `SourcelessFileLoader`): `x.jsc` where
 * `x.ts` would be. Nothing is checked against a source and nothing is written; a bad file is an error
 * naming the module and the file, since there is no source to rebuild it from.
 */
export class SourcelessFileLoader extends CodeFileLoader {
  override getSource(): null {
    return null;
  }

  override getCached(origin: string): string {
    return origin;
  }

  /** @internal */
  protected override prepare(name: string): Prepared {
    const { system } = this.context;
    const path = this.path;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new ImportError(`cannot read '${name}': ${(error as Error).message}`, {
        moduleName: name,
        path,
        cause: error,
      });
    }
    const prepared = preparedFrom(
      decodeCompiled(bytes, { name, path, magic: this.context.magic }),
      path,
      name,
    );
    if (system.tracing) system.verbose(1, `# code object from '${path}'`, name);
    return prepared;
  }

  override toString(): string {
    return `<SourcelessFileLoader '${this.path}'>`;
  }
}

/**
 * @internal A compiled record ready to run as the module at `path`, with its stored source map, and
 * nothing to write (a compiled-only file: folders' sourceless loader and the zip loaders).
 */
export function preparedFrom(record: DecodedCompiled, path: string, name: string): Prepared {
  const body = compileBody(record.js, path, {
    isAsync: record.isAsync,
    cachedData: record.v8,
    moduleName: name,
  });
  registerSourceMap(path, mapOf(record.map), body.firstLineOffset);
  return { body, record, writeTo: null, mode: 0o666 };
}

/** @internal The bytes of `path`, or `null` when it is missing or unreadable (shared with compile-file). */
export function readIfExists(path: string): Uint8Array | null {
  try {
    return readFileSync(path);
  } catch {
    return null; // missing or unreadable: no cache
  }
}

// The source-map loaders outlive their system (the stack-trace registry is process-wide, keyed by
// file), so they are made here and hold only what they need: an arrow made inside `prepare` would
// share its scope, and so keep the source bytes (`sourceBytes`) or the whole compiled record.

/** A loader of the map stored in the compiled file `cachePath`. */
function mapInFile(cachePath: string, name: string, magic: Uint8Array): SourceMapLoader {
  return () => {
    const bytes = readIfExists(cachePath);
    return bytes ? decodeCompiled(bytes, { name, path: cachePath, magic }).map : null;
  };
}

/**
 * A loader of the map of the source `path`, made by transpiling the source again the first time a
 * stack trace needs it, and only if the source is still the one `record` was made from (mtime and
 * size, or hash): the map of another source would point at the wrong lines. Holds the path, the
 * options and the source's stamp, never the source or the code.
 */
function mapFromSource(
  path: string,
  options: TranspileOptions,
  record: Pick<CompiledRecord, 'invalidation' | 'sourceMtimeMs' | 'sourceSize' | 'sourceHash'>,
): SourceMapLoader {
  const { invalidation, sourceMtimeMs, sourceSize } = record;
  const stamp = { invalidation, sourceMtimeMs, sourceSize, sourceHash: record.sourceHash };
  let map: string | null | undefined;
  return () => {
    if (map !== undefined) return map;
    map = null;
    try {
      const bytes = readFileSync(path);
      if (isFresh(stamp, statSync(path), () => bytes, 'always'))
        map = transpile(Buffer.from(bytes).toString('utf8'), path, options).map;
    } catch {
      // No source, or it no longer parses: the frames keep their generated positions.
    }
    return map;
  };
}

/** @internal A loader of a map already in memory (shared with the zip loaders). */
export function mapOf(map: string | null): SourceMapLoader {
  return () => map;
}
