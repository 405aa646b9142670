/**
 * The frozen-bundle file format: many modules' compiled code in one file (what Python's frozen
 * modules are to `.pyc` files). For each module: its name, whether it is a package, its transpiled
 * body (the CommonJS-style body the source loader runs), its source map, whether the body is async,
 * its original module name (`origname`) and its original file name.
 *
 * The bodies are stored as one **program**: a JavaScript array literal holding one function per
 * module (the module wrapper the source loader uses, `function (exports, require, module, __filename,
 * __dirname, import) {…}`, or `null` for an entry without code), in index order. The loader compiles
 * the program once, with one V8 code cache for the whole bundle, and calls a module's function when
 * the module is imported: one compile and one cache check for 2,000 modules instead of 2,000, as a
 * bundler's one-file output, while every module keeps its own module object, spec and import.
 *
 * File layout (little-endian): a 68-byte header, the index, the program text, the program's V8 code
 * cache, then the source maps.
 *
 * | offset | size | field                                                                      |
 * | -----: | ---: | -------------------------------------------------------------------------- |
 * |      0 |    8 | magic {@link BUNDLE_MAGIC} (`\x89FRZ\r\n\x1a\n`: catches text-mode copies)  |
 * |      8 |    4 | format version u32 ({@link BUNDLE_FORMAT_VERSION})                          |
 * |     12 |    4 | code magic: the compiled-cache magic of the transpiler that made the JS     |
 * |     16 |   16 | V8 runtime key of the process that made the V8 cache                        |
 * |     32 |    4 | module count u32                                                           |
 * |     36 |    4 | index length u32 (bytes)                                                   |
 * |     40 |    4 | CRC-32 of the index                                                        |
 * |     44 |    4 | program length u32 (bytes)                                                 |
 * |     48 |    4 | CRC-32 of the program                                                      |
 * |     52 |    4 | V8 cache length u32 (0 = none)                                             |
 * |     56 |    4 | CRC-32 of the V8 cache                                                     |
 * |     60 |    4 | flags u32: bit0 the program is UTF-16LE (else Latin-1, all ASCII)           |
 * |     64 |    4 | CRC-32 of bytes 0–63                                                       |
 * |     68 |    … | index, program, V8 cache, source maps                                      |
 *
 * Index entry: flags u8; name (u16 length + UTF-8); origname (u16 + UTF-8, only with bit7);
 * filename (u16 + UTF-8, only with bit6); then five u32: where the module's body starts in the
 * program and its length (in characters), its source map's offset in the maps section and length
 * (bytes, UTF-8), and the CRC-32 of the map. Flags: bit0 package, bit1 async body, bit2 excluded (no
 * code: Python's `code == NULL`), bit3 has a source map, bit6 has a file name, bit7 has an origname.
 *
 * Integrity: the header and the index are checked (CRC-32) when the bundle is opened, which reads
 * the file once and decodes nothing else; the program and the V8 cache are checked when the first
 * module is imported, before V8 or the compiler see a byte of them; a source map is checked when a
 * stack trace needs it. Together they cover every byte the reader uses. CRC-32 (zlib's, ~4 GB/s
 * here) detects damage, not tampering: a bundle is as trusted as any code file.
 */
import { ErrorCodes, ImportError, type ImportErrorOptions } from '@importlib/core';

import { MODULE_PARAMS } from '../transpile.js';

/** The 8 bytes every bundle starts with. */
export const BUNDLE_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x46, 0x52, 0x5a, 0x0d, 0x0a, 0x1a, 0x0a);
/** The revision of the bundle layout; a reader refuses any other. */
export const BUNDLE_FORMAT_VERSION = 2;
/** The size of the fixed header. */
export const BUNDLE_HEADER_SIZE = 68;
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
  programLength: 44,
  programCrc: 48,
  v8Length: 52,
  v8Crc: 56,
  flags: 60,
  headerCrc: 64,
} as const;

/** @internal Header flags. */
export const HEADER_FLAG = { programUtf16: 0b1 } as const;

/** @internal Index flags. */
export const FLAG = {
  package: 0b1,
  async: 0b10,
  excluded: 0b100,
  hasMap: 0b1000,
  hasFilename: 0b100_0000,
  hasOrigname: 0b1000_0000,
} as const;

/** @internal The fixed part at the end of each index entry: five u32. */
export const ENTRY_TAIL_SIZE = 20;

/**
 * @internal The parameters of a module function in the program: the same, in the same order, as the
 * source loader's module wrapper (`module-body.ts`), so a frozen body runs exactly as it would from source.
 */
export { MODULE_PARAMS };

/** @internal One module of a program: its body, or `null` when it has no code. */
export interface ProgramSlot {
  js: string | null;
  isAsync: boolean;
}

/**
 * @internal The program text of `slots`, and where each body starts in it (in characters). Functions
 * are not parenthesised, so V8 compiles each lazily, when its module is first imported.
 */
export function programText(slots: readonly ProgramSlot[]): { text: string; starts: number[] } {
  const parts: string[] = ['[\n'];
  const starts: number[] = [];
  let length = 2;
  for (const slot of slots) {
    if (slot.js === null || slot.js === '') {
      starts.push(length);
      parts.push('null,\n');
      length += 6;
      continue;
    }
    const head = `${slot.isAsync ? 'async ' : ''}function (${MODULE_PARAMS}) {`;
    starts.push(length + head.length);
    parts.push(head, slot.js, '\n},\n');
    length += head.length + slot.js.length + 4;
  }
  parts.push(']');
  return { text: parts.join(''), starts };
}

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
