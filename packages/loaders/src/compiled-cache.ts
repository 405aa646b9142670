/**
 * The compiled-cache file format: the `.pyc` of this system. One file holds a module's transpiled
 * JavaScript, its source map and V8's code cache (`vm.Script` cached data), behind a header that
 * says which source it was made from (PEP 552: timestamp, checked-hash or unchecked-hash).
 *
 * File layout (little-endian, 60-byte header, then three sections):
 *
 * | offset | size | field                                                                     |
 * | -----: | ---: | ------------------------------------------------------------------------- |
 * |      0 |    4 | magic (`getMagic`, magic.ts: 2-byte token, then `\r\n`)                   |
 * |      4 |    4 | flags u32 (below)                                                         |
 * |      8 |   16 | timestamp: source mtime f64 (ms) at 8, size f64 at 16; hash: 16-byte hash |
 * |     24 |    4 | JS length u32 (bytes)                                                     |
 * |     28 |    4 | source map length u32 (bytes; 0 unless bit3)                              |
 * |     32 |    4 | V8 cached-data length u32 (0 = none)                                      |
 * |     36 |    4 | CRC-32 of the V8 bytes                                                    |
 * |     40 |   16 | V8 runtime key (v8-runtime-key.ts) of the process that wrote the file     |
 * |     56 |    4 | CRC-32 of bytes 0–55, then of the JS and map sections                     |
 * |     60 |    … | JS, then source map, then V8 cached data                                  |
 *
 * Flags: bit0 hash-based, bit1 check-source (only with bit0), bit2 async body, bit3 has a source
 * map, bit4 the JS is UTF-16LE, bit5 the map is UTF-16LE; any other bit makes the file unreadable.
 * Text is UTF-8 when it is ASCII and UTF-16LE otherwise: Node 20 turns non-ASCII UTF-8 into a
 * string about five times slower than it copies UTF-16 (≈250 µs against ≈45 µs for 100 KB), and
 * a warm import pays that on every start; ASCII, the usual case, stays one byte a character.
 *
 * V8 does not protect itself: it accepts a code cache made for a same-length edited source (and
 * runs the old code), and some corrupted caches abort the process (a fatal error, not catchable).
 * So V8 bytes are handed out only after their checksum and the runtime key match; otherwise
 * {@link decodeCompiled} drops them and says so (`v8Rejected`), and the caller rewrites the file.
 * Everything else that is wrong with a file is a {@link CompiledCacheError}, never a crash, and no
 * length field is trusted before it has been checked against the real file size.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

import { ErrorCodes, ImportArgumentError, ImportError } from '@importlib/core';
import type { ImportErrorOptions } from '@importlib/core';

import { equalBytes, textEncoding } from './io/bytes.js';
import { crc32 } from './io/crc32.js';
import { currentMagic } from './magic.js';
import { currentRuntimeKey, RUNTIME_KEY_SIZE } from './v8-runtime-key.js';

// ---------------------------------------------------------------------------------------------
// Records

/**
 * How a compiled file is checked against its source (PEP 552): the source's mtime and size, a hash
 * of the source that is checked, or a hash that is not checked (unless `checkHashBased` is `'always'`).
 */
export type InvalidationMode = 'timestamp' | 'checked-hash' | 'unchecked-hash';

/** Python's `_imp.check_hash_based_pycs` / `--check-hash-based-pycs`. */
export type CheckHashBased = 'default' | 'always' | 'never';

/** What a compiled file holds. */
export interface CompiledRecord {
  invalidation: InvalidationMode;
  /** The source's `mtimeMs` (timestamp mode). */
  sourceMtimeMs?: number;
  /** The source's size in bytes (timestamp mode). */
  sourceSize?: number;
  /** {@link sourceHash} of the source (hash modes). */
  sourceHash?: Uint8Array;
  /** The body uses top-level `await` and runs as an async function. */
  isAsync: boolean;
  /** The transpiled JavaScript. */
  js: string;
  /** Its source map (JSON), or `null`. */
  map: string | null;
  /** V8's code cache for `js`, or `null` (an empty one is stored as none). */
  v8: Uint8Array | null;
}

/** What {@link decodeCompiled} returns. */
export interface DecodedCompiled extends CompiledRecord {
  /**
   * V8 bytes were in the file but their checksum or runtime key did not match, so they were dropped
   * (`v8` is `null`): rewrite the file with a fresh code cache.
   */
  v8Rejected: boolean;
}

/** Why a compiled file could not be read. */
export type CompiledCacheErrorReason = 'truncated' | 'bad-magic' | 'bad-flags' | 'corrupt';

/**
 * A compiled file that cannot be used: empty or cut short, another format or transpiler (bad
 * magic), unknown flags, or a damaged body. With a source beside it, the loader rebuilds it; for a
 * compiled-only module it is the import's error. Names the module and the file; its code is
 * `ErrorCodes.BAD_COMPILED` (`'ERR_IMPORTLIB_BAD_COMPILED'`).
 */
export class CompiledCacheError extends ImportError {
  /** What is wrong with the file. */
  readonly reason: CompiledCacheErrorReason;

  constructor(message: string, reason: CompiledCacheErrorReason, options: ImportErrorOptions = {}) {
    super(message, options, ErrorCodes.BAD_COMPILED);
    this.reason = reason;
  }

  override get name(): string {
    return 'CompiledCacheError';
  }
}

const FLAG_HASH_BASED = 0b1;
const FLAG_CHECK_SOURCE = 0b10;
const FLAG_ASYNC = 0b100;
const FLAG_HAS_MAP = 0b1000;
const FLAG_JS_UTF16 = 0b1_0000;
const FLAG_MAP_UTF16 = 0b10_0000;
const KNOWN_FLAGS =
  FLAG_HASH_BASED | FLAG_CHECK_SOURCE | FLAG_ASYNC | FLAG_HAS_MAP | FLAG_JS_UTF16 | FLAG_MAP_UTF16;

const OFFSET_FLAGS = 4;
const OFFSET_STAMP = 8;
const OFFSET_JS_LENGTH = 24;
const OFFSET_MAP_LENGTH = 28;
const OFFSET_V8_LENGTH = 32;
const OFFSET_V8_CRC = 36;
const OFFSET_RUNTIME_KEY = 40;
const OFFSET_HEADER_CRC = 56;
/** The size of the fixed header; the JS section starts here. */
export const HEADER_SIZE = 60;

const HASH_SIZE = 16;
const MAX_U32 = 0xffff_ffff;

// ---------------------------------------------------------------------------------------------
// The source hash

/**
 * The 16-byte source hash of hash-based files (Python's `importlib.util.source_hash`), keyed with
 * the magic number so a new format or transpiler never matches an old hash.
 *
 * SHA-256 truncated to 128 bits: Node has no SipHash, and a checksum such as CRC-32 is not enough,
 * since an edit that keeps the checksum would make the cache run the old code. SHA-256 is in every
 * Node build, hardware-accelerated (≈1–2 GB/s, well under a millisecond for a typical module), and
 * 128 bits leave no practical chance of an accidental match.
 */
export function sourceHash(bytes: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(currentMagic()).update(bytes).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, HASH_SIZE).slice();
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Options of {@link encodeCompiled}. */
export interface EncodeOptions {
  /**
   * The runtime key stamped on the V8 section (default: this process's, `v8RuntimeKey`).
   * For tools that prepare caches for another runtime, and for tests.
   */
  runtimeKey?: Uint8Array;
  /**
   * The magic number to stamp (default: `getMagic`). The source loader gives another one for
   * non-default transpile options (see `magicForOptions`).
   */
  magic?: Uint8Array;
}

function badRecord(message: string): never {
  throw new ImportArgumentError(`cannot encode a compiled record: ${message}`);
}

/**
 * Encode a record as a compiled file, stamped with the magic number, this process's V8 runtime key
 * and the checksums. Every string comes back exactly, lone surrogates included.
 *
 * @throws ImportArgumentError for a record that cannot be written (missing or invalid source stamp,
 *   a section over 4 GiB).
 */
export function encodeCompiled(record: CompiledRecord, options: EncodeOptions = {}): Uint8Array {
  const key = options.runtimeKey ?? currentRuntimeKey();
  if (!(key instanceof Uint8Array) || key.length !== RUNTIME_KEY_SIZE) {
    badRecord(`the runtime key must be ${RUNTIME_KEY_SIZE} bytes`);
  }
  let flags = record.isAsync ? FLAG_ASYNC : 0;
  switch (record.invalidation) {
    case 'timestamp': {
      const { sourceMtimeMs, sourceSize } = record;
      if (typeof sourceMtimeMs !== 'number' || !Number.isFinite(sourceMtimeMs)) {
        badRecord('a timestamp record needs a finite sourceMtimeMs');
      }
      if (typeof sourceSize !== 'number' || !Number.isSafeInteger(sourceSize) || sourceSize < 0) {
        badRecord('a timestamp record needs a sourceSize (a non-negative integer)');
      }
      break;
    }
    case 'checked-hash':
    case 'unchecked-hash':
      flags |= record.invalidation === 'checked-hash' ? FLAG_HASH_BASED | FLAG_CHECK_SOURCE : FLAG_HASH_BASED;
      if (!(record.sourceHash instanceof Uint8Array) || record.sourceHash.length !== HASH_SIZE) {
        badRecord(`a hash-based record needs a ${HASH_SIZE}-byte sourceHash`);
      }
      break;
    default:
      badRecord(`unknown invalidation mode ${JSON.stringify(record.invalidation)}`);
  }
  if (typeof record.js !== 'string') badRecord('js must be a string');
  if (record.map !== null) {
    if (typeof record.map !== 'string') badRecord('map must be a string or null');
    flags |= FLAG_HAS_MAP;
  }
  if (record.v8 !== null && !(record.v8 instanceof Uint8Array)) badRecord('v8 must be a Uint8Array or null');

  const jsEncoding = textEncoding(record.js);
  if (jsEncoding === 'utf16le') flags |= FLAG_JS_UTF16;
  const mapEncoding = record.map === null ? 'utf8' : textEncoding(record.map);
  if (mapEncoding === 'utf16le') flags |= FLAG_MAP_UTF16;
  const jsLength = Buffer.byteLength(record.js, jsEncoding);
  const mapLength = record.map === null ? 0 : Buffer.byteLength(record.map, mapEncoding);
  const v8 = record.v8 ?? new Uint8Array(0);
  if (jsLength > MAX_U32 || mapLength > MAX_U32 || v8.length > MAX_U32) badRecord('a section is over 4 GiB');

  const out = Buffer.alloc(HEADER_SIZE + jsLength + mapLength + v8.length);
  out.set(options.magic ?? currentMagic(), 0);
  out.writeUInt32LE(flags, OFFSET_FLAGS);
  if (record.invalidation === 'timestamp') {
    out.writeDoubleLE(record.sourceMtimeMs as number, OFFSET_STAMP);
    out.writeDoubleLE(record.sourceSize as number, OFFSET_STAMP + 8);
  } else {
    out.set(record.sourceHash as Uint8Array, OFFSET_STAMP);
  }
  out.writeUInt32LE(jsLength, OFFSET_JS_LENGTH);
  out.writeUInt32LE(mapLength, OFFSET_MAP_LENGTH);
  out.writeUInt32LE(v8.length, OFFSET_V8_LENGTH);
  out.writeUInt32LE(v8.length === 0 ? 0 : crc32(v8), OFFSET_V8_CRC);
  out.set(key, OFFSET_RUNTIME_KEY);
  out.write(record.js, HEADER_SIZE, jsLength, jsEncoding);
  if (record.map !== null) out.write(record.map, HEADER_SIZE + jsLength, mapLength, mapEncoding);
  const v8Start = HEADER_SIZE + jsLength + mapLength;
  out.set(v8, v8Start);
  const headerCrc = crc32(out.subarray(HEADER_SIZE, v8Start), crc32(out.subarray(0, OFFSET_HEADER_CRC)));
  out.writeUInt32LE(headerCrc, OFFSET_HEADER_CRC);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Who the file belongs to, for error messages. */
export interface DecodeContext {
  /** The module's name. */
  name: string | null;
  /** The compiled file's path. */
  path: string | null;
  /** The magic number expected (default: `getMagic`); see `magicForOptions`. */
  magic?: Uint8Array;
}

function fail(reason: CompiledCacheErrorReason, detail: string, context: DecodeContext): never {
  const subject = context.name === null ? 'compiled file' : `compiled file of '${context.name}'`;
  const where = context.path === null ? '' : ` (${context.path})`;
  throw new CompiledCacheError(`${detail} in ${subject}${where}`, reason, {
    moduleName: context.name,
    path: context.path,
  });
}

/** A text section: UTF-16LE (any even number of bytes is a JavaScript string) or valid UTF-8. */
function readText(buf: Buffer, start: number, end: number, utf16: boolean, context: DecodeContext): string {
  if (utf16) {
    if ((end - start) % 2 !== 0) fail('corrupt', 'an odd-length UTF-16 section', context);
    return buf.toString('utf16le', start, end);
  }
  if (!isUtf8(buf.subarray(start, end))) fail('corrupt', 'invalid UTF-8', context);
  return buf.toString('utf8', start, end);
}

/**
 * Read a compiled file. The V8 bytes come back as a view of `bytes` (no copy), and only if their
 * checksum and runtime key match this process; otherwise `v8` is `null` and `v8Rejected` is true.
 *
 * @throws CompiledCacheError for an empty or short file (`'truncated'`), another format or
 *   transpiler (`'bad-magic'`), unknown flags (`'bad-flags'`), and lengths that do not add up to
 *   the file size, a wrong checksum, invalid text or an impossible source stamp (`'corrupt'`).
 */
export function decodeCompiled(bytes: Uint8Array, context: DecodeContext): DecodedCompiled {
  const size = bytes.length;
  const expectedMagic = context.magic ?? currentMagic();
  if (size < expectedMagic.length) {
    fail('truncated', size === 0 ? 'empty file' : `truncated magic number (${size} bytes)`, context);
  }
  if (!equalBytes(bytes, 0, expectedMagic)) fail('bad-magic', 'bad magic number', context);
  if (size < HEADER_SIZE) fail('truncated', `truncated header (${size} of ${HEADER_SIZE} bytes)`, context);

  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = buf.readUInt32LE(OFFSET_FLAGS);
  if ((flags & ~KNOWN_FLAGS) !== 0 || (flags & (FLAG_HASH_BASED | FLAG_CHECK_SOURCE)) === FLAG_CHECK_SOURCE) {
    fail('bad-flags', `invalid flags 0x${flags.toString(16)}`, context);
  }
  // Lengths are u32s, so their sum is exact in a double: nothing is sliced or allocated from them
  // before they have been matched against the real size.
  const jsLength = buf.readUInt32LE(OFFSET_JS_LENGTH);
  const mapLength = buf.readUInt32LE(OFFSET_MAP_LENGTH);
  const v8Length = buf.readUInt32LE(OFFSET_V8_LENGTH);
  const total = HEADER_SIZE + jsLength + mapLength + v8Length;
  if (total > size) fail('truncated', `truncated body (${size} of ${total} bytes)`, context);
  if (total < size) fail('corrupt', `${size - total} bytes after the end`, context);
  if ((flags & FLAG_HAS_MAP) === 0 && mapLength !== 0)
    fail('corrupt', 'a source map without its flag', context);

  const jsEnd = HEADER_SIZE + jsLength;
  const v8Start = jsEnd + mapLength;
  const headerCrc = crc32(buf.subarray(HEADER_SIZE, v8Start), crc32(buf.subarray(0, OFFSET_HEADER_CRC)));
  if (headerCrc !== buf.readUInt32LE(OFFSET_HEADER_CRC)) fail('corrupt', 'bad checksum', context);

  let sourceMtimeMs = 0;
  let sourceSize = 0;
  const hashBased = (flags & FLAG_HASH_BASED) !== 0;
  if (!hashBased) {
    sourceMtimeMs = buf.readDoubleLE(OFFSET_STAMP);
    sourceSize = buf.readDoubleLE(OFFSET_STAMP + 8);
    if (!Number.isFinite(sourceMtimeMs) || !Number.isSafeInteger(sourceSize) || sourceSize < 0) {
      fail('corrupt', 'an impossible source timestamp', context);
    }
  }

  const js = readText(buf, HEADER_SIZE, jsEnd, (flags & FLAG_JS_UTF16) !== 0, context);
  const map =
    (flags & FLAG_HAS_MAP) === 0
      ? null
      : readText(buf, jsEnd, v8Start, (flags & FLAG_MAP_UTF16) !== 0, context);
  const isAsync = (flags & FLAG_ASYNC) !== 0;

  let v8: Uint8Array | null = null;
  let v8Rejected = false;
  if (v8Length !== 0) {
    const candidate = buf.subarray(v8Start, v8Start + v8Length);
    if (
      equalBytes(buf, OFFSET_RUNTIME_KEY, currentRuntimeKey()) &&
      crc32(candidate) === buf.readUInt32LE(OFFSET_V8_CRC)
    ) {
      v8 = candidate;
    } else {
      v8Rejected = true;
    }
  }

  if (!hashBased) {
    return { invalidation: 'timestamp', sourceMtimeMs, sourceSize, isAsync, js, map, v8, v8Rejected };
  }
  return {
    invalidation: (flags & FLAG_CHECK_SOURCE) === 0 ? 'unchecked-hash' : 'checked-hash',
    sourceHash: new Uint8Array(buf.subarray(OFFSET_STAMP, OFFSET_STAMP + HASH_SIZE)),
    isAsync,
    js,
    map,
    v8,
    v8Rejected,
  };
}

// ---------------------------------------------------------------------------------------------
// Freshness

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && equalBytes(a, 0, b);
}

/**
 * Whether a decoded record may stand for the source as it is now (Python's `_validate_timestamp_pyc`
 * / `_validate_hash_pyc` with `_imp.check_hash_based_pycs`):
 *
 * - timestamp: the source's `mtimeMs` and size are the recorded ones;
 * - checked-hash: the source's {@link sourceHash} is the recorded one, unless `checkHashBased` is
 *   `'never'`;
 * - unchecked-hash: fresh without reading the source, unless `checkHashBased` is `'always'`.
 *
 * `readSource` is called only when a hash must be compared.
 */
export function isFresh(
  record: Pick<CompiledRecord, 'invalidation' | 'sourceMtimeMs' | 'sourceSize' | 'sourceHash'>,
  source: { mtimeMs: number; size: number },
  readSource: () => Uint8Array,
  checkHashBased: CheckHashBased = 'default',
): boolean {
  switch (record.invalidation) {
    case 'timestamp':
      return record.sourceMtimeMs === source.mtimeMs && record.sourceSize === source.size;
    case 'checked-hash':
      if (checkHashBased === 'never') return true;
      break;
    case 'unchecked-hash':
      if (checkHashBased !== 'always') return true;
      break;
    default:
      return false;
  }
  return record.sourceHash !== undefined && sameBytes(record.sourceHash, sourceHash(readSource()));
}
