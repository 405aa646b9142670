/**
 * `freeze`: write a frozen bundle (Python's `Tools/freeze` and `freeze_modules.py`, for this system):
 * modules found by name on a search path, or every module under a folder, transpiled once and stored
 * in one file with their source maps and, optionally, V8's code cache. A `FrozenImporter` (through
 * `createImportSystem({ frozen: [...] })`, or the bundle placed on `path`) serves them with no source
 * files, no `stat` and no transpiler.
 *
 * Module names follow the folder rules of the file finder: a folder with `__init__<suffix>` or
 * `index<suffix>` is a package (`__init__` first), a package beats a module of the same name, the
 * first source suffix in the file finder's order wins, and a dot inside a file name is written `%2E`.
 * A folder without an init file that holds modules is frozen as a package with no code of its own
 * (frozen modules have no namespace packages). `__pycache__`, `node_modules` and dot-folders are
 * skipped; only source files (`.ts .tsx .mts .cts .js .jsx .mjs .cjs`) are frozen.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve, sep } from 'node:path';
import vm from 'node:vm';

import {
  checkModuleName,
  decodeSegment,
  encodeSegment,
  ImportArgumentError,
  ImportError,
  ImportSystem,
  ModuleNotFoundError,
} from '@importlib/core';
import { BuiltinImporter, FrozenImporter, NodeFallbackFinder } from '@importlib/finders';
import {
  compileBody,
  encodeBundle,
  FrozenBundle,
  listFolder,
  PACKAGE_MARKERS,
  programOf,
  SOURCE_SUFFIXES,
  transpile,
  writeBundle,
  type FolderEntry,
  type FrozenRecord,
  type TranspileOptions,
} from '@importlib/loaders';

/**
 * Which V8 code cache of the bundle's program goes into the bundle: none; the cache V8 makes right
 * after compiling (no module runs, but it holds little: V8 compiles each module's function lazily);
 * or the cache made after every module ran once in a private import system at freeze time (it holds
 * the functions the modules call while importing, like the compiled cache written after a first run;
 * the modules' import-time side effects happen during `freeze`; `__main__` modules, which are
 * programs, are not run). `'run'` gives the fastest start.
 */
export type FreezeV8Cache = false | 'compile' | 'run';

/** Options of {@link freeze}. */
export interface FreezeOptions {
  /** The bundle file to write (atomically: a failure leaves any previous file as it was). */
  output: string;
  /**
   * Where module-name targets are found (Python's `sys.path`).
   * @default []
   */
  path?: readonly string[];
  /**
   * The V8 code cache to store (`true` is `'compile'`). A bundle's caches are used only by a Node with
   * the same runtime key (Node and V8 versions, architecture, V8 flags); others run the JS.
   * @default 'compile'
   */
  v8Cache?: FreezeV8Cache | boolean;
  /** Transpile options (decorators, JSX), as `createImportSystem` takes them. */
  transpile?: TranspileOptions;
  /**
   * Record each module's original file: its `__file__`, where stack traces point, and its package's
   * search location. Without it, those stay unset and stack frames name `<frozen name>`.
   * @default true
   */
  filenames?: boolean;
}

/** One module {@link freeze} wrote. */
export interface FrozenModuleInfo {
  name: string;
  isPackage: boolean;
  /** The source file, or `null` for a folder frozen as a package without code of its own. */
  filename: string | null;
}

/** What {@link freeze} wrote. */
export interface FreezeResult {
  /** The bundle file (absolute). */
  output: string;
  /** Its size in bytes. */
  size: number;
  /** A V8 code cache was stored (for Node runtimes with this process's runtime key). */
  v8Cache: boolean;
  /** The modules in it, in the bundle's order (sorted by name). */
  modules: FrozenModuleInfo[];
}

/** A module to freeze: its name and source file (`null`: a folder without an init file). */
interface Source {
  name: string;
  file: string | null;
  isPackage: boolean;
}

const NAMESPACE_BODY = '// a folder without an init file, frozen as a package with no code\n';

/** `stem` → the file name, for the source files of one folder, the first suffix in order winning. */
function sourceFiles(entries: readonly FolderEntry[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const suffix of SOURCE_SUFFIXES) {
    for (const { name, isFolder } of entries) {
      if (isFolder || !name.endsWith(suffix)) continue;
      const stem = name.slice(0, -suffix.length);
      if (stem && !files.has(stem)) files.set(stem, name);
    }
  }
  return files;
}

/** The init file of a package folder (the first of `PACKAGE_MARKERS` present), or `null`. */
function initFile(dir: string, files = sourceFiles(listFolder(dir))): string | null {
  for (const marker of PACKAGE_MARKERS) {
    const init = files.get(marker);
    if (init !== undefined) return join(dir, init);
  }
  return null;
}

/**
 * Every module under `dir`, named under `prefix` (`''` for a search-path root). Returns whether the
 * folder held any module, and its init file when `prefix` names a package.
 */
function collectFolder(dir: string, prefix: string, out: Source[]): { any: boolean; init: string | null } {
  const entries = listFolder(dir);
  const files = sourceFiles(entries);
  const packages = new Set<string>();
  let any = false;
  for (const entry of entries) {
    if (!entry.isFolder) continue;
    const name = prefix ? `${prefix}.${encodeSegment(entry.name)}` : encodeSegment(entry.name);
    if (collectPackage(join(dir, entry.name), name, out)) {
      packages.add(entry.name);
      any = true;
    }
  }
  const init = prefix ? initFile(dir, files) : null;
  for (const [stem, file] of files) {
    const path = join(dir, file);
    if (path === init || packages.has(stem)) continue; // the package's own init; a package beats a module
    const name = prefix ? `${prefix}.${encodeSegment(stem)}` : encodeSegment(stem);
    out.push({ name, file: path, isPackage: false });
    any = true;
  }
  return { any, init };
}

/** A package folder and everything under it; a folder without an init file counts only if it holds modules. */
function collectPackage(dir: string, name: string, out: Source[]): boolean {
  const inner: Source[] = [];
  const { any, init } = collectFolder(dir, name, inner);
  if (init === null && !any) return false;
  out.push({ name, file: init, isPackage: true }, ...inner);
  return true;
}

/** Find the module `name` on `path` without running anything (the file finder's rules). */
function findByName(name: string, path: readonly string[]): { file: string | null; dir: string | null } {
  const segments = name.split('.').map(decodeSegment);
  const last = segments.pop() as string;
  for (const entry of path) {
    const folder = join(resolve(entry || '.'), ...segments);
    const dir = join(folder, last);
    if (isDirectory(dir)) {
      const init = initFile(dir);
      if (init !== null) return { file: init, dir };
    }
    let files: Map<string, string>;
    try {
      files = sourceFiles(listFolder(folder));
    } catch {
      continue;
    }
    const file = files.get(last);
    if (file !== undefined) return { file: join(folder, file), dir: null };
  }
  throw new ModuleNotFoundError(`No module named '${name}' on the path given to freeze`, {
    moduleName: name,
  });
}

/** @internal Whether `path` is a folder (`false` when it cannot be `stat`ed); shared with zipapp. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether a {@link freeze} target is a path (absolute, holding a separator, or starting with `.`)
 * rather than a module name; a path target is resolved against the current directory. No Python
 * equivalent (`freeze.py` takes one script). Throws nothing.
 */
export function isPathTarget(target: string): boolean {
  return isAbsolute(target) || target.includes('/') || target.includes(sep) || target.startsWith('.');
}

function collectTarget(target: string, path: readonly string[], out: Source[]): void {
  if (isPathTarget(target)) {
    const absolute = resolve(target);
    let isDir: boolean;
    try {
      isDir = statSync(absolute).isDirectory();
    } catch (error) {
      throw new ImportError(`cannot freeze '${target}': ${(error as Error).message}`, {
        path: absolute,
        cause: error,
      });
    }
    if (isDir) {
      collectFolder(absolute, '', out);
      return;
    }
    const stem = basename(absolute, extname(absolute));
    out.push({ name: encodeSegment(stem), file: absolute, isPackage: false });
    return;
  }
  checkModuleName(target);
  const found = findByName(target, path);
  if (found.dir === null) {
    out.push({ name: target, file: found.file, isPackage: false });
    return;
  }
  out.push({ name: target, file: found.file, isPackage: true });
  collectFolder(found.dir, target, out);
}

function readSource(file: string, name: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ImportError(`cannot freeze '${name}': ${(error as Error).message}`, {
      moduleName: name,
      path: file,
      cause: error,
    });
  }
}

/**
 * Write a frozen bundle of `targets` to `options.output` and say what it holds. A target is a module
 * name, found on `options.path` (a package brings everything under its folder), or — when it looks
 * like a path (absolute, or holding a `/`, or starting with `.`) — a folder, all of whose modules are
 * frozen as if the folder were on the search path, or one source file, frozen as a top-level module.
 *
 * Throws `ModuleNotFoundError` for a name not found, `ImportError` for an unreadable target or source,
 * `ImportSyntaxError` (naming the file and line) for a source that does not parse,
 * `ImportArgumentError` for an invalid module name, no targets, or two targets giving the same module
 * from different files, and the file system's error when the bundle cannot be written (nothing is
 * written then).
 */
export function freeze(targets: string | readonly string[], options: FreezeOptions): FreezeResult {
  const list = typeof targets === 'string' ? [targets] : [...targets];
  if (list.length === 0) throw new ImportArgumentError('freeze needs at least one target');
  if (typeof options?.output !== 'string' || options.output === '') {
    throw new ImportArgumentError('freeze needs an output file (options.output)');
  }
  const path = options.path ?? [];
  const v8Mode: FreezeV8Cache =
    options.v8Cache === true || options.v8Cache === undefined ? 'compile' : options.v8Cache;
  const keepFilenames = options.filenames ?? true;

  const sources = new Map<string, Source>();
  for (const target of list) {
    const found: Source[] = [];
    collectTarget(target, path, found);
    for (const source of found) {
      const known = sources.get(source.name);
      if (known && known.file !== source.file) {
        throw new ImportArgumentError(
          `freeze: module '${source.name}' comes from both '${known.file ?? 'a folder'}' and '${source.file ?? 'a folder'}'`,
        );
      }
      sources.set(source.name, source);
    }
  }

  const ordered = [...sources.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const records: FrozenRecord[] = ordered.map((source) => {
    if (source.file === null) {
      return {
        name: source.name,
        isPackage: true,
        js: NAMESPACE_BODY,
        origname: source.name,
        filename: null,
      };
    }
    const { code, map, isAsync } = transpile(
      readSource(source.file, source.name),
      source.file,
      options.transpile,
      source.name,
    );
    // Compiling now reports syntax errors at freeze time.
    compileBody(code, source.file, { isAsync, moduleName: source.name });
    return {
      name: source.name,
      isPackage: source.isPackage,
      isAsync,
      js: code,
      map,
      origname: source.name,
      filename: keepFilenames ? source.file : null,
    };
  });

  const output = resolve(options.output);
  // Each body compiled alone above; the program must also hold exactly one function per module (a
  // body that closes its wrapper early could compile alone and still break the program).
  const program = new vm.Script(programOf(records), { filename: output });
  const functions: unknown = program.runInThisContext();
  if (!Array.isArray(functions) || functions.length !== records.length) {
    const broken = Array.isArray(functions) ? records[firstMismatch(functions, records)] : undefined;
    throw new ImportError(
      `cannot freeze${broken ? ` '${broken.name}'` : ''}: its code closes the module wrapper early`,
      { moduleName: broken?.name ?? null, path: sources.get(broken?.name ?? '')?.file ?? null },
    );
  }
  const v8 =
    v8Mode === 'run' ? runCache(records, output) : v8Mode === 'compile' ? program.createCachedData() : null;
  const size = writeBundle(output, records, { v8 });
  return {
    output,
    size,
    v8Cache: v8 !== null && v8.length > 0,
    modules: records.map((record) => ({
      name: record.name,
      isPackage: record.isPackage,
      filename: sources.get(record.name)?.file ?? null,
    })),
  };
}

/** The first record whose slot in the compiled program is not what it should be. */
function firstMismatch(functions: unknown[], records: readonly FrozenRecord[]): number {
  const at = records.findIndex((record, i) =>
    record.js === null || record.js === '' ? functions[i] !== null : typeof functions[i] !== 'function',
  );
  return at === -1 ? records.length - 1 : at;
}

/**
 * Run every module once from the bundle being made, in a private import system, and return V8's cache
 * of the bundle's program made after they ran (so it holds the functions they called). A module that
 * fails to run is skipped; its functions are compiled when it is first imported.
 */
function runCache(records: FrozenRecord[], output: string): Uint8Array {
  const bundle = FrozenBundle.fromBytes(encodeBundle(records), output);
  let program: vm.Script | undefined;
  const system = new ImportSystem();
  const frozen = new FrozenImporter({
    system,
    bundles: [bundle],
    onCompiled: (_, script) => {
      program = script;
    },
  });
  system.metaPath = [new BuiltinImporter({ system }), frozen, new NodeFallbackFinder(system)];
  for (const record of records) {
    if (record.js === null || record.isAsync || system.modules.has(record.name)) continue;
    // A `__main__` module is a program, not library code: the warm-up never runs it.
    if (record.name === '__main__' || record.name.endsWith('.__main__')) continue;
    try {
      system.importModule(record.name);
    } catch {
      // the module cannot run here: its functions are compiled on first import instead
    }
  }
  return (program ?? new vm.Script(programOf(records), { filename: output })).createCachedData();
}
