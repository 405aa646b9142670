/**
 * Filling the compiled cache without running anything (Python's `py_compile.compile`, the unit of
 * `compileall`): transpile one source file and write the compiled file its `SourceFileLoader` would
 * read, with V8's cache of the top-level code.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';

import { cacheFromSource } from './cache-paths.js';
import { readIfExists, sourceRecord, unreadableSource } from './code-file-loader.js';
import {
  CompiledCacheError,
  decodeCompiled,
  encodeCompiled,
  isFresh,
  type CompiledRecord,
} from './compiled-cache.js';
import { writeFileAtomic } from './io/atomic-write.js';
import type { LoaderContext } from './loader-context.js';
import { compileBody } from './module-body.js';
import { transpile } from './transpile.js';

/** Options of {@link compileFile}. */
export interface CompileFileOptions {
  /**
   * Write the compiled file even when the one there is up to date (Python's `compileall -f`).
   * @default false
   */
  force?: boolean;
  /** The module name for error messages. @default the file's name */
  name?: string;
}

/** What {@link compileFile} did. */
export interface CompileFileResult {
  /** `'compiled'`: a compiled file was written; `'fresh'`: the one there was up to date. */
  status: 'compiled' | 'fresh';
  /** The compiled file. */
  cachePath: string;
}

/**
 * Compile the source file `path` into the compiled cache, as `context` (its invalidation mode,
 * cache prefix and transpile options) says; the file is the one a `SourceFileLoader` of that context
 * reads. An existing compiled file is kept when it has the requested invalidation mode, this
 * process's V8 cache, and matches the source (its mtime and size, or its hash, always compared here;
 * Python's `compileall` recompiles every hash-based file instead).
 *
 * @throws ImportError when the source cannot be read; `ImportSyntaxError` when it cannot be parsed;
 *   the error of the write when the compiled file cannot be written. Nothing is half-written.
 */
export function compileFile(
  path: string,
  context: LoaderContext,
  options: CompileFileOptions = {},
): CompileFileResult {
  const name = options.name ?? basename(path);
  let source: Uint8Array;
  let stat: { mtimeMs: number; size: number; mode: number };
  try {
    stat = statSync(path);
    source = readFileSync(path);
  } catch (error) {
    throw unreadableSource(name, path, error);
  }
  const cachePath = cacheFromSource(path, context.cachePaths);
  const mode = context.cache.invalidationMode;
  if (!options.force && upToDate(cachePath, name, context, stat, source)) {
    return { status: 'fresh', cachePath };
  }
  const { code, map, isAsync } = transpile(
    Buffer.from(source).toString('utf8'),
    path,
    context.transpile,
    name,
  );
  const body = compileBody(code, path, { isAsync, moduleName: name });
  const record: CompiledRecord = {
    ...sourceRecord(code, map, mode, stat, () => source),
    isAsync: body.isAsync,
    v8: body.script.createCachedData(),
  };
  // Python's `_calc_mode`: the compiled file gets the source's permissions, owner-writable.
  writeFileAtomic(cachePath, encodeCompiled(record, { magic: context.magic }), {
    mode: (stat.mode | 0o200) & 0o666,
  });
  return { status: 'compiled', cachePath };
}

function upToDate(
  cachePath: string,
  name: string,
  context: LoaderContext,
  stat: { mtimeMs: number; size: number },
  source: Uint8Array,
): boolean {
  const bytes = readIfExists(cachePath);
  if (bytes === null) return false; // missing or unreadable: compile
  try {
    const decoded = decodeCompiled(bytes, { name, path: cachePath, magic: context.magic });
    return (
      decoded.invalidation === context.cache.invalidationMode &&
      decoded.v8 !== null &&
      isFresh(decoded, stat, () => source, 'always')
    );
  } catch (error) {
    if (error instanceof CompiledCacheError) return false; // damaged or foreign: compile
    throw error;
  }
}
