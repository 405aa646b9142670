/**
 * The layout of a source tree, written once: which file names make a folder a package, which suffixes
 * each kind of module has, which folders are never searched, and the walk over a tree that the tools
 * (`importlib compile`, `freeze`, `buildZipApp`) share. The finders and loaders read the same
 * constants, so a tool and an import never disagree about what a module is.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { basename, extname, join } from 'node:path';

/**
 * The file stems that make a folder a package, in order of precedence: `__init__` first (Python's),
 * then `index` (Node's). Both are also the package itself when a path names them (`pkg/index`).
 */
export const PACKAGE_MARKERS = ['__init__', 'index'] as const;

/** Whether `stem` (a file name without its suffix) is a package marker: `__init__` or `index`. */
export function isPackageMarker(stem: string): boolean {
  return stem === PACKAGE_MARKERS[0] || stem === PACKAGE_MARKERS[1];
}

/** @internal Whether the file at `path` is a package's init file (`__init__.ts`, `index.js`, …). */
export function isPackageFile(path: string): boolean {
  return isPackageMarker(basename(path, extname(path)));
}

/**
 * The source suffixes the source loaders run, in the order a folder or an archive is searched (the
 * zip importer's default; `createImportSystem` gives the file finder and the zip importer these).
 */
export const SOURCE_SUFFIXES = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

/** The suffix of compiled files, both in `__pycache__` and for compiled-only modules. */
export const COMPILED_SUFFIX = '.jsc';

/** The suffix of native addons. */
export const EXTENSION_SUFFIXES = ['.node'] as const;

/** The suffix of JSON data modules. */
export const JSON_SUFFIXES = ['.json'] as const;

/** The name of the cache folder beside the sources (PEP 3147). */
export const PYCACHE = '__pycache__';

/**
 * @internal Whether the tools leave the folder `name` out of a source tree: `__pycache__`,
 * `node_modules` (served by Node's resolution, not the compiled cache) and dot-folders.
 */
export function isSkippedFolder(name: string): boolean {
  return name === PYCACHE || name === 'node_modules' || name.startsWith('.');
}

/** @internal One entry {@link listFolder} keeps. */
export interface FolderEntry {
  name: string;
  /** A folder to enter; otherwise a regular file (or a link to one). */
  isFolder: boolean;
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A link's target is a regular file (a broken link, or a link to anything else, is not). */
function linksToFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * @internal The entries of the folder `dir` a tree walk uses, sorted by name. Types come from the
 * listing (no `stat` per entry); only a symbolic link is `stat`ed, to keep it when it points to a
 * regular file. A link to a folder is never entered (as `compileall`), so a link loop cannot make a
 * walk endless, and nothing that is not a regular file (a FIFO, a socket, a device) is ever listed,
 * so nothing opens one.
 *
 * @throws the `readdir` error when the folder cannot be listed.
 */
export function listFolder(
  dir: string,
  skipFolder: (name: string) => boolean = isSkippedFolder,
): FolderEntry[] {
  const kept: FolderEntry[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort(byName)) {
    const { name } = entry;
    if (entry.isDirectory()) {
      if (!skipFolder(name)) kept.push({ name, isFolder: true });
    } else if (entry.isFile() || (entry.isSymbolicLink() && linksToFile(join(dir, name)))) {
      kept.push({ name, isFolder: false });
    }
  }
  return kept;
}

/** @internal Options of {@link walkTree}. */
export interface WalkTreeOptions {
  /**
   * The folder names not entered.
   * @default isSkippedFolder (`__pycache__`, `node_modules`, dot-folders)
   */
  skipFolder?: (name: string) => boolean;
  /** Leave out the file or folder at this path (a folder left out is not entered). */
  exclude?: ((path: string) => boolean) | null;
  /** Told of each folder before it is listed, the root included. */
  onFolder?: (path: string) => void;
  /** Told of a folder that cannot be listed; the walk goes on. Without it, the error is thrown. */
  onError?: (path: string, error: unknown) => void;
}

/** @internal A file {@link walkTree} found. */
export interface TreeFile {
  /** `root` joined with the relative path. */
  path: string;
  /** The path under `root`, `/`-separated. */
  relative: string;
}

/**
 * @internal Every regular file under the folder `root`, depth first, each folder's entries in name
 * order (files and folders interleaved). Links to folders are not entered and only regular files
 * (or links to them) are returned: see {@link listFolder}.
 */
export function walkTree(root: string, options: WalkTreeOptions = {}): TreeFile[] {
  const { skipFolder = isSkippedFolder, exclude = null, onFolder, onError } = options;
  const files: TreeFile[] = [];
  const walk = (dir: string, prefix: string): void => {
    onFolder?.(dir);
    let entries: FolderEntry[];
    try {
      entries = listFolder(dir, skipFolder);
    } catch (error) {
      if (onError === undefined) throw error;
      onError(dir, error);
      return;
    }
    for (const { name, isFolder } of entries) {
      const path = join(dir, name);
      if (exclude?.(path)) continue;
      if (isFolder) walk(path, `${prefix}${name}/`);
      else files.push({ path, relative: prefix + name });
    }
  };
  walk(root, '');
  return files;
}
