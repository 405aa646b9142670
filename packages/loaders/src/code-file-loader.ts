/**
 * The base of the code-file loaders (folders' source and sourceless loaders, the zip entry loaders):
 * run a compiled record as a module, then write its compiled file; and the helpers those loaders and
 * `compileFile` share.
 */
import { readFileSync } from 'node:fs';

import { CodeObject, ImportError, isThenable, type Loader, type ModuleType } from '@importlib/core';

import { queueCompiledWrite } from './cache-writer.js';
import {
  encodeCompiled,
  sourceHash,
  type CompiledRecord,
  type DecodedCompiled,
  type InvalidationMode,
} from './compiled-cache.js';
import { writeFileAtomic } from './io/atomic-write.js';
import { isPackageFile } from './layout.js';
import type { LoaderContext } from './loader-context.js';
import { compileBody, type CompiledBody } from './module-body.js';
import { checkAsyncAllowed, createModuleScope, runBody } from './runtime.js';
import { registerSourceMap, type SourceMapLoader } from './stack-traces.js';

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

/** @internal The error for the source `path` of `name` that cannot be stat'ed or read (shared with compile-file). */
export function unreadableSource(name: string, path: string, error: unknown): ImportError {
  return new ImportError(`cannot read the source of '${name}': ${(error as Error).message}`, {
    moduleName: name,
    path,
    cause: error,
  });
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
    checkAsyncAllowed(system, prepared.body.isAsync, module.__name__, this.path);
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

/** @internal A loader of a map already in memory (shared with the zip loaders). */
export function mapOf(map: string | null): SourceMapLoader {
  return () => map;
}
