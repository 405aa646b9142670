/**
 * Folder listings, read once and kept until the folder's modification time changes (the directory
 * cache of CPython's `FileFinder`, `_fill_cache`). One {@link ListingCache} is shared by every
 * `FileFinder` a path hook makes, so the listing of a package folder read while finding the package
 * is the one its own finder uses when the package's submodules are imported.
 *
 * A missing, unreadable or replaced-by-file folder reads as an empty listing, never an error.
 */
import fs from 'node:fs';
import { join, sep } from 'node:path';

/**
 * What one entry of a folder is, as the listing saw it. `'link'` (a symbolic link, or an entry whose
 * type the file system did not report) is resolved with a `stat` when it is asked about.
 */
export type EntryKind = 'file' | 'dir' | 'link' | 'other';

/** A snapshot of one folder: the names it held and what each one is. */
export class FolderListing {
  /** The absolute folder this listing is of. */
  readonly folder: string;
  /** The folder's `mtimeMs` when it was read, or `-1` for an empty listing of a folder that could not be read. */
  readonly mtime: number;
  readonly #kinds: ReadonlyMap<string, EntryKind>;
  /** @internal The {@link ListingCacheOptions.checkId} under which the mtime was last checked. */
  checkedUnder: number | null = null;

  constructor(folder: string, mtime: number, kinds: ReadonlyMap<string, EntryKind>) {
    this.folder = folder;
    this.mtime = mtime;
    this.#kinds = kinds;
  }

  /** The number of entries. */
  get size(): number {
    return this.#kinds.size;
  }

  /** What the entry named exactly `name` was when the folder was listed, or `undefined`. */
  kind(name: string): EntryKind | undefined {
    return this.#kinds.get(name);
  }

  /** Tell whether the folder held an entry named exactly `name` (case-sensitive). */
  has(name: string): boolean {
    return this.#kinds.has(name);
  }

  /** The names of the entries, in the order the file system gave them. */
  names(): IterableIterator<string> {
    return this.#kinds.keys();
  }

  /**
   * Tell whether `name` is a regular file (a link is followed). No system call unless the entry is a
   * link or of unknown type.
   */
  isFile(name: string): boolean {
    const kind = this.#kinds.get(name);
    if (kind === 'file') return true;
    return kind === 'link' && statKind(join(this.folder, name)) === 'file';
  }

  /**
   * Tell whether `name` is a folder (a link is followed). No system call unless the entry is a link
   * or of unknown type.
   */
  isDirectory(name: string): boolean {
    const kind = this.#kinds.get(name);
    if (kind === 'dir') return true;
    return kind === 'link' && statKind(join(this.folder, name)) === 'dir';
  }
}

const NO_ENTRIES: ReadonlyMap<string, EntryKind> = new Map();

/** Options of a {@link ListingCache}. */
export interface ListingCacheOptions {
  /**
   * When given, a folder whose mtime was checked while this returned the same non-null id is not
   * `stat`ed again (`createImportSystem` passes `() => system.outerImportId`: one check per folder per
   * outer import instead of one per lookup). `null` means check, as Python checks on every lookup.
   */
  checkId?: () => number | null;
}

/**
 * Listings of folders, keyed by absolute path. {@link read} costs one `stat` of the folder, plus one
 * `readdir` when the folder's mtime differs from the one the cached listing was read at. A file
 * created within the same mtime tick as the last read stays invisible until {@link invalidate}. With
 * a {@link ListingCacheOptions.checkId}, a folder is `stat`ed once per id instead of per read.
 */
export class ListingCache {
  readonly #listings = new Map<string, FolderListing>();
  readonly #checkId: (() => number | null) | null;

  constructor(options: ListingCacheOptions = {}) {
    this.#checkId = options.checkId ?? null;
  }

  /** The number of folders whose listings are kept. */
  get size(): number {
    return this.#listings.size;
  }

  /**
   * The listing of `folder` (an absolute path), read again if its mtime changed since the cached one.
   * An empty listing when the folder is missing, unreadable or not a folder; such a result is not
   * cached, so the folder is looked at again next time.
   */
  read(folder: string): FolderListing {
    const checkId = this.#checkId?.() ?? null;
    if (checkId !== null) {
      const known = this.#listings.get(folder);
      if (known !== undefined && known.checkedUnder === checkId) return known;
    }
    const stat = statOrUndefined(folder);
    if (stat === undefined || !stat.isDirectory()) {
      this.#listings.delete(folder);
      return new FolderListing(folder, -1, NO_ENTRIES);
    }
    const cached = this.#listings.get(folder);
    if (cached !== undefined && cached.mtime === stat.mtimeMs) {
      cached.checkedUnder = checkId;
      return cached;
    }
    const kinds = readKinds(folder);
    if (kinds === null) {
      this.#listings.delete(folder);
      return new FolderListing(folder, -1, NO_ENTRIES);
    }
    const listing = new FolderListing(folder, stat.mtimeMs, kinds);
    listing.checkedUnder = checkId;
    this.#listings.set(folder, listing);
    return listing;
  }

  /**
   * What `path` (absolute) is according to the cached listing of its folder, with no system call:
   * `undefined` when that listing is not cached or does not name it. The answer is as fresh as the
   * folder's last {@link read}. Path hooks ask it about the package folders a finder has just found
   * in that listing, so the folder, zip and bundle hooks need not each `stat` them again.
   */
  knownKind(path: string): EntryKind | undefined {
    const slash = path.lastIndexOf(sep);
    if (slash <= 0) return undefined;
    return this.#listings.get(path.slice(0, slash))?.kind(path.slice(slash + 1));
  }

  /**
   * Forget the listing of `folder` and of every folder below it (all listings when no folder is
   * given), so the next {@link read} lists them again whatever their mtime (Python's
   * `FileFinder.invalidate_caches`, which sets the cached mtime to -1).
   */
  invalidate(folder?: string): void {
    if (folder === undefined) {
      this.#listings.clear();
      return;
    }
    const below = folder.endsWith(sep) ? folder : folder + sep;
    for (const key of [...this.#listings.keys()]) {
      if (key === folder || key.startsWith(below)) this.#listings.delete(key);
    }
  }
}

function statOrUndefined(path: string): fs.Stats | undefined {
  try {
    return fs.statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES on a parent, ELOOP, ENAMETOOLONG…: not there for us
  }
}

/** @internal What `path` is now (a link is followed), or `null` when it cannot be `stat`ed. */
export function statKind(path: string): EntryKind | null {
  const stat = statOrUndefined(path);
  if (stat === undefined) return null;
  if (stat.isFile()) return 'file';
  return stat.isDirectory() ? 'dir' : 'other';
}

/** The errors that mean "this folder has nothing for us" (Python catches the same three kinds). */
const UNREADABLE = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

function readKinds(folder: string): Map<string, EntryKind> | null {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    if (UNREADABLE.has((error as { code?: unknown }).code as string)) return null;
    throw error;
  }
  const kinds = new Map<string, EntryKind>();
  for (const entry of entries) {
    let kind: EntryKind;
    if (entry.isFile()) kind = 'file';
    else if (entry.isDirectory()) kind = 'dir';
    else if (entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice())
      kind = 'other';
    else kind = 'link'; // a symbolic link, or a type the file system did not report
    kinds.set(entry.name, kind);
  }
  return kinds;
}
