/**
 * The frozen-bundle file format: many modules' compiled code in one file (what Python's frozen
 * modules are to `.pyc` files). One record per module: its name, whether it is a package, its
 * transpiled JavaScript (the CommonJS-style body the source loader runs), its source map, V8's code
 * cache (optional), whether the body is async, its original module name (`origname`) and its original
 * file name.
 *
 * File layout (little-endian): a 48-byte header, the index, then the data section.
 *
 * | offset | size | field                                                                      |
 * | -----: | ---: | -------------------------------------------------------------------------- |
 * |      0 |    8 | magic {@link BUNDLE_MAGIC} (`\x89FRZ\r\n\x1a\n`: catches text-mode copies)  |
 * |      8 |    4 | format version u32 ({@link BUNDLE_FORMAT_VERSION})                          |
 * |     12 |    4 | code magic: the compiled-cache magic of the transpiler that made the JS     |
 * |     16 |   16 | V8 runtime key of the process that made the V8 caches                       |
 * |     32 |    4 | module count u32                                                           |
 * |     36 |    4 | index length u32 (bytes)                                                   |
 * |     40 |    4 | CRC-32 of the index                                                        |
 * |     44 |    4 | CRC-32 of bytes 0–43                                                       |
 * |     48 |    … | index: one entry per module (below), then the data section                 |
 *
 * Index entry: flags u8; name (u16 length + UTF-8); origname (u16 + UTF-8, only with bit7);
 * filename (u16 + UTF-8, only with bit6); then five u32: the record's offset in the data section, its
 * JS, map and V8 lengths (the record is `js ‖ map ‖ v8`, contiguous), and the CRC-32 of the record.
 * Flags: bit0 package, bit1 async body, bit2 excluded (no code: Python's `code == NULL`), bit3 has a
 * source map, bit4 JS is UTF-16LE, bit5 map is UTF-16LE, bit6 has a file name, bit7 has an origname.
 * Text is Latin-1 when it is ASCII (one byte a character, the fastest string to make) and UTF-16LE
 * otherwise.
 *
 * Integrity: the header and the index are checked (CRC-32) when the bundle is opened; each record is
 * checked (CRC-32 of its bytes) the first time its module is loaded, before V8 or the JS compiler see
 * any of it. Together they cover every byte the reader uses; a 2,000-module bundle opens without
 * hashing the code of modules that are never imported, and an error can name the damaged module.
 * CRC-32 (zlib's, ~4 GB/s here) detects damage, not tampering: a bundle is as trusted as any code file.
 *
 * Must not import anything but `@importlib/core` and node built-ins.
 */
import { ErrorCodes, ImportError, type ImportErrorOptions } from '@importlib/core';

/** The 8 bytes every bundle starts with. */
export const BUNDLE_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x46, 0x52, 0x5a, 0x0d, 0x0a, 0x1a, 0x0a);
/** The revision of the bundle layout; a reader refuses any other. */
export const BUNDLE_FORMAT_VERSION = 1;
/** The size of the fixed header. */
export const BUNDLE_HEADER_SIZE = 48;
/** The file suffix `freeze` gives bundles by convention (any name works). */
export const BUNDLE_SUFFIX = '.frozen';

/** @internal Header offsets. */
export const OFFSET = {
  version: 8,
  codeMagic: 12,
  runtimeKey: 16,
  count: 32,
  indexLength: 36,
  indexCrc: 40,
  headerCrc: 44,
} as const;

/** @internal Index flags. */
export const FLAG = {
  package: 0b1,
  async: 0b10,
  excluded: 0b100,
  hasMap: 0b1000,
  jsUtf16: 0b1_0000,
  mapUtf16: 0b10_0000,
  hasFilename: 0b100_0000,
  hasOrigname: 0b1000_0000,
} as const;

/** @internal The fixed part at the end of each index entry: five u32. */
export const ENTRY_TAIL_SIZE = 20;

/** What is wrong with a bundle or one of its modules. */
export type FrozenBundleErrorReason =
  | 'unreadable'
  | 'truncated'
  | 'bad-magic'
  | 'bad-version'
  | 'corrupt'
  | 'integrity'
  | 'bad-record';

/**
 * A frozen bundle (or one module in it) that cannot be used: missing or unreadable, cut short, not a
 * bundle or made by another transpiler (bad magic), another layout revision, a failed integrity check
 * or a damaged index. Names the bundle file (`path`) and, when one module is concerned, the module
 * (`moduleName`); its code is `ErrorCodes.FROZEN_BUNDLE` (`'ERR_IMPORTLIB_FROZEN_BUNDLE'`). The cure
 * is to freeze the modules again (`freeze` in `@importlib/hooks`) with this version of importlib.
 */
export class FrozenBundleError extends ImportError {
  /** What is wrong. */
  readonly reason: FrozenBundleErrorReason;

  constructor(message: string, reason: FrozenBundleErrorReason, options: ImportErrorOptions = {}) {
    super(message, options, ErrorCodes.FROZEN_BUNDLE);
    this.reason = reason;
  }

  override get name(): string {
    return 'FrozenBundleError';
  }
}

/** @internal Whether `text` is all ASCII (stored one byte a character). */
export function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x00-\x7f]/.test(text);
}
