/**
 * The compiled-cache file format: the `.pyc` of this system. One file holds a module's transpiled
 * JavaScript, its source map and V8's code cache (`vm.Script` cached data), behind a header that
 * says which source it was made from (PEP 552: timestamp, checked-hash or unchecked-hash).
 *
 * File layout (little-endian, 60-byte header, then three sections):
 *
 * | offset | size | field                                                                     |
 * | -----: | ---: | ------------------------------------------------------------------------- |
 * |      0 |    4 | magic ({@link getMagic}: 2-byte token, then `\r\n`)                       |
 * |      4 |    4 | flags u32 (below)                                                         |
 * |      8 |   16 | timestamp: source mtime f64 (ms) at 8, size f64 at 16; hash: 16-byte hash |
 * |     24 |    4 | JS length u32 (bytes)                                                     |
 * |     28 |    4 | source map length u32 (bytes; 0 unless bit3)                              |
 * |     32 |    4 | V8 cached-data length u32 (0 = none)                                      |
 * |     36 |    4 | CRC-32 of the V8 bytes                                                    |
 * |     40 |   16 | V8 runtime key ({@link v8RuntimeKey}) of the process that wrote the file  |
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
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

import { ErrorCodes, ImportArgumentError, ImportError } from '@importlib/core';
import type { ImportErrorOptions } from '@importlib/core';

import { MAGIC_TAG } from './cache-paths.js';
import { TRANSFORM_REVISION } from './transpile.js';

// ---------------------------------------------------------------------------------------------
// Magic number

/**
 * The revision of the file layout. Bump it whenever the layout or the meaning of a field changes:
 * the magic number changes with it, so every old file is rebuilt.
 */
export const FORMAT_VERSION = 1;

const requireHere = createRequire(import.meta.url);
let transpilerId: string | undefined;

/**
 * The transpiler and its version (`swc-<version of @swc/core>`), read from `@swc/core`'s
 * `package.json` on first use (swc itself is not loaded).
 */
export function getTranspilerId(): string {
  transpilerId ??= `swc-${(requireHere('@swc/core/package.json') as { version: string }).version}+r${TRANSFORM_REVISION}`;
  return transpilerId;
}

/**
 * The magic number for a format revision and a transpiler id: a 2-byte token, little-endian, then
 * `\r\n` (like Python's, so a text-mode copy that mangles line ends is caught). Python numbers its
 * tokens by hand; here the token is the first two bytes of SHA-256 of `importlib-cache:<format
 * revision>:<transpiler id>`, so any new swc version gets a new magic without a table to maintain.
 */
export function magicFor(transpiler: string, formatVersion: number = FORMAT_VERSION): Uint8Array {
  const digest = createHash('sha256').update(`importlib-cache:${formatVersion}:${transpiler}`).digest();
  return Uint8Array.of(digest[0] ?? 0, digest[1] ?? 0, 0x0d, 0x0a);
}

let magic: Uint8Array | undefined;
let magicNumber = 0;

function currentMagic(): Uint8Array {
  if (magic === undefined) {
    magic = magicFor(getTranspilerId());
    magicNumber = new DataView(magic.buffer, magic.byteOffset, 4).getUint32(0, true);
  }
  return magic;
}

/**
 * The magic number of compiled files made under the transpile options whose key is `optionsKey`
 * (`transpileOptionsKey`): the default magic for `''`.
 */
export function magicForOptions(optionsKey: string): Uint8Array {
  return optionsKey === '' ? currentMagic() : magicFor(`${getTranspilerId()}:${optionsKey}`);
}

/** The 4-byte magic number at the start of every compiled file (Python's `MAGIC_NUMBER`). A copy. */
export function getMagic(): Uint8Array {
  return currentMagic().slice();
}

/** The magic number as a little-endian u32 (Python's `PyImport_GetMagicNumber`). */
export function getMagicNumber(): number {
  currentMagic();
  return magicNumber;
}

/** The cache tag used in cache file names (Python's `PyImport_GetMagicTag`). */
export function getMagicTag(): string {
  return MAGIC_TAG;
}

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
const RUNTIME_KEY_SIZE = 16;
const MAX_U32 = 0xffff_ffff;

// ---------------------------------------------------------------------------------------------
// Checksums and hashes

type Crc32 = (data: Uint8Array, value?: number) => number;

// zlib.crc32 (native, SIMD) arrived in Node 20.15 and 22.2; the packages support every Node 20, so
// older ones get a table-driven version (slower, same results). CRC-32 guards against accidents —
// torn or damaged files — not against an attacker: whoever can write the cache folder can write
// the JavaScript in it anyway.
const nativeCrc32 = (zlib as { crc32?: Crc32 }).crc32;

let crcTable: Int32Array | undefined;

/** CRC-32 (IEEE, as zlib) in plain JavaScript: the fallback for Node without `zlib.crc32`. */
export function crc32Fallback(data: Uint8Array, value = 0): number {
  if (crcTable === undefined) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const table = crcTable;
  let crc = ~value;
  for (let i = 0; i < data.length; i++) {
    crc = (table[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}

/** CRC-32 of `data`, continuing from `value`: `zlib.crc32` where Node has it. */
export const crc32: Crc32 = nativeCrc32 === undefined ? crc32Fallback : (d, v = 0) => nativeCrc32(d, v);

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
// The V8 runtime key

/**
 * V8 options that Node also accepts in `NODE_OPTIONS` (`process.allowedNodeEnvironmentFlags` lists
 * them together with Node's own options). Every other option it lists is Node's.
 */
const V8_OPTIONS_ALLOWED_IN_NODE_OPTIONS = new Set([
  '--abort-on-uncaught-exception',
  '--disallow-code-generation-from-strings',
  '--enable-etw-stack-walking',
  '--expose-gc',
  '--huge-max-old-generation-size',
  '--interpreted-frames-native-stack',
  '--jitless',
  '--max-old-space-size',
  '--max-semi-space-size',
  '--perf-basic-prof',
  '--perf-basic-prof-only-functions',
  '--perf-prof',
  '--perf-prof-unwinding-info',
  '--stack-trace-limit',
]);

/** Node options that are refused in `NODE_OPTIONS`, so missing from `allowedNodeEnvironmentFlags`. */
const NODE_ONLY_OPTIONS = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-c',
  '--check',
  '-i',
  '--interactive',
  '-h',
  '--help',
  '-v',
  '--version',
  '--v8-options',
  '--completion-bash',
  '--run',
  '--experimental-sea-config',
  '--experimental-network-inspection',
  '--tls-max-v1.2',
  '--tls-max-v1.3',
  '--tls-min-v1.0',
  '--tls-min-v1.1',
  '--tls-min-v1.2',
  '--tls-min-v1.3',
]);
const NODE_ONLY_PREFIXES = [
  '--test',
  '--experimental-test',
  '--env-file',
  '--cpu-prof',
  '--build-snapshot',
  '--watch',
];

/** `--max_old_space_size=100` → `--max-old-space-size`. */
function optionName(token: string): string {
  const eq = token.indexOf('=');
  const name = eq === -1 ? token : token.slice(0, eq);
  return name.startsWith('--') ? '--' + name.slice(2).replaceAll('_', '-') : name;
}

function isV8Option(name: string, nodeOptions: ReadonlySet<string>): boolean {
  if (V8_OPTIONS_ALLOWED_IN_NODE_OPTIONS.has(name)) return true;
  if (NODE_ONLY_OPTIONS.has(name) || NODE_ONLY_PREFIXES.some((p) => name.startsWith(p))) return false;
  // `--no-foo` is Node's if `--foo` is.
  const positive = name.startsWith('--no-') ? '--' + name.slice(5) : name;
  return !nodeOptions.has(name) && !nodeOptions.has(positive);
}

/**
 * The V8 options among command-line tokens (`process.execArgv`, or `NODE_OPTIONS` split into
 * tokens): Node passes every option it does not know itself to V8. A token that does not start with
 * `-` is the value of the option before it and goes with it.
 */
export function v8OptionsIn(
  tokens: readonly string[],
  nodeOptions: ReadonlySet<string> = process.allowedNodeEnvironmentFlags,
): string[] {
  const kept: string[] = [];
  let keeping = false;
  for (const token of tokens) {
    if (token.startsWith('-') && token !== '-' && token !== '--') {
      keeping = isV8Option(optionName(token), nodeOptions);
    }
    if (keeping) kept.push(token);
  }
  return kept;
}

/** Split `NODE_OPTIONS` as Node does: on white space, with double quotes and `\` escapes inside them. */
export function splitNodeOptions(value: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (quoted) {
      if (ch === '\\' && i + 1 < value.length) {
        current += value[++i];
      } else if (ch === '"') {
        quoted = false;
      } else {
        current += ch;
      }
    } else if (ch === '"') {
      quoted = true;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

/** What {@link runtimeKeyFor} hashes. */
export interface RuntimeDescription {
  /** `process.version`. */
  nodeVersion: string;
  /** `process.versions.v8`. */
  v8Version: string;
  /** `process.arch`. */
  arch: string;
  /** `process.execArgv`. */
  execArgv: readonly string[];
  /** `process.env.NODE_OPTIONS`. */
  nodeOptions: string | undefined;
}

/**
 * The 16-byte runtime key of a described runtime: SHA-256 (truncated) of the Node and V8 versions,
 * the architecture and the V8 options among `execArgv` and `NODE_OPTIONS`. Node's own options
 * (`--import`, `--conditions`, `--inspect`, …) are left out: they do not change compiled code, and
 * counting them would make two ways of starting the same app overwrite each other's caches.
 */
export function runtimeKeyFor(runtime: RuntimeDescription): Uint8Array {
  const description = JSON.stringify([
    'importlib-v8-runtime',
    runtime.nodeVersion,
    runtime.v8Version,
    runtime.arch,
    v8OptionsIn(runtime.execArgv),
    v8OptionsIn(splitNodeOptions(runtime.nodeOptions ?? '')),
  ]);
  const digest = createHash('sha256').update(description).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, RUNTIME_KEY_SIZE).slice();
}

let runtimeKey: Uint8Array | undefined;
// Node reads NODE_OPTIONS once, at start-up: a later change to process.env does not change V8.
const startupNodeOptions = process.env['NODE_OPTIONS'];

function currentRuntimeKey(): Uint8Array {
  runtimeKey ??= runtimeKeyFor({
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    arch: process.arch,
    execArgv: process.execArgv,
    nodeOptions: startupNodeOptions,
  });
  return runtimeKey;
}

/**
 * The V8 runtime key of this process (computed once: V8's options are fixed at start-up). V8 code
 * caches are stored with the key of the process that made them and used only by processes with the
 * same key. A copy.
 */
export function v8RuntimeKey(): Uint8Array {
  return currentRuntimeKey().slice();
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Options of {@link encodeCompiled}. */
export interface EncodeOptions {
  /**
   * The runtime key stamped on the V8 section (default: this process's, {@link v8RuntimeKey}).
   * For tools that prepare caches for another runtime, and for tests.
   */
  runtimeKey?: Uint8Array;
  /**
   * The magic number to stamp (default: {@link getMagic}). The source loader gives another one for
   * non-default transpile options (see `magicForOptions`).
   */
  magic?: Uint8Array;
}

/** @internal How a text section is stored: UTF-8 when it is ASCII (one byte a character), else UTF-16LE. */
export function textEncoding(text: string): 'utf8' | 'utf16le' {
  // UTF-8 takes one byte per UTF-16 unit exactly when every character is ASCII.
  return Buffer.byteLength(text, 'utf8') === text.length ? 'utf8' : 'utf16le';
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
  /** The magic number expected (default: {@link getMagic}); see `magicForOptions`. */
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

/** @internal Whether `a` holds the bytes of `b` from `aStart` on (bytes past `a`'s end never match). */
export function equalBytes(a: Uint8Array, aStart: number, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (a[aStart + i] !== b[i]) return false;
  return true;
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

// ---------------------------------------------------------------------------------------------
// Writing

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** The new file's mode before the umask (default `0o666`; Python uses the source's mode | `0o200`). */
  mode?: number;
}

/**
 * The file-system calls {@link atomicWrite} makes, passed in so the same function runs on the main
 * thread and, as source text, in the background writer's worker (`cache-writer.ts`).
 * @internal
 */
export interface AtomicWriteIo {
  openSync(path: string, flags: string, mode: number): number;
  writeSync(fd: number, bytes: Uint8Array, offset: number, length: number): number;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  /** A unique suffix for the temporary file's name. */
  tempSuffix(): string;
}

/**
 * Write `bytes` to `filePath` atomically (see {@link writeFileAtomic}). It uses nothing but its
 * arguments: the background writer runs its source text in a worker.
 *
 * The folder is made only when the first open fails with `ENOENT`: a `mkdir` before every write cost
 * as much as the write itself on a 2,000-module cold start.
 * @internal
 */
export function atomicWrite(io: AtomicWriteIo, filePath: string, bytes: Uint8Array, mode: number): void {
  const slash = Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\'));
  const dir = slash < 0 ? '.' : filePath.slice(0, slash) || '/';
  const temp = `${filePath}.${io.tempSuffix()}.tmp`;
  let fd: number;
  try {
    fd = io.openSync(temp, 'wx', mode);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    io.mkdirSync(dir, { recursive: true });
    fd = io.openSync(temp, 'wx', mode);
  }
  try {
    try {
      let written = 0;
      while (written < bytes.length) written += io.writeSync(fd, bytes, written, bytes.length - written);
    } finally {
      io.closeSync(fd);
    }
    io.renameSync(temp, filePath);
  } catch (error) {
    try {
      io.unlinkSync(temp);
    } catch {
      // Already gone, or the folder became unwritable: nothing more to do.
    }
    throw error;
  }
}

/** The real file system, for {@link atomicWrite} on this thread. */
const mainThreadIo: AtomicWriteIo = {
  openSync,
  writeSync,
  closeSync,
  renameSync,
  unlinkSync,
  mkdirSync,
  tempSuffix: () => `${process.pid}.${randomBytes(6).toString('hex')}`,
};

/**
 * Write a file so that readers only ever see the old or the new contents, whole (Python's
 * `_write_atomic`): create the missing parent folders, write a temporary file with a unique name in
 * the same folder, then rename it over the target. On failure the temporary file is removed and
 * the error thrown: the caller treats it as "no cache".
 *
 * On Windows, renaming over a file another process has open can fail; that too is only a missed
 * cache write.
 */
export function writeFileAtomic(
  filePath: string,
  bytes: Uint8Array,
  options: WriteFileAtomicOptions = {},
): void {
  atomicWrite(mainThreadIo, filePath, bytes, options.mode ?? 0o666);
}
