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

import { ImportError } from '@importlib/core';

import { cacheFromSource } from './cache-paths.js';
import {
  CodeFileLoader,
  preparedFrom,
  readIfExists,
  sourceRecord,
  unreadableSource,
  type Prepared,
} from './code-file-loader.js';
import { CompiledCacheError, decodeCompiled, isFresh, type CompiledRecord } from './compiled-cache.js';
import { compileBody } from './module-body.js';
import { registerSourceMap, type SourceMapLoader } from './stack-traces.js';
import { transpile, type TranspileOptions } from './transpile.js';

function statSource(name: string, path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw unreadableSource(name, path, error);
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
    const { code, isAsync } = transpile(text, path, this.context.transpile, name, { sourceMaps: false });
    const record = sourceRecord(code, null, mode, source, readSource);
    const body = compileBody(code, path, { isAsync, moduleName: name });
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
