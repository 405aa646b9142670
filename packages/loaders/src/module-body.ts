/**
 * A module body compiled as a function: the CommonJS-style wrapper, compiled with `vm.Script` in the
 * current realm (with V8's code cache).
 */
import vm from 'node:vm';

import type { RuntimeHelpers } from './interop.js';
import type { CommonJsModule, ModuleRequire } from './module-scope-types.js';
import { awaitsAtTopLevel, ESM_OPENER, ImportSyntaxError, MODULE_PARAMS } from './transpile.js';

const SYNC_PREFIX = `(function (${MODULE_PARAMS}) {`;
const ASYNC_PREFIX = `(async function (${MODULE_PARAMS}) {`;

/** The function a module body compiles to (its parameters are `MODULE_PARAMS`). */
export type ModuleFunction = (
  this: unknown,
  exports: object,
  require: ModuleRequire,
  module: CommonJsModule,
  filename: string,
  dirname: string,
  dynamicImport: (specifier: unknown) => Promise<unknown>,
  loader: unknown,
  name: unknown,
  spec: unknown,
  helpers: RuntimeHelpers,
) => unknown;

/** A compiled module body. */
export interface CompiledBody {
  fn: ModuleFunction;
  script: vm.Script;
  /** The body awaits at top level: its function is async (the async import path only). */
  isAsync: boolean;
  /** V8 refused the cached data it was given (another Node, other flags): write a new cache. */
  cachedDataRejected: boolean;
  /** Characters the wrapper puts before the code on line 1 (for source-mapping stack frames). */
  firstLineOffset: number;
  /** The transpiled code (read on the async path only, for its bare imports: see `runBody`). */
  source: string;
}

/**
 * Compile a transpiled body. A body with top-level `await` is compiled as an async function: `isAsync`
 * comes with the code (from `transpile`, or the compiled file); when it is not given, an ES module's
 * body is checked for top-level `await` (`awaitsAtTopLevel`). A CommonJS body is never async: Node
 * refuses `await` at the top of a CommonJS file.
 */
export function compileBody(
  js: string,
  filename: string,
  options: { isAsync?: boolean; cachedData?: Uint8Array | null; moduleName?: string } = {},
): CompiledBody {
  const cachedData = options.cachedData
    ? Buffer.from(options.cachedData.buffer, options.cachedData.byteOffset, options.cachedData.byteLength)
    : undefined;
  const attempt = (isAsync: boolean): CompiledBody => {
    const prefix = isAsync ? ASYNC_PREFIX : SYNC_PREFIX;
    const script = new vm.Script(`${prefix}${js}\n})`, { filename, cachedData });
    return {
      fn: script.runInThisContext() as ModuleFunction,
      script,
      isAsync,
      cachedDataRejected: cachedData !== undefined && script.cachedDataRejected === true,
      firstLineOffset: prefix.length,
      source: js,
    };
  };
  const isAsync = options.isAsync ?? (js.startsWith(ESM_OPENER) && awaitsAtTopLevel(js));
  try {
    return attempt(isAsync);
  } catch (error) {
    throw compileError(error, filename, options.moduleName);
  }
}

function compileError(error: unknown, filename: string, moduleName: string | undefined): unknown {
  if (!(error instanceof SyntaxError)) return error;
  const line = Number(/:(\d+)\s*$/m.exec(String(error.stack).split('\n')[0] ?? '')?.[1] ?? NaN);
  return new ImportSyntaxError(
    `cannot import ${moduleName ? `'${moduleName}'` : 'module'}: ${error.message} (${filename})`,
    {
      moduleName: moduleName ?? null,
      path: filename,
      line: Number.isFinite(line) ? line : null,
      cause: error,
    },
  );
}
