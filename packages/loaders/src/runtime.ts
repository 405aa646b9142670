/**
 * Running a transpiled body as a module: the CommonJS-style wrapper, compiled with `vm.Script` in the
 * current realm (with V8's code cache), and the `require`, `module` and dynamic `import()` that module
 * code sees. They all go back through the import system the module was loaded by.
 */
import Module, { createRequire, isBuiltin } from 'node:module';
import { dirname, resolve as resolvePath, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isModuleNamespaceObject } from 'node:util/types';
import vm from 'node:vm';

import {
  encodeSegment,
  ImportArgumentError,
  isThenable,
  ModuleNotFoundError,
  RequireAsyncError,
  type ImportSystem,
  type ModuleType,
} from '@importlib/core';

import { requireFile } from './node-loader.js';
import { isEsmFile, isInNodeModules, nodeResolve } from './node-resolve.js';
import { resolveSpecifier, SOURCE_ENDINGS, type Target } from './specifiers.js';
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

/** The helpers transpiled bodies call (the wrapper's `__importlib_runtime__`). */
export interface RuntimeHelpers {
  /** Record that `exports` belongs to an ES module (for Node's default-import interop). */
  markModule(exports: object): void;
  /**
   * Whether `value` is an ES module's exports, or the namespace of one Node loaded (Node's interop:
   * its default import is `.default`, and it is its own namespace).
   */
  isModule(value: unknown): boolean;
  /**
   * The namespace `import * as` gives of an ES module (one {@link isModule} accepts): the module
   * itself, except Node's `require(esm)` namespace of a module with a default export, which carries an
   * `__esModule` key that Node's `import` does not show: a view without it (one per namespace).
   */
  namespace(value: object): object;
  /**
   * Drop the re-exported names (`name, source, key` triples) whose source module has no `key`: in a
   * TypeScript file they named types only, which `tsc` drops (swc cannot tell without type information).
   */
  pruneTypeExports(exports: object, entries: readonly unknown[]): void;
}

const esModules = new WeakSet<object>();
/** Node's own `require` (its `cache` is Node's module cache, its `main` the process's main module). */
const requireHere = createRequire(import.meta.url);
const hasOwn = (target: object, key: string): boolean => Object.prototype.hasOwnProperty.call(target, key);

const namespaceViews = new WeakMap<object, object>();

/** See {@link RuntimeHelpers.namespace}. */
function importNamespace(value: object): object {
  if (!isModuleNamespaceObject(value) || !hasOwn(value, '__esModule')) return value;
  let view = namespaceViews.get(value);
  if (view === undefined) {
    const live: PropertyDescriptorMap = {};
    for (const key of Object.keys(value)) {
      if (key === '__esModule') continue;
      live[key] = { get: () => (value as Record<string, unknown>)[key], enumerable: true };
    }
    live[Symbol.toStringTag] = { value: 'Module' };
    view = Object.preventExtensions(Object.create(null, live) as object);
    namespaceViews.set(value, view);
  }
  return view;
}

/** @internal The helpers every module body gets (one object for the process: no state per module). */
export const runtimeHelpers: RuntimeHelpers = Object.freeze({
  markModule(exports: object): void {
    esModules.add(exports);
  },
  isModule(value: unknown): boolean {
    if (typeof value !== 'object' && typeof value !== 'function') return false;
    // An ES module transpiled here, or one Node loaded itself (its namespace, from `require(esm)`).
    return value !== null && (esModules.has(value) || isModuleNamespaceObject(value));
  },
  namespace(value: object): object {
    return importNamespace(value);
  },
  pruneTypeExports(exports: object, entries: readonly unknown[]): void {
    for (let i = 0; i + 2 < entries.length; i += 3) {
      const name = entries[i] as string;
      const source = entries[i + 1];
      const key = entries[i + 2] as string;
      const present =
        (typeof source === 'object' || typeof source === 'function') &&
        source !== null &&
        (hasOwn(source, key) || (source as Record<string, unknown>)[key] !== undefined);
      if (!present) {
        const descriptor = Object.getOwnPropertyDescriptor(exports, name);
        if (descriptor?.configurable && descriptor.get) delete (exports as Record<string, unknown>)[name];
      }
    }
  },
});

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

/** The `require` module code sees. */
export interface ModuleRequire {
  (specifier: string): unknown;
  /**
   * Where `specifier` would be loaded from: a module's `__file__`, or Node's resolution. With
   * `options.paths`, Node's resolution from those folders.
   */
  resolve: ((specifier: string, options?: { paths?: string[] }) => string) & {
    /** The folders Node's resolution looks in for `specifier` (`null` for a Node built-in). */
    paths(specifier: string): string[] | null;
  };
  /**
   * The modules of this import system by file, as Node's `require.cache` (see `requireCache`), over
   * Node's own cache for files Node loads itself.
   */
  readonly cache: Record<string, CommonJsModule | NodeJS.Module | undefined>;
  /** The CommonJS module of the system's `__main__`, else Node's own main module. */
  readonly main: CommonJsModule | NodeJS.Module | undefined;
}

/**
 * The CommonJS `module` object module code sees, as Node gives it. Assigning `exports` replaces the
 * registry entry; whatever `exports` holds after the body ran (however it was set, even by
 * `Object.defineProperty`) is read back then, as Node's `require` returns `module.exports`.
 */
export interface CommonJsModule {
  exports: unknown;
  /** `'.'` for the system's `__main__`, else the file (Node's ids). */
  readonly id: string;
  readonly filename: string;
  readonly path: string;
  /** `true` once the body has run to its end. */
  loaded: boolean;
  /** The module whose body first required this one; `null` when none was running (Node: deprecated). */
  readonly parent: CommonJsModule | null;
  /** The modules this one required, in order (Node's `module.children`). */
  readonly children: CommonJsModule[];
  /** The `node_modules` folders Node's resolution looks in from this file. */
  readonly paths: string[];
  readonly require: ModuleRequire;
}

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
  // A file the system has run already (maybe under a name its place would not give): that module.
  const scopes = systemScopes(system);
  const entry = scopes.byFile.get(file);
  if (entry !== undefined && liveModule(system, scopes, file) !== undefined) return entry.name;
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
 * What module scopes of one system share: the CommonJS module of each file and each name (for
 * `require.cache`, `module.children`), and the module whose body is running (`module.parent`).
 */
interface SystemScopes {
  byFile: Map<string, { name: string; module: CommonJsModule }>;
  byName: Map<string, CommonJsModule>;
  running: CommonJsModule | null;
  cache: Record<string, CommonJsModule | NodeJS.Module | undefined> | undefined;
}

const scopesOf = new WeakMap<ImportSystem, SystemScopes>();

function systemScopes(system: ImportSystem): SystemScopes {
  let scopes = scopesOf.get(system);
  if (scopes === undefined) {
    scopes = { byFile: new Map(), byName: new Map(), running: null, cache: undefined };
    scopesOf.set(system, scopes);
  }
  return scopes;
}

/**
 * The CommonJS module of `file` while its module is still what `system.modules` holds (its module
 * object, or what its `module.exports` replaced it with).
 */
function liveModule(system: ImportSystem, scopes: SystemScopes, file: string): CommonJsModule | undefined {
  const entry = scopes.byFile.get(file);
  if (entry === undefined) return undefined;
  const current = system.modules.get(entry.name);
  if (
    current !== undefined &&
    current !== null &&
    (current === entry.module.exports || isModuleOf(current, file))
  )
    return entry.module;
  scopes.byFile.delete(file);
  return undefined;
}

function isModuleOf(value: unknown, file: string): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    (value as { __file__?: unknown }).__file__ === file
  );
}

/**
 * `require.cache` for the modules of `system`, keyed by file (`__file__`), as Node keys its cache by
 * resolved file name. Reading an entry gives the CommonJS module of the file while its module is in
 * `system.modules`; deleting it removes the module from `system.modules` (Python's
 * `del sys.modules[name]`), so the next `require` runs the file again (what import-fresh and
 * clear-module do). Files Node loads itself (npm dependencies outside the system) are in Node's own
 * cache, which this object falls back to.
 */
function requireCache(system: ImportSystem, scopes: SystemScopes) {
  const nodeCache = (): NodeJS.Dict<NodeJS.Module> => requireHere.cache;
  const target = Object.create(null) as Record<string, CommonJsModule | NodeJS.Module | undefined>;
  return new Proxy(target, {
    get(_, key) {
      if (typeof key !== 'string') return undefined;
      return liveModule(system, scopes, key) ?? nodeCache()[key];
    },
    has(_, key) {
      return typeof key === 'string' && (liveModule(system, scopes, key) !== undefined || key in nodeCache());
    },
    set(_, key, value) {
      if (typeof key !== 'string') return false;
      const entry = scopes.byFile.get(key);
      if (entry !== undefined && liveModule(system, scopes, key) !== undefined) {
        // A module put in place of the file's: its exports become the registry entry.
        system.modules.set(entry.name, (value as { exports?: unknown } | null)?.exports);
        return true;
      }
      nodeCache()[key] = value as NodeJS.Module;
      return true;
    },
    deleteProperty(_, key) {
      if (typeof key !== 'string') return true;
      const entry = scopes.byFile.get(key);
      if (entry !== undefined && liveModule(system, scopes, key) !== undefined) {
        scopes.byFile.delete(key);
        system.modules.delete(entry.name);
        return true;
      }
      return delete nodeCache()[key];
    },
    ownKeys() {
      const keys = new Set<string>();
      for (const file of [...scopes.byFile.keys()]) if (liveModule(system, scopes, file)) keys.add(file);
      for (const file of Object.keys(nodeCache())) keys.add(file);
      return [...keys];
    },
    getOwnPropertyDescriptor(_, key) {
      if (typeof key !== 'string') return undefined;
      const value = liveModule(system, scopes, key) ?? nodeCache()[key];
      return value === undefined
        ? undefined
        : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}

/** Node's `module.paths` of a file in `folder`: each `node_modules` from there up to the root. */
function nodeModulePaths(folder: string): string[] {
  const paths = (Module as unknown as { _nodeModulePaths?: (from: string) => string[] })._nodeModulePaths;
  return typeof paths === 'function' ? paths(folder) : [];
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
        const value =
          target.kind === 'bare'
            ? asModuleCode(system, target.name, () => system.importModule(target.name))
            : system.importModule(target.name);
        addChild(target.name);
        return value;
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
      (imported ??= new Map()).set(resolved, await import(pathToFileURL(resolved).href));
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
    if (isBuiltin(resolved)) return import(resolved);
    const owned = isInNodeModules(resolved) ? null : ownedName(system, resolved);
    if (owned !== null) return namespaceOf(await system.importModuleAsync(owned), nodeInterop);
    return import(pathToFileURL(resolved).href);
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

/** Files whose default-import interop is TypeScript's `esModuleInterop` (the rest follow Node). */
const TS_INTEROP = /\.(?:[cm]?tsx?|jsx)$/i;

/**
 * What `import()` of an import-system module gives: an ES namespace-like object. Under Node's interop
 * only an ES module is its own namespace (a CommonJS module's, Babel's `__esModule` ones included, is
 * its keys plus `default`: `module.exports`); under TypeScript's, `__esModule` decides.
 */
function namespaceOf(value: unknown, nodeInterop: boolean): unknown {
  if ((typeof value === 'object' || typeof value === 'function') && value !== null) {
    // Node's own namespace (an ES module Node loaded): exactly the keys Node's import gives.
    if (isModuleNamespaceObject(value)) return importNamespace(value);
    if (nodeInterop ? esModules.has(value) : (value as { __esModule?: unknown }).__esModule) return value;
    const namespace: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) namespace[key] = (value as Record<string, unknown>)[key];
    namespace.default = value;
    return namespace;
  }
  return { default: value };
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

const views = new WeakMap<object, object>();

/**
 * What an ES module importing `value` sees, when `value` came from Node's `require()` of an ES module:
 * for a module with a default export, Node 20's `require()` gives a namespace with an added
 * `__esModule` key, which Node's `import` never shows. The view has the module's own keys (live),
 * one per namespace; anything else is returned as it is.
 */
function importedView(value: unknown): unknown {
  if (!isModuleNamespaceObject(value) || !Object.prototype.hasOwnProperty.call(value, '__esModule')) {
    return value;
  }
  const namespace = value as Record<string, unknown>;
  let view = views.get(namespace);
  if (view === undefined) {
    const made = Object.create(null) as Record<string | symbol, unknown>;
    for (const key of Object.keys(namespace)) {
      if (key === '__esModule') continue;
      Object.defineProperty(made, key, { enumerable: true, get: () => namespace[key] });
    }
    Object.defineProperty(made, Symbol.toStringTag, { value: 'Module' });
    // Not a key (Object.keys is Node's), but TypeScript's interop in .ts files still sees an ES module.
    Object.defineProperty(made, '__esModule', { value: true });
    esModules.add(Object.preventExtensions(made));
    views.set(namespace, (view = made));
  }
  return view;
}

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
