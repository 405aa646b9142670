/**
 * Node's module resolution, from one file, with the conditions of either of Node's loaders: `require`
 * (Node's own `require.resolve`, exactly) or `import` (Node's ES module resolver: `exports` and
 * `imports` maps matched with the `import` condition, `main` otherwise). Node 20 offers the second only
 * from inside an ES module (`import.meta.resolve`, with no parent argument unless flagged), so the
 * `exports`/`imports` matching is done by `resolve.exports`, a small dependency made for exactly
 * that, and the `node_modules` folders are the ones Node's own `require.resolve.paths` lists.
 *
 * Also here: whether a file is an ES module to Node (`.mjs`, or `.js` under a `"type": "module"`
 * package.json), and a package folder's entry. package.json files are read once per process and kept
 * (as Node keeps them).
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';

import { exports as exportsOf, imports as importsOf } from 'resolve.exports';

/** Which of Node's loaders a resolution is for. */
export type NodeConditions = 'require' | 'import';

/** The parts of a package.json resolution reads. */
export interface PackageJson {
  name?: unknown;
  main?: unknown;
  type?: unknown;
  exports?: unknown;
  imports?: unknown;
}

/** `module-sync` is one of Node's conditions wherever `require()` of an ES module works unflagged. */
const EXTRA_CONDITIONS: readonly string[] = (process.features as { require_module?: boolean }).require_module
  ? ['module-sync']
  : [];

const manifests = new Map<string, PackageJson | null>();

/** The package.json in `folder`, parsed, or `null` when there is none (or it is not a JSON object). */
export function readPackageJson(folder: string): PackageJson | null {
  let json = manifests.get(folder);
  if (json === undefined) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
      json = typeof parsed === 'object' && parsed !== null ? (parsed as PackageJson) : null;
    } catch {
      json = null;
    }
    manifests.set(folder, json);
  }
  return json;
}

const scopes = new Map<string, string | null>();

/** The folder of the package.json nearest above `folder` (Node's package scope), or `null`. */
function scopeFolder(folder: string): string | null {
  let found = scopes.get(folder);
  if (found !== undefined) return found;
  if (readPackageJson(folder) !== null) found = folder;
  else {
    const parent = dirname(folder);
    found = parent === folder || folder.endsWith(`${sep}node_modules`) ? null : scopeFolder(parent);
  }
  scopes.set(folder, found);
  return found;
}

/**
 * Whether `file` is an ES module to Node: `.mjs` (and `.mts`), or `.js` (and `.ts`, `.jsx`, `.tsx`) in a
 * package whose `type` is `module`. `.cjs`, `.cts` and everything else are CommonJS.
 */
export function isEsmFile(file: string): boolean {
  const ext = extname(file);
  if (ext === '.mjs' || ext === '.mts') return true;
  if (ext !== '.js' && ext !== '.ts' && ext !== '.jsx' && ext !== '.tsx') return false;
  const scope = scopeFolder(dirname(file));
  return scope !== null && readPackageJson(scope)?.type === 'module';
}

/** Whether `file` lies inside a `node_modules` folder (an installed package's file). */
export function isInNodeModules(file: string): boolean {
  return file.includes(`${sep}node_modules${sep}`);
}

function notFound(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first target of an `exports`/`imports` match, made absolute in `folder`. */
function target(folder: string, matches: readonly string[] | void): string | null {
  const first = matches?.[0];
  return first === undefined ? null : join(folder, first);
}

/**
 * The file the package in `folder` (its package.json already read: `json`) is entered at, for `subpath`
 * (`'.'` or `'./x'`): its `exports` map with Node's conditions, else (`require` only reads `main`
 * either way) its `main` or `index` as Node's `require` finds them. `null` when it names none (no
 * `exports`, `main` nor index file); a subpath its `exports` does not export is an error with Node's
 * code `ERR_PACKAGE_PATH_NOT_EXPORTED`.
 */
export function packageEntry(
  folder: string,
  json: PackageJson,
  subpath: string,
  conditions: NodeConditions,
): string | null {
  if (json.exports !== undefined && json.exports !== null) {
    let matches: readonly string[] | void;
    try {
      matches = exportsOf(json, subpath, { require: conditions === 'require', conditions: EXTRA_CONDITIONS });
    } catch {
      throw notFound(
        `Package subpath '${subpath}' is not defined by "exports" in ${join(folder, 'package.json')}`,
        'ERR_PACKAGE_PATH_NOT_EXPORTED',
      );
    }
    return target(folder, matches);
  }
  try {
    return createRequire(join(folder, 'package.json')).resolve(
      subpath === '.' ? folder : join(folder, subpath),
    );
  } catch {
    return null;
  }
}

/** Split a bare specifier into its package name and `exports` subpath (`@s/p/x` → `@s/p`, `./x`). */
function splitBare(specifier: string): [name: string, subpath: string] {
  const parts = specifier.split('/');
  const size = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(size).join('/');
  return [parts.slice(0, size).join('/'), rest === '' ? '.' : `./${rest}`];
}

/**
 * Resolve `specifier` as Node does from the file `from`: a builtin's id (`fs`, `node:fs`) stays as it
 * is, anything else becomes an absolute file. Throws Node's errors (`MODULE_NOT_FOUND`,
 * `ERR_MODULE_NOT_FOUND`, `ERR_PACKAGE_PATH_NOT_EXPORTED`, …).
 */
export function nodeResolve(specifier: string, from: string, conditions: NodeConditions): string {
  if (conditions === 'require' || isBuiltin(specifier)) return createRequire(from).resolve(specifier);
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    return createRequire(from).resolve(specifier);
  }
  if (specifier.startsWith('#')) {
    const scope = scopeFolder(dirname(from));
    const json = scope === null ? null : readPackageJson(scope);
    let resolved: string | null = null;
    if (scope !== null && json?.imports) {
      try {
        resolved = target(scope, importsOf(json, specifier, { conditions: EXTRA_CONDITIONS }));
      } catch {
        resolved = null;
      }
    }
    if (resolved === null) {
      throw notFound(
        `Package import specifier '${specifier}' is not defined, imported from ${from}`,
        'ERR_PACKAGE_IMPORT_NOT_DEFINED',
      );
    }
    return resolved;
  }
  const [name, subpath] = splitBare(specifier);
  // A package may import itself by its own name through its `exports` (Node's self-reference).
  const scope = scopeFolder(dirname(from));
  const own = scope === null ? null : readPackageJson(scope);
  if (scope !== null && own?.name === name && own.exports !== undefined) {
    const entry = packageEntry(scope, own, subpath, 'import');
    if (entry !== null) return entry;
  }
  for (const modules of createRequire(from).resolve.paths(name) ?? []) {
    const folder = join(modules, name);
    const json = readPackageJson(folder);
    if (json === null) continue;
    const entry = packageEntry(folder, json, subpath, 'import');
    if (entry !== null && isFile(entry)) return entry;
    throw notFound(`Cannot find module '${entry ?? folder}' imported from ${from}`, 'ERR_MODULE_NOT_FOUND');
  }
  // A folder without a package.json (a bare file tree under node_modules): Node's require finds those.
  return createRequire(from).resolve(specifier);
}
