/**
 * What the module scopes of one import system share: the CommonJS module of each file and name (for
 * `require.cache`, `module.children`, `module.parent`), the names module code is looking up, and how
 * a module's file and package map to names on the system.
 */
import Module, { createRequire } from 'node:module';
import { dirname, resolve as resolvePath, sep } from 'node:path';

import { encodeSegment, type ImportSystem, type ModuleType } from '@importlib/core';

import { isPackageMarker } from './layout.js';
import type { CommonJsModule } from './module-scope-types.js';
import { SOURCE_ENDINGS } from './specifiers.js';

/** Node's own `require` (its `cache` is Node's module cache, its `main` the process's main module). */
export const requireHere = createRequire(import.meta.url);

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
export function asModuleCode<T>(system: ImportSystem, name: string, lookup: () => T): T {
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
export async function asModuleCodeAsync<T>(
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
export function ownedName(system: ImportSystem, file: string): string | null {
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
    if (parts.length > 1 && isPackageMarker(parts[parts.length - 1] as string)) parts.pop();
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
export function relativeBase(module: ModuleType, name: string, file: string): string {
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
export interface SystemScopes {
  byFile: Map<string, { name: string; module: CommonJsModule }>;
  byName: Map<string, CommonJsModule>;
  running: CommonJsModule | null;
  cache: Record<string, CommonJsModule | NodeJS.Module | undefined> | undefined;
}

const scopesOf = new WeakMap<ImportSystem, SystemScopes>();

export function systemScopes(system: ImportSystem): SystemScopes {
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
export function requireCache(system: ImportSystem, scopes: SystemScopes) {
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
export function nodeModulePaths(folder: string): string[] {
  const paths = (Module as unknown as { _nodeModulePaths?: (from: string) => string[] })._nodeModulePaths;
  return typeof paths === 'function' ? paths(folder) : [];
}
