/**
 * Writing zip archives (what `buildZipApp` and the tests need; Python's `zipfile.ZipFile` in write
 * mode, reduced): stored or deflated entries, UTF-8 names, an archive comment, data prepended before
 * the archive (a shebang line, offsets stay relative to the archive as `cat stub app.zip` gives), and
 * Zip64 records when sizes or counts need them (or when asked, for tests).
 *
 * Kept beside the reader instead of taken from fflate: the archives must be exactly what the reader's
 * tests need (forced Zip64, prepended data, given DOS times), and it is a hundred lines over zlib.
 */
import zlib from 'node:zlib';

import { ImportArgumentError } from '@importlib/core';

import { writeFileAtomic } from '../io/atomic-write.js';
import { crc32 } from '../io/crc32.js';
import { unsafeEntryNameReason } from './directory.js';

/** One entry to write. */
export interface ZipWriteEntry {
  /** The name inside the archive, `/`-separated; a folder entry ends with `/` and has no data. */
  name: string;
  /** The contents (a string is written as UTF-8). */
  data?: Uint8Array | string;
  /**
   * `'deflate'` or `'store'`.
   * @default 'deflate'
   */
  method?: 'deflate' | 'store';
  /**
   * Its modification time (stored as a DOS date and time, local time, 2-second resolution).
   * @default the time of the call
   */
  mtime?: Date;
}

/** Options of {@link encodeZip} and {@link writeZip}. */
export interface ZipWriteOptions {
  /** Bytes written before the archive, such as `#!/usr/bin/env node\n`. */
  prepend?: Uint8Array | string;
  /** The archive comment (at most 65,535 bytes). */
  comment?: Uint8Array | string;
  /**
   * Write Zip64 records even when nothing needs them.
   * @default false
   */
  forceZip64?: boolean;
}

const U16_MAX = 0xffff;
const U32_MAX = 0xffff_ffff;

function bytesOf(value: Uint8Array | string | undefined): Buffer {
  if (value === undefined) return Buffer.alloc(0);
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
}

/** A time as a DOS date and time (local time); times before 1980 become 1980-01-01 00:00. */
function dosDateTime(time: Date): { date: number; time: number } {
  if (time.getFullYear() < 1980) return { date: (1 << 5) | 1, time: 0 };
  return {
    date: ((time.getFullYear() - 1980) << 9) | ((time.getMonth() + 1) << 5) | time.getDate(),
    time: (time.getHours() << 11) | (time.getMinutes() << 5) | (time.getSeconds() >> 1),
  };
}

/** A Zip64 extra field (id 1) holding `values` as 64-bit numbers, in the order the format gives. */
function zip64Extra(values: readonly number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, i) => extra.writeBigUInt64LE(BigInt(value), 4 + 8 * i));
  return extra;
}

/**
 * The bytes of a zip archive holding `entries`, in order.
 *
 * @throws ImportArgumentError for an entry name that could escape the archive (`..`, absolute, a
 *   backslash, NUL, a drive letter), a duplicate name, a folder entry with data, or a comment over
 *   65,535 bytes.
 */
export function encodeZip(entries: readonly ZipWriteEntry[], options: ZipWriteOptions = {}): Buffer {
  const prepend = bytesOf(options.prepend);
  const comment = bytesOf(options.comment);
  if (comment.length > U16_MAX) throw new ImportArgumentError('a zip comment is at most 65,535 bytes');
  const now = new Date();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const seen = new Set<string>();
  let offset = 0; // relative to the start of the archive proper
  for (const entry of entries) {
    const reason = unsafeEntryNameReason(entry.name);
    if (reason !== null) {
      throw new ImportArgumentError(
        `cannot write the zip entry ${JSON.stringify(entry.name)}: it has ${reason}`,
      );
    }
    if (seen.has(entry.name))
      throw new ImportArgumentError(`duplicate zip entry ${JSON.stringify(entry.name)}`);
    seen.add(entry.name);
    const raw = bytesOf(entry.data);
    const isDirectory = entry.name.endsWith('/');
    if (isDirectory && raw.length !== 0) {
      throw new ImportArgumentError(`the zip folder entry ${JSON.stringify(entry.name)} cannot hold data`);
    }
    const method = isDirectory || entry.method === 'store' ? 0 : 8;
    const data = method === 8 ? zlib.deflateRawSync(raw) : raw;
    const name = Buffer.from(entry.name, 'utf8');
    const utf8 = name.length !== entry.name.length ? 0x800 : 0;
    const crc = raw.length === 0 ? 0 : crc32(raw);
    const { date, time } = dosDateTime(entry.mtime ?? now);
    const zip64 =
      options.forceZip64 === true || data.length >= U32_MAX || raw.length >= U32_MAX || offset >= U32_MAX;

    // Version needed … name length: the same in the local header (at 4) and the central record (at 6).
    const fields = Buffer.alloc(24);
    fields.writeUInt16LE(zip64 ? 45 : 20, 0);
    fields.writeUInt16LE(utf8, 2);
    fields.writeUInt16LE(method, 4);
    fields.writeUInt16LE(time, 6);
    fields.writeUInt16LE(date, 8);
    fields.writeUInt32LE(crc, 10);
    fields.writeUInt32LE(zip64 ? U32_MAX : data.length, 14);
    fields.writeUInt32LE(zip64 ? U32_MAX : raw.length, 18);
    fields.writeUInt16LE(name.length, 22);

    const localExtra = zip64 ? zip64Extra([raw.length, data.length]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields.copy(local, 4);
    local.writeUInt16LE(localExtra.length, 28);
    locals.push(local, name, localExtra, data);

    const centralExtra = zip64 ? zip64Extra([raw.length, data.length, offset]) : Buffer.alloc(0);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | (zip64 ? 45 : 20), 4); // made by: Unix
    fields.copy(central, 6);
    central.writeUInt16LE(centralExtra.length, 30);
    central.writeUInt32LE((isDirectory ? 0o40755 : 0o100644) * 0x10000, 38); // Unix mode
    central.writeUInt32LE(zip64 ? U32_MAX : offset, 42);
    centrals.push(central, name, centralExtra);
    offset += local.length + name.length + localExtra.length + data.length;
  }
  const cdOffset = offset;
  const cdSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const count = entries.length;
  const zip64End =
    options.forceZip64 === true || count >= U16_MAX || cdOffset >= U32_MAX || cdSize >= U32_MAX;
  const tail: Buffer[] = [];
  if (zip64End) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE((3 << 8) | 45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(cdSize), 40);
    record.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64End ? U16_MAX : count, 8);
  end.writeUInt16LE(zip64End ? U16_MAX : count, 10);
  end.writeUInt32LE(zip64End ? U32_MAX : cdSize, 12);
  end.writeUInt32LE(zip64End ? U32_MAX : cdOffset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([prepend, ...locals, ...centrals, ...tail, end, comment]);
}

/**
 * Write a zip archive holding `entries` to `path` atomically (a temporary file renamed over it, so a
 * reader never sees half an archive). `mode` is the new file's mode (`0o755` for a runnable app).
 *
 * @throws ImportArgumentError as {@link encodeZip} does; the file system's error when it cannot write.
 */
export function writeZip(
  path: string,
  entries: readonly ZipWriteEntry[],
  options: ZipWriteOptions & { mode?: number } = {},
): void {
  writeFileAtomic(path, encodeZip(entries, options), { mode: options.mode ?? 0o666 });
}
