/**
 * What the code loaders of one import system share: the system and the settled options (the
 * compiled cache, transpiling, Node's fallback resolution), and the count of inline cache writes.
 */
import type { ImportSystem } from '@importlib/core';

import type { CachePathOptions } from './cache-paths.js';
import type { CheckHashBased, InvalidationMode } from './compiled-cache.js';
import { magicForOptions } from './magic.js';
import { transpileOptionsKey, type TranspileOptions } from './transpile.js';

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
