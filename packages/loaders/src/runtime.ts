/**
 * Running a transpiled body as a module: the CommonJS-style wrapper (compiled by `module-body.ts`), and
 * the `require`, `module` and dynamic `import()` that module code sees. They all go back through the
 * import system the module was loaded by.
 */
import { createRequire, isBuiltin } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  ImportArgumentError,
  isThenable,
  ModuleNotFoundError,
  RequireAsyncError,
  type ImportSystem,
  type ModuleType,
} from '@importlib/core';

import { esModules, importedView, namespaceOf, runtimeHelpers, TS_INTEROP } from './interop.js';
import type { CompiledBody, ModuleFunction } from './module-body.js';
import type { CommonJsModule, ModuleRequire } from './module-scope-types.js';
import { requireFile } from './node-loader.js';
import { isEsmFile, isInNodeModules, nodeImport, nodeResolve } from './node-resolve.js';
import { resolveSpecifier, type Target } from './specifiers.js';
import {
  asModuleCode,
  asModuleCodeAsync,
  nodeModulePaths,
  ownedName,
  relativeBase,
  requireCache,
  requireHere,
  systemScopes,
  type SystemScopes,
} from './system-scopes.js';

/** How a module's imports reach the import system. */
export interface ModuleScope {
  exports: object;
  require: ModuleRequire;
  module: CommonJsModule;
  dynamicImport: (specifier: unknown) => Promise<unknown>;
  /** @internal Called once the body has run: reads `module.exports` back, sets `module.loaded`. */
  finish(): void;
  /**
   * @internal On the async path, before the body runs: import with Node's `import()` the ES modules
   * Node will load for the body's bare imports, so they get Node's own namespace (and top-level
   * `await` in them works) when the body's transpiled imports ask for them synchronously.
   */
  preload(code: string): Promise<void> | null;
  /** @internal */
  scopes: SystemScopes;
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
  // An ES module's imports (its transpiled body's require calls) use Node's `import` conditions. The
  // body marks its exports as an ES module first thing (ESM_OPENER), by the file's format.
  const conditions = (async: boolean): 'import' | 'require' =>
    async || esModules.has(module) ? 'import' : 'require';
  const scopes = systemScopes(system);

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
        if (target.kind !== 'bare') {
          const value = system.importModule(target.name);
          addChild(target.name);
          return value;
        }
        const value = asModuleCode(system, target.name, () => system.importModule(target.name));
        addChild(target.name);
        // An installed ES module the system had Node require(): an ES module importer sees its own keys.
        return esModules.has(module) ? importedView(value) : value;
      } catch (error) {
        if (!mayFallBack(target, error)) throw error;
      }
    }
    const esmImporter = conditions(false) === 'import';
    const resolved = nodeResolve(specifier, file, esmImporter ? 'import' : 'require');
    if (isBuiltin(resolved)) return node()(resolved);
    const preloaded = imported?.get(resolved);
    if (preloaded !== undefined) return preloaded;
    const owned = isInNodeModules(resolved) ? null : ownedName(system, resolved);
    if (owned !== null) return system.importModule(owned);
    const value = requireFile(specifier, resolved);
    return esmImporter ? importedView(value) : value;
  }) as ModuleRequire;

  /** ES modules Node imported for this body before it ran (the async path), by file. */
  let imported: Map<string, unknown> | undefined;
  /** `null` (nothing to wait for) on the synchronous path, and for a body without bare imports. */
  const preload = (code: string): Promise<void> | null =>
    system.outerImportId === null && BARE_REQUIRE.test(code) ? preloadAll(code) : null;
  const preloadAll = async (code: string): Promise<void> => {
    for (const [, specifier] of code.matchAll(BARE_REQUIRES)) {
      if (specifier === undefined || isBuiltin(specifier)) continue;
      const target = resolveSpecifier(specifier, name, pkg, file);
      if (target.kind !== 'bare') continue;
      // Only what goes to Node: a top-level name the system claims is the system's (asking about a
      // top-level name imports nothing, so nothing runs early).
      const top = target.name?.split('.')[0];
      if (systemFirst(target) && top !== undefined) {
        if (system.modules.has(top)) continue;
        if (asModuleCode(system, top, () => system.findSpec(top)) !== null) continue;
      }
      let resolved: string;
      try {
        resolved = nodeResolve(specifier, file, 'import');
      } catch {
        continue; // the body's own require() reports it, where Node would
      }
      if (!isEsmFile(resolved) || !isInNodeModules(resolved)) continue;
      (imported ??= new Map()).set(resolved, await nodeImport(pathToFileURL(resolved).href));
    }
  };

  const resolve = (specifier: string, resolveOptions?: { paths?: string[] }): string => {
    if (resolveOptions?.paths !== undefined) return node().resolve(specifier, resolveOptions);
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
  resolve.paths = (specifier: string): string[] | null => node().resolve.paths(specifier);
  require.resolve = resolve;
  // Plain properties, as Node's: the cache view is made once per system; `main` (set below) is what
  // it is when the module starts (the system's `__main__` runs before the modules it requires).
  (require as { cache: unknown }).cache = scopes.cache ??= requireCache(system, scopes);

  const dynamicImport = async (specifier: unknown): Promise<unknown> => {
    const text = String(specifier);
    const target = resolveSpecifier(text, name, pkg, file);
    if (systemFirst(target)) {
      try {
        return namespaceOf(
          target.kind === 'bare'
            ? await asModuleCodeAsync(system, target.name, () => system.importModuleAsync(target.name))
            : await system.importModuleAsync(target.name),
          nodeInterop,
        );
      } catch (error) {
        if (!mayFallBack(target, error)) throw error;
      }
    }
    // Node's own loader, with its `import` conditions: an ES module (top-level await too) as Node imports it.
    const resolved = nodeResolve(text, file, 'import');
    if (isBuiltin(resolved)) return nodeImport(resolved);
    const owned = isInNodeModules(resolved) ? null : ownedName(system, resolved);
    if (owned !== null) return namespaceOf(await system.importModuleAsync(owned), nodeInterop);
    return nodeImport(pathToFileURL(resolved).href);
  };
  const nodeInterop = !TS_INTEROP.test(file);

  // `exports` is the module object itself. (Export getters are made configurable at transpile time, so
  // a reload can run the module again in the same object.)
  const exports = module;
  let current: unknown = exports;
  const parent = scopes.running;
  let paths: string[] | undefined;
  const cjs: CommonJsModule = {
    get exports() {
      return current;
    },
    set exports(value: unknown) {
      current = value;
      system.modules.set(name, value);
    },
    id: name === '__main__' ? '.' : file,
    filename: file,
    path: dirname(file),
    loaded: false,
    parent,
    children: [],
    get paths() {
      return (paths ??= nodeModulePaths(dirname(file)));
    },
    require,
  };
  if (parent !== null) parent.children.push(cjs);
  scopes.byFile.set(file, { name, module: cjs });
  scopes.byName.set(name, cjs);
  (require as { main: unknown }).main = scopes.byName.get('__main__') ?? requireHere.main;

  /** Node's `updateChildren`: a module required again is still a child of each module requiring it. */
  function addChild(childName: string): void {
    const child = scopes.byName.get(childName);
    if (child !== undefined && child !== cjs && !cjs.children.includes(child)) cjs.children.push(child);
  }

  /**
   * After the body ran: `module.exports` as it is now becomes the registry entry (Node's require
   * returns it, however it was set), unless something else replaced the entry meanwhile.
   */
  const finish = (): void => {
    const final = cjs.exports;
    if (final !== current && system.modules.get(name) === current) system.modules.set(name, final);
    cjs.loaded = true;
  };

  return { exports, require, module: cjs, dynamicImport, finish, scopes, preload };
}

/**
 * Refuse, before it runs, a body that awaits at top level when a synchronous import is running (the
 * import system's `outerImportId`): a synchronous import cannot wait for it, and a body left running
 * in the background would run a second time when an async import came for it.
 *
 * Module code's `import()` starts its import in a promise job (swc compiles it to
 * `Promise.resolve().then(…)`), so an async import never runs inside the synchronous import that
 * started it. (An `importModuleAsync()` called directly by module code while a synchronous import
 * runs starts inside it, and is refused a module that awaits, until its first `await`.)
 */
export function checkAsyncAllowed(system: ImportSystem, isAsync: boolean, name: string, file: string): void {
  if (!isAsync || system.outerImportId === null) return;
  throw new RequireAsyncError(
    `cannot import '${name}' synchronously: it awaits at top level (${file}); import it with importModuleAsync() or import()`,
    { moduleName: name, path: file },
  );
}

/** Run a compiled body as `module`; returns what the body returns (a promise for an async body). */
export function runBody(body: CompiledBody, scope: ModuleScope, file: string): unknown {
  const preloading = scope.preload(body.source);
  if (preloading !== null) return preloading.then(() => callModuleFunction(body.fn, scope, file));
  return callModuleFunction(body.fn, scope, file);
}

/** A transpiled static import of a bare specifier (`require("pkg")`, as swc writes it). */
const BARE_REQUIRE = /\brequire\("(?![./]|node:)[^"]+"\)/;
const BARE_REQUIRES = /\brequire\("((?![./]|node:)[^"]+)"\)/g;

/**
 * Call a module function (the CommonJS-style wrapper) with the scope's `exports`, `require`,
 * `module`, file name, folder and dynamic import, and the module's `__loader__`, `__name__` and
 * `__spec__`, `this` being `exports`, as Node calls its wrapper (an ES module's body has no `this`:
 * swc compiles it away). When the body has run (or its promise settled), `module.exports` is read
 * back and `module.loaded` set.
 */
export function callModuleFunction(fn: ModuleFunction, scope: ModuleScope, file: string): unknown {
  const { scopes } = scope;
  const module = scope.exports as ModuleType;
  const outer = scopes.running;
  scopes.running = scope.module;
  let result: unknown;
  try {
    result = fn.call(
      scope.exports,
      scope.exports,
      scope.require,
      scope.module,
      file,
      dirname(file),
      scope.dynamicImport,
      module.__loader__,
      module.__name__,
      module.__spec__,
      runtimeHelpers,
    );
  } finally {
    scopes.running = outer;
  }
  if (isThenable(result)) return Promise.resolve(result).then(() => scope.finish());
  scope.finish();
  return result;
}
