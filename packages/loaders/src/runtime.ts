/**
 * Running a transpiled body as a module: the CommonJS-style wrapper, compiled with `vm.Script` in the
 * current realm (with V8's code cache), and the `require`, `module` and dynamic `import()` that module
 * code sees. They all go back through the import system the module was loaded by.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

import {
  ImportArgumentError,
  ModuleNotFoundError,
  type ImportSystem,
  type ModuleType,
} from '@importlib/core';

import { resolveSpecifier, type Target } from './specifiers.js';
import { DYNAMIC_IMPORT, ImportSyntaxError } from './transpile.js';

const PARAMS = `exports, require, module, __filename, __dirname, ${DYNAMIC_IMPORT}`;
const SYNC_PREFIX = `(function (${PARAMS}) {`;
const ASYNC_PREFIX = `(async function (${PARAMS}) {`;

/** The function a module body compiles to. */
export type ModuleFunction = (
  this: unknown,
  exports: object,
  require: ModuleRequire,
  module: CommonJsModule,
  filename: string,
  dirname: string,
  dynamicImport: (specifier: unknown) => Promise<unknown>,
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
}

/**
 * Compile a transpiled body. A body with top-level `await` is compiled as an async function (tried
 * only when a synchronous compile fails and the code mentions `await`, unless `isAsync` is known).
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
    };
  };
  if (options.isAsync) return attempt(true);
  try {
    return attempt(false);
  } catch (error) {
    if (error instanceof SyntaxError && /\bawait\b/.test(js)) {
      try {
        return attempt(true);
      } catch {
        // report the first error: the body is broken either way
      }
    }
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

/** The `require` module code sees. */
export interface ModuleRequire {
  (specifier: string): unknown;
  /** Where `specifier` would be loaded from: a module's `__file__`, or Node's resolution. */
  resolve(specifier: string): string;
}

/** The CommonJS `module` object module code sees. Assigning `exports` replaces the registry entry. */
export interface CommonJsModule {
  exports: unknown;
  readonly id: string;
  readonly filename: string;
  readonly path: string;
  loaded: boolean;
  readonly require: ModuleRequire;
}

/** How a module's imports reach the import system. */
export interface ModuleScope {
  exports: object;
  require: ModuleRequire;
  module: CommonJsModule;
  dynamicImport: (specifier: unknown) => Promise<unknown>;
}

/** Options of {@link createModuleScope}. */
export interface ScopeOptions {
  /**
   * Fall back to Node's own resolution, from the importing file, for a bare specifier no finder claims
   * (npm dependencies).
   * @default true
   */
  nodeFallback?: boolean;
}

/**
 * Tell whether `error` says the import system has no module `name` (nor a parent of it). A name
 * blocked by `null` in `modules` is not unclaimed: the block holds, as Python's does.
 */
function notClaimed(system: ImportSystem, error: unknown, name: string): boolean {
  if (!(error instanceof ModuleNotFoundError) || error.moduleName === null) return false;
  if (system.modules.get(error.moduleName) === null) return false;
  return error.moduleName === name || name.startsWith(`${error.moduleName}.`);
}

/**
 * The `require`, `module`, `exports` and `import()` of one module, bound to `system`. Relative
 * specifiers resolve against the module's package; what no finder claims goes to Node's resolution
 * from `file`.
 */
export function createModuleScope(
  system: ImportSystem,
  module: ModuleType,
  file: string,
  options: ScopeOptions = {},
): ModuleScope {
  const name = module.__name__;
  const pkg = typeof module.__package__ === 'string' ? module.__package__ : '';
  const fallback = options.nodeFallback ?? true;
  let nodeRequire: NodeJS.Require | undefined;
  const node = (): NodeJS.Require => (nodeRequire ??= createRequire(file));

  /** Only a bare specifier that no finder claims goes on to Node's resolution (when enabled). */
  const mayFallBack = (target: Target, error: unknown): boolean =>
    target.kind === 'bare' && target.name !== null && fallback && notClaimed(system, error, target.name);

  const require = ((specifier: string): unknown => {
    if (typeof specifier !== 'string') {
      throw new ImportArgumentError(`require() in '${name}' needs a string, not ${typeof specifier}`);
    }
    const target = resolveSpecifier(specifier, name, pkg, file);
    if (target.name !== null) {
      try {
        return system.importModule(target.name);
      } catch (error) {
        if (!mayFallBack(target, error)) throw error;
      }
    }
    return node()(specifier);
  }) as ModuleRequire;

  require.resolve = (specifier: string): string => {
    const target = resolveSpecifier(specifier, name, pkg, file);
    if (target.kind === 'builtin') return specifier;
    if (target.name !== null) {
      const spec = system.findSpec(target.name);
      if (spec?.origin) return spec.origin;
      if (target.kind === 'relative') {
        throw new ModuleNotFoundError(`No module named '${target.name}'`, {
          moduleName: target.name,
          path: file,
        });
      }
    }
    return node().resolve(specifier);
  };

  const dynamicImport = async (specifier: unknown): Promise<unknown> => {
    const text = String(specifier);
    const target = resolveSpecifier(text, name, pkg, file);
    if (target.name !== null) {
      try {
        return namespaceOf(await system.importModuleAsync(target.name));
      } catch (error) {
        if (!mayFallBack(target, error)) throw error;
      }
    }
    // Node's own loader: an ESM-only npm package cannot be required on Node 20, but it can be imported.
    return import(pathToFileURL(node().resolve(text)).href);
  };

  // `exports` is the module object itself. (Export getters are made configurable at transpile time, so
  // a reload can run the module again in the same object.)
  const exports = module;
  let current: unknown = exports;
  const cjs: CommonJsModule = {
    get exports() {
      return current;
    },
    set exports(value: unknown) {
      current = value;
      system.modules.set(name, value);
    },
    id: file,
    filename: file,
    path: dirname(file),
    loaded: false,
    require,
  };
  return { exports, require, module: cjs, dynamicImport };
}

/** What `import()` of an import-system module gives: an ES namespace-like object. */
function namespaceOf(value: unknown): unknown {
  if ((typeof value === 'object' || typeof value === 'function') && value !== null) {
    if ((value as { __esModule?: unknown }).__esModule) return value;
    const namespace: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) namespace[key] = (value as Record<string, unknown>)[key];
    namespace.default = value;
    return namespace;
  }
  return { default: value };
}

/** Run a compiled body as `module`; returns what the body returns (a promise for an async body). */
export function runBody(body: CompiledBody, scope: ModuleScope, file: string): unknown {
  return callModuleFunction(body.fn, scope, file);
}

/**
 * Call a module function (the CommonJS-style wrapper) with the scope's `exports`, `require`,
 * `module`, file name, folder and dynamic import, `this` being `exports`, as Node calls its wrapper.
 */
export function callModuleFunction(fn: ModuleFunction, scope: ModuleScope, file: string): unknown {
  return fn.call(
    scope.exports,
    scope.exports,
    scope.require,
    scope.module,
    file,
    dirname(file),
    scope.dynamicImport,
  );
}
