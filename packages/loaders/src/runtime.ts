/**
 * Running a transpiled body as a module: the CommonJS-style wrapper, compiled with `vm.Script` in the
 * current realm (with V8's code cache), and the `require`, `module` and dynamic `import()` that module
 * code sees. They all go back through the import system the module was loaded by.
 *
 * Must not import anything but `@importlib/core` and node built-ins.
 */
import { createRequire, isBuiltin } from 'node:module';
import { dirname, resolve as resolvePath, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isModuleNamespaceObject } from 'node:util/types';
import vm from 'node:vm';

import {
  encodeSegment,
  ImportArgumentError,
  ModuleNotFoundError,
  type ImportSystem,
  type ModuleType,
} from '@importlib/core';

import { requireFile } from './node-loader.js';
import { isEsmFile, isInNodeModules, nodeResolve } from './node-resolve.js';
import { resolveSpecifier, SOURCE_ENDINGS, type Target } from './specifiers.js';
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

/** A package's own file (`__init__.ts`, `index.js`, …): `./x` in it is inside the package. */
const PACKAGE_FILE = /[\\/](?:__init__|index)\.[^\\/.]+$/;

/** Per system: the top-level names module code is looking up on the system right now. */
const lookups = new WeakMap<ImportSystem, Set<string>>();

/**
 * Whether module code of `system` is looking up the bare name `name` on the system right now. The
 * meta-path finder that hands top-level names to Node (`NodeFallbackFinder`) declines those: module
 * code resolves what the system does not own from the importing file, not from the path entries.
 */
export function isModuleCodeLookup(system: ImportSystem, name: string): boolean {
  return lookups.get(system)?.has(name) === true;
}

/** Run `lookup` with `name` marked as looked up by module code (see {@link isModuleCodeLookup}). */
function asModuleCode<T>(system: ImportSystem, name: string, lookup: () => T): T {
  let names = lookups.get(system);
  if (names === undefined) lookups.set(system, (names = new Set()));
  if (names.has(name)) return lookup();
  names.add(name);
  try {
    return lookup();
  } finally {
    names.delete(name);
  }
}

/** `asModuleCode` for the async path: the name stays marked until the lookup settles. */
async function asModuleCodeAsync<T>(
  system: ImportSystem,
  name: string,
  lookup: () => Promise<T>,
): Promise<T> {
  let names = lookups.get(system);
  if (names === undefined) lookups.set(system, (names = new Set()));
  if (names.has(name)) return lookup();
  names.add(name);
  try {
    return await lookup();
  } finally {
    names.delete(name);
  }
}

/**
 * The module name `file` has on the system's path (`<entry>/a/b/c.ts` → `a.b.c`, `a/b/index.js` →
 * `a.b`), when a finder gives that name exactly this file; else `null`. So a file Node's resolution
 * reaches (a package's `imports` map, a self-reference) that the system owns is imported under its
 * name, once per system, not run a second time by Node.
 */
function ownedName(system: ImportSystem, file: string): string | null {
  const ending = SOURCE_ENDINGS.exec(file);
  if (ending === null) return null;
  for (const entry of system.path) {
    if (typeof entry !== 'string') continue;
    const folder = resolvePath(entry === '' ? '.' : entry);
    if (!file.startsWith(folder + sep)) continue;
    const parts = file.slice(folder.length + 1, file.length - ending[0].length).split(sep);
    if (parts.length > 1 && (parts[parts.length - 1] === 'index' || parts[parts.length - 1] === '__init__'))
      parts.pop();
    const name = parts.map(encodeSegment).join('.');
    try {
      if (system.findSpec(name)?.origin === file) return name;
    } catch {
      // a parent that cannot be imported: not the system's module
    }
  }
  return null;
}

/**
 * The package a relative specifier in `module` is resolved against: its `__package__`, except for a
 * module file beside a folder of its name (`lib/schema.js` and `lib/schema/`), whose `__path__` is
 * that folder (so `lib.schema.default` is found, as Node finds `./schema/default`) while `./x` inside
 * the file still means a sibling of the file: the parent package.
 */
function relativeBase(module: ModuleType, name: string, file: string): string {
  const declared = typeof module.__package__ === 'string' ? module.__package__ : '';
  const locations: unknown = module.__path__;
  if (declared !== name || !Array.isArray(locations) || PACKAGE_FILE.test(file)) return declared;
  if (locations.includes(dirname(file))) return declared;
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(0, dot);
}

/**
 * The `require`, `module`, `exports` and `import()` of one module, bound to `system`. Relative
 * specifiers resolve against the module's package. A bare specifier in a project file is looked up on
 * the system first (Python's top-level names), then resolved by Node from `file`; in a file inside a
 * `node_modules` folder it is resolved by Node from `file` directly, as Node would (nested versions).
 * What Node resolves is loaded by Node (with the `import` conditions on the async path and in ES
 * module files, `require` otherwise), unless the system owns that file.
 */
export function createModuleScope(
  system: ImportSystem,
  module: ModuleType,
  file: string,
  options: ScopeOptions = {},
): ModuleScope {
  const name = module.__name__;
  const pkg = relativeBase(module, name, file);
  const fallback = options.nodeFallback ?? true;
  // Code of an installed package resolves its bare specifiers as Node does from its file.
  const npmCode = fallback && isInNodeModules(file);
  let nodeRequire: NodeJS.Require | undefined;
  const node = (): NodeJS.Require => (nodeRequire ??= createRequire(file));
  let esm: boolean | undefined;
  const conditions = (async: boolean): 'import' | 'require' =>
    async || (esm ??= isEsmFile(file)) ? 'import' : 'require';

  /** Only a bare specifier that no finder claims goes on to Node's resolution (when enabled). */
  const mayFallBack = (target: Target, error: unknown): boolean =>
    target.kind === 'bare' && target.name !== null && fallback && notClaimed(system, error, target.name);
  /** Whether the system is asked first: everything but a bare specifier in an installed package's code. */
  const systemFirst = (target: Target): target is Target & { name: string } =>
    target.name !== null && !(npmCode && target.kind === 'bare');

  const require = ((specifier: string): unknown => {
    if (typeof specifier !== 'string') {
      throw new ImportArgumentError(`require() in '${name}' needs a string, not ${typeof specifier}`);
    }
    const target = resolveSpecifier(specifier, name, pkg, file);
    if (systemFirst(target)) {
      try {
        return target.kind === 'bare'
          ? asModuleCode(system, target.name, () => system.importModule(target.name))
          : system.importModule(target.name);
      } catch (error) {
        if (!mayFallBack(target, error)) throw error;
      }
    }
    const resolved = nodeResolve(specifier, file, conditions(false));
    if (isBuiltin(resolved)) return node()(resolved);
    const owned = isInNodeModules(resolved) ? null : ownedName(system, resolved);
    return owned !== null ? system.importModule(owned) : requireFile(specifier, resolved);
  }) as ModuleRequire;

  require.resolve = (specifier: string): string => {
    const target = resolveSpecifier(specifier, name, pkg, file);
    if (target.kind === 'builtin') return specifier;
    if (systemFirst(target)) {
      const spec =
        target.kind === 'bare'
          ? asModuleCode(system, target.name, () => system.findSpec(target.name))
          : system.findSpec(target.name);
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
    if (systemFirst(target)) {
      try {
        return namespaceOf(
          target.kind === 'bare'
            ? await asModuleCodeAsync(system, target.name, () => system.importModuleAsync(target.name))
            : await system.importModuleAsync(target.name),
        );
      } catch (error) {
        if (!mayFallBack(target, error)) throw error;
      }
    }
    // Node's own loader, with its `import` conditions: an ES module (top-level await too) as Node imports it.
    const resolved = nodeResolve(text, file, 'import');
    if (isBuiltin(resolved)) return import(resolved);
    const owned = isInNodeModules(resolved) ? null : ownedName(system, resolved);
    if (owned !== null) return namespaceOf(await system.importModuleAsync(owned));
    return import(pathToFileURL(resolved).href);
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
    // Node's own namespace (an ES module Node loaded): exactly Node's keys, nothing added.
    if (isModuleNamespaceObject(value)) return value;
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
