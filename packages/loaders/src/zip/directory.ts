/**
 * Reading zip archives for imports (Python's `zipimport._read_directory` / `_get_data`): the central
 * directory is read once per archive and shared ({@link getZipDirectory}), and one entry's bytes are
 * read only when asked for ({@link ZipDirectory.read}), with `pread`s at checked offsets.
 *
 * Written here over `fs.readSync` and `zlib.inflateRawSync` rather than taken from a library: the
 * readers measured on this project either read the whole archive (adm-zip, fflate, libzip's wasm
 * build), are async only (yauzl, unzipit), or (`@yarnpkg/libzip`'s `JsZipImpl`) come with a
 * filesystem layer and throw untyped errors; what imports need is small and must be strict, so it
 * is kept here in one place:
 *
 * - stored (0) and deflated (8) entries; Zip64 end records and extra fields; archive comments; data
 *   prepended before the archive (a shebang line): offsets are shifted by the difference between
 *   where the central directory is and where it says it is (as Python does);
 * - names: UTF-8 when flagged (and valid), else ASCII, else code page 437;
 * - nothing is trusted: every size, offset and count is checked against the file before anything is
 *   read or allocated from it, a local header must repeat its entry's name, inflating is capped at
 *   the declared size and the CRC-32 is checked. Whatever is wrong is a {@link ZipImportError}
 *   naming the archive (and the entry), never a read outside the archive, a crash or a hang;
 * - entry names that could escape the archive (`..`, absolute, backslashes, NUL, drive letters)
 *   make the whole archive unusable.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import zlib from 'node:zlib';

import { crc32 } from '../io/crc32.js';
import { ZipImportError, type ZipErrorReason } from './errors.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** Bytes read past a local header's name for its extra field, in the same read (Zip64 takes 20). */
const LOCAL_EXTRA_GUESS = 32;
const MAX_COMMENT = 0xffff;
const U32_MAX = 0xffff_ffff;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;
/** The largest entry read into memory (1 GiB): more is refused rather than attempted. */
const MAX_ENTRY_SIZE = 1 << 30;

/** Code page 437, bytes 0x80–0xFF (what zip writers without the UTF-8 flag historically meant). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** One file of an archive, as its central directory describes it (folders are only names). */
export interface ZipEntry {
  /** The name inside the archive, `/`-separated. */
  readonly name: string;
  /** Compression method: 0 stored, 8 deflated (others are refused when read). */
  readonly method: number;
  /** General-purpose flags (bit 0: encrypted, bit 11: UTF-8 name). */
  readonly flags: number;
  /** CRC-32 of the uncompressed bytes. */
  readonly crc32: number;
  /** Bytes stored in the archive. */
  readonly compressedSize: number;
  /** Bytes once uncompressed. */
  readonly size: number;
  /** Where its local header starts in the file (prepended data already accounted for). */
  readonly headerOffset: number;
  /** Its DOS date and time as local time, in milliseconds since the epoch (2-second resolution). */
  readonly mtimeMs: number;
  /** The raw name bytes (a local header must repeat them). */
  readonly rawName: Uint8Array;
}

/** What identifies one version of an archive file. */
interface Stamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

function stampOf(stats: Stats): Stamp {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/**
 * The table of one archive, read from its central directory (Python's `_zip_directory_cache[archive]`
 * value). Folders that only appear as parents of entries are listed too.
 */
export class ZipDirectory {
  /** The archive file. */
  readonly archive: string;
  /** Bytes before the archive proper (a shebang line, a stub): 0 for a plain archive. */
  readonly prependedBytes: number;
  /** The archive comment. */
  readonly comment: Uint8Array;
  /** The file's size, mtime and inode when the directory was read. */
  readonly stamp: Readonly<Stamp>;
  readonly #files: Map<string, ZipEntry>;
  readonly #dirs: Set<string>;
  /** Where the central directory starts: every entry's data must end before it. */
  readonly #dataLimit: number;

  /** @internal Made by {@link readZipDirectory}. */
  constructor(
    archive: string,
    parts: {
      stamp: Stamp;
      files: Map<string, ZipEntry>;
      dirs: Set<string>;
      prependedBytes: number;
      comment: Uint8Array;
      dataLimit: number;
    },
  ) {
    this.archive = archive;
    this.stamp = parts.stamp;
    this.#files = parts.files;
    this.#dirs = parts.dirs;
    this.prependedBytes = parts.prependedBytes;
    this.comment = parts.comment;
    this.#dataLimit = parts.dataLimit;
  }

  /** How many files (not folders) the archive holds. */
  get fileCount(): number {
    return this.#files.size;
  }

  /** The file entry `name` (`pkg/mod.ts`), or `undefined`. */
  file(name: string): ZipEntry | undefined {
    return this.#files.get(name);
  }

  /** Whether `name` is a file entry. */
  isFile(name: string): boolean {
    return this.#files.has(name);
  }

  /** Whether `name` is a folder: an entry ending in `/`, a parent of an entry, or `''` (the root). */
  isDirectory(name: string): boolean {
    return name === '' || this.#dirs.has(name);
  }

  /** Every file entry, in central-directory order. */
  files(): IterableIterator<ZipEntry> {
    return this.#files.values();
  }

  /** The names (last segments) of the files and folders directly in the folder `dir` (`''`: the root). */
  children(dir: string): string[] {
    const start = dir === '' ? '' : `${dir}/`;
    const out = new Set<string>();
    const add = (name: string): void => {
      if (!name.startsWith(start) || name.length === start.length) return;
      const rest = name.slice(start.length);
      const slash = rest.indexOf('/');
      out.add(slash === -1 ? rest : rest.slice(0, slash));
    };
    for (const name of this.#files.keys()) add(name);
    for (const name of this.#dirs) add(name);
    return [...out];
  }

  /**
   * The uncompressed bytes of the file entry `name`, read from the archive now (one open, usually one read).
   *
   * @throws ZipImportError `'missing-entry'` when there is no such file; `'changed'` when the archive
   *   is no longer the file this directory was read from (read the directory again); `'encrypted'`,
   *   `'unsupported-compression'`, `'too-large'`, `'corrupt'`, `'truncated'` or `'bad-data'` for an
   *   entry that cannot be read.
   */
  read(name: string): Buffer {
    const entry = this.#files.get(name);
    if (entry === undefined) {
      throw new ZipImportError('no such file in the archive', 'missing-entry', {
        archive: this.archive,
        entry: name,
      });
    }
    return this.readEntry(entry);
  }

  /** The uncompressed bytes of `entry` (one of this directory's). Throws as {@link read} does. */
  readEntry(entry: ZipEntry): Buffer {
    const fail = (message: string, reason: ZipErrorReason, cause?: unknown): never => {
      throw new ZipImportError(message, reason, { archive: this.archive, entry: entry.name, cause });
    };
    if (entry.flags & FLAG_ENCRYPTED) fail('the entry is encrypted; store it unencrypted', 'encrypted');
    if (entry.method !== 0 && entry.method !== 8) {
      fail(
        `compression method ${entry.method} is not supported; store or deflate the entry`,
        'unsupported-compression',
      );
    }
    if (entry.size > MAX_ENTRY_SIZE || entry.compressedSize > MAX_ENTRY_SIZE) {
      fail(`the entry is larger than ${MAX_ENTRY_SIZE} bytes`, 'too-large');
    }
    if (entry.method === 0 && entry.compressedSize !== entry.size) {
      fail('a stored entry whose stored and uncompressed sizes differ', 'corrupt');
    }
    let fd: number;
    try {
      fd = openSync(this.archive, 'r');
    } catch (error) {
      return fail(`cannot open the archive: ${(error as Error).message}`, 'not-found', error);
    }
    try {
      return this.#readOpen(fd, entry, fail);
    } catch (error) {
      // Damage found: if the file is no longer the one the directory was read from, say that instead
      // (the caller reads the directory again). Checked only on failure: good bytes pass the checks.
      if (
        error instanceof ZipImportError &&
        error.reason !== 'changed' &&
        !sameStamp(stampOf(fstatSync(fd)), this.stamp)
      ) {
        fail('the archive changed since its directory was read', 'changed', error);
      }
      throw error;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Read, check and inflate `entry` from the open archive `fd`: one `pread` of its local header,
   * name and data (a second one only when the local extra field is longer than usual).
   */
  #readOpen(
    fd: number,
    entry: ZipEntry,
    fail: (message: string, reason: ZipErrorReason, cause?: unknown) => never,
  ): Buffer {
    const nameLength = entry.rawName.length;
    const guess = Math.min(
      LOCAL_SIZE + nameLength + LOCAL_EXTRA_GUESS + entry.compressedSize,
      this.#dataLimit - entry.headerOffset,
    );
    let chunk = readAt(fd, entry.headerOffset, guess, this.archive, entry.name);
    if (chunk.readUInt32LE(0) !== SIG_LOCAL) {
      fail('no local header where the central directory says the entry starts', 'corrupt');
    }
    const localNameLength = chunk.readUInt16LE(26);
    const extraLength = chunk.readUInt16LE(28);
    const dataOffset = LOCAL_SIZE + localNameLength + extraLength;
    if (entry.headerOffset + dataOffset + entry.compressedSize > this.#dataLimit) {
      fail('the entry data runs into the central directory', 'corrupt');
    }
    if (dataOffset + entry.compressedSize > chunk.length) {
      chunk = readAt(fd, entry.headerOffset, dataOffset + entry.compressedSize, this.archive, entry.name);
    }
    if (
      localNameLength !== nameLength ||
      !chunk.subarray(LOCAL_SIZE, LOCAL_SIZE + nameLength).equals(entry.rawName)
    ) {
      fail('the local header names another entry', 'corrupt');
    }
    const data = chunk.subarray(dataOffset, dataOffset + entry.compressedSize);
    let out: Buffer = data;
    if (entry.method === 8) {
      try {
        out = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
      } catch (error) {
        fail(`the entry does not inflate: ${(error as Error).message}`, 'bad-data', error);
      }
    }
    if (out.length !== entry.size) {
      fail(`the entry holds ${out.length} bytes, not the ${entry.size} its directory says`, 'bad-data');
    }
    if (crc32(out) !== entry.crc32) fail('the entry fails its CRC-32 check', 'bad-data');
    return out;
  }
}

/** Read exactly `length` bytes at `position`; a short read means the file is shorter than it said. */
function readAt(fd: number, position: number, length: number, archive: string, entry: string | null): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) {
      throw new ZipImportError(`the archive ends before byte ${position + length}`, 'truncated', {
        archive,
        entry,
      });
    }
    done += n;
  }
  return buffer;
}

/** Why an entry name could take a reader outside the archive, or `null` when it is safe. */
export function unsafeEntryNameReason(name: string): string | null {
  if (name === '') return 'an empty name';
  if (name.includes('\0')) return 'a NUL character';
  if (name.includes('\\')) return 'a backslash';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  const parts = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  for (const part of parts) {
    if (part === '..') return 'a ".." segment';
    if (part === '.' || part === '') return 'an empty or "." segment';
  }
  return null;
}

function decodeName(raw: Buffer, flags: number, archive: string): string {
  if (flags & FLAG_UTF8) {
    if (!isUtf8(raw)) {
      throw new ZipImportError('an entry name flagged UTF-8 is not valid UTF-8', 'corrupt', {
        archive,
        entry: raw.toString('latin1'),
      });
    }
    return raw.toString('utf8');
  }
  if (isAscii(raw)) return raw.toString('latin1');
  let out = '';
  for (const byte of raw) out += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return out;
}

/** A DOS date and time (local time) as milliseconds since the epoch. */
function dosToMs(date: number, time: number): number {
  return new Date(
    1980 + (date >> 9),
    ((date >> 5) & 0xf) - 1,
    date & 0x1f,
    time >> 11,
    (time >> 5) & 0x3f,
    (time & 0x1f) * 2,
  ).getTime();
}

function u64(buffer: Buffer, offset: number, fail: (message: string) => never): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail('a 64-bit size or offset beyond any real file');
  return Number(value);
}

/**
 * Read the central directory of `archive` (not shared: see {@link getZipDirectory}).
 *
 * @throws ZipImportError `'not-found'` for a missing or non-regular file; `'not-a-zip'` without an
 *   end-of-central-directory record; `'truncated'`, `'corrupt'`, `'unsupported'` or
 *   `'bad-entry-name'` for a damaged, spanned or unsafe archive.
 */
export function readZipDirectory(archive: string): ZipDirectory {
  let fd: number;
  try {
    fd = openSync(archive, 'r');
  } catch (error) {
    throw new ZipImportError(`cannot open the archive: ${(error as Error).message}`, 'not-found', {
      archive,
      cause: error,
    });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ZipImportError('not a Zip file', 'not-found', { archive });
    return parseDirectory(archive, fd, stampOf(stats));
  } finally {
    closeSync(fd);
  }
}

function parseDirectory(archive: string, fd: number, stamp: Stamp): ZipDirectory {
  const fail = (message: string, reason: ZipErrorReason = 'corrupt', entry: string | null = null): never => {
    throw new ZipImportError(message, reason, { archive, entry });
  };
  const size = stamp.size;
  if (size < EOCD_SIZE) fail('not a Zip file (too short to hold an end record)', 'not-a-zip');

  // The end record: the last signature whose comment ends exactly at the end of the file, else the
  // last one whose comment fits (some writers pad the file).
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = size - tailLength;
  const tail = readAt(fd, tailStart, tailLength, archive, null);
  let eocd = -1;
  let fallback = -1;
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (tail[i] !== 0x50 || tail.readUInt32LE(i) !== SIG_EOCD) continue;
    const end = i + EOCD_SIZE + tail.readUInt16LE(i + 20);
    if (end === tailLength) {
      eocd = i;
      break;
    }
    if (end < tailLength && fallback === -1) fallback = i;
  }
  if (eocd === -1) eocd = fallback;
  if (eocd === -1) fail('not a Zip file (no end-of-central-directory record)', 'not-a-zip');

  const eocdAt = tailStart + eocd;
  let disk = tail.readUInt16LE(eocd + 4);
  let cdDisk = tail.readUInt16LE(eocd + 6);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const comment = new Uint8Array(
    tail.subarray(eocd + EOCD_SIZE, eocd + EOCD_SIZE + tail.readUInt16LE(eocd + 20)),
  );
  let headerAt = eocdAt; // where the central directory ends

  // Zip64: a locator right before the end record, and the Zip64 end record right before that.
  if (eocdAt >= ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE) {
    const locator = readAt(fd, eocdAt - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE, archive, null);
    if (locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
      const at = eocdAt - ZIP64_LOCATOR_SIZE - ZIP64_EOCD_SIZE;
      const record = readAt(fd, at, ZIP64_EOCD_SIZE, archive, null);
      if (record.readUInt32LE(0) !== SIG_ZIP64_EOCD) fail('a Zip64 locator without its Zip64 end record');
      const bad = (message: string): never => fail(message);
      disk = record.readUInt32LE(16);
      cdDisk = record.readUInt32LE(20);
      count = u64(record, 32, bad);
      cdSize = u64(record, 40, bad);
      cdOffset = u64(record, 48, bad);
      headerAt = at;
    }
  }
  if (disk !== 0 || cdDisk !== 0) fail('a multi-disk (spanned) archive is not supported', 'unsupported');
  if (cdSize > headerAt) fail(`the central directory size (${cdSize}) is larger than the archive`);
  const cdStart = headerAt - cdSize;
  const prependedBytes = cdStart - cdOffset;
  if (prependedBytes < 0) fail(`the central directory offset (${cdOffset}) lies beyond the directory`);
  if (count > 0 && cdSize < CENTRAL_SIZE)
    fail('the central directory is too small for its entries', 'truncated');

  const cd = readAt(fd, cdStart, cdSize, archive, null);
  const files = new Map<string, ZipEntry>();
  const dirs = new Set<string>();
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (pos + CENTRAL_SIZE > cdSize) {
      fail(`the central directory holds ${i} entries, not the ${count} it says`, 'truncated');
    }
    if (cd.readUInt32LE(pos) !== SIG_CENTRAL) fail(`bad central directory record ${i}`);
    const flags = cd.readUInt16LE(pos + 8);
    const method = cd.readUInt16LE(pos + 10);
    const time = cd.readUInt16LE(pos + 12);
    const date = cd.readUInt16LE(pos + 14);
    const crc = cd.readUInt32LE(pos + 16);
    let compressedSize = cd.readUInt32LE(pos + 20);
    let uncompressedSize = cd.readUInt32LE(pos + 24);
    const nameLength = cd.readUInt16LE(pos + 28);
    const extraLength = cd.readUInt16LE(pos + 30);
    const commentLength = cd.readUInt16LE(pos + 32);
    let headerOffset = cd.readUInt32LE(pos + 42);
    const nameStart = pos + CENTRAL_SIZE;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > cdSize) fail(`central directory record ${i} runs past the directory`, 'truncated');
    const rawName = cd.subarray(nameStart, extraStart);
    const name = decodeName(rawName, flags, archive);
    const unsafe = unsafeEntryNameReason(name);
    if (unsafe !== null) {
      fail(
        `an entry name with ${unsafe} could reach outside the archive; rebuild it`,
        'bad-entry-name',
        name,
      );
    }

    // Zip64 extra field: the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
    if (uncompressedSize === U32_MAX || compressedSize === U32_MAX || headerOffset === U32_MAX) {
      let e = extraStart;
      const extraEnd = extraStart + extraLength;
      let found = false;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const length = cd.readUInt16LE(e + 2);
        const dataEnd = e + 4 + length;
        if (dataEnd > extraEnd) break;
        if (id === 0x0001) {
          found = true;
          let at = e + 4;
          const take = (): number => {
            if (at + 8 > dataEnd) fail('a Zip64 extra field too short for its values', 'corrupt', name);
            const value = u64(cd, at, (m) => fail(m, 'corrupt', name));
            at += 8;
            return value;
          };
          if (uncompressedSize === U32_MAX) uncompressedSize = take();
          if (compressedSize === U32_MAX) compressedSize = take();
          if (headerOffset === U32_MAX) headerOffset = take();
          break;
        }
        e = dataEnd;
      }
      if (!found) fail('a 0xFFFFFFFF size or offset without a Zip64 extra field', 'corrupt', name);
    }

    const absolute = headerOffset + prependedBytes;
    if (absolute + LOCAL_SIZE + nameLength + compressedSize > cdStart) {
      fail('the entry lies outside the archive data (a wrong offset or size)', 'corrupt', name);
    }
    const isDirectory = name.endsWith('/');
    const key = isDirectory ? name.slice(0, -1) : name;
    if (isDirectory) {
      dirs.add(key);
    } else {
      files.set(key, {
        name: key,
        method,
        flags,
        crc32: crc,
        compressedSize,
        size: uncompressedSize,
        headerOffset: absolute,
        mtimeMs: dosToMs(date, time),
        rawName: new Uint8Array(rawName),
      });
    }
    // Implicit parent folders (Python adds them too).
    for (let slash = key.lastIndexOf('/'); slash > 0; slash = key.lastIndexOf('/', slash - 1)) {
      const parent = key.slice(0, slash);
      if (dirs.has(parent)) break;
      dirs.add(parent);
    }
    pos = next;
  }
  for (const dir of dirs) {
    if (files.has(dir)) fail('a name that is both a file and a folder', 'corrupt', dir);
  }
  return new ZipDirectory(archive, {
    stamp,
    files,
    dirs,
    prependedBytes,
    comment,
    dataLimit: cdStart,
  });
}

// ---------------------------------------------------------------------------------------------
// The shared cache (Python's `_zip_directory_cache`)

interface Cached {
  stamp: Stamp;
  directory: ZipDirectory | null;
  error: ZipImportError | null;
  /** The `checkId` under which the stamp was last compared with the file, if any. */
  checkedUnder?: number | null;
}

const cache = new Map<string, Cached>();

/**
 * The directory of `archive` (an absolute path), shared by every reader of it in the process and
 * read again when the file's size, mtime or inode changed. Costs one `stat` when nothing changed.
 * `null` when the file is gone (or is no longer a regular file): an archive deleted in use serves
 * nothing (Python's empty table). A damaged archive throws on every call until it changes.
 *
 * With a non-null `checkId` (the folder finders' rule: `system.outerImportId`), an archive already
 * checked under the same id is not `stat`ed again.
 *
 * @throws ZipImportError for a file that is not a usable archive (see {@link readZipDirectory}).
 */
export function getZipDirectory(archive: string, checkId: number | null = null): ZipDirectory | null {
  if (checkId !== null) {
    const known = cache.get(archive);
    if (known !== undefined && known.checkedUnder === checkId && known.directory !== null)
      return known.directory;
  }
  let stats: Stats | undefined;
  try {
    stats = statSync(archive, { throwIfNoEntry: false });
  } catch {
    stats = undefined;
  }
  if (stats === undefined || !stats.isFile()) {
    cache.delete(archive);
    return null;
  }
  const stamp = stampOf(stats);
  const cached = cache.get(archive);
  if (cached !== undefined && sameStamp(cached.stamp, stamp)) {
    if (cached.error !== null) throw cached.error;
    cached.checkedUnder = checkId;
    return cached.directory;
  }
  try {
    const directory = readZipDirectory(archive);
    cache.set(archive, { stamp: directory.stamp, directory, error: null, checkedUnder: checkId });
    return directory;
  } catch (error) {
    if (error instanceof ZipImportError && error.reason !== 'not-found') {
      cache.set(archive, { stamp, directory: null, error });
    }
    throw error;
  }
}

/** The directory of `archive` already in the shared cache, without any I/O, or `undefined`. */
export function peekZipDirectory(archive: string): ZipDirectory | undefined {
  return cache.get(archive)?.directory ?? undefined;
}

/**
 * Forget the shared directory of `archive` (of every archive when omitted), so the next access reads
 * it again (Python's `zipimporter.invalidate_caches()` popping `_zip_directory_cache`).
 */
export function invalidateZipDirectory(archive?: string): void {
  if (archive === undefined) cache.clear();
  else cache.delete(archive);
}
