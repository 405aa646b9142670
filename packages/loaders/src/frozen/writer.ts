/**
 * Writing frozen bundles: {@link encodeBundle} lays records out in the format of `format.ts`;
 * {@link writeBundle} writes one atomically (a temporary file renamed over the target, so a failure
 * never leaves a half-written bundle).
 */
import { checkModuleName, ImportArgumentError } from '@importlib/core';

import { writeFileAtomic } from '../io/atomic-write.js';
import { textEncoding } from '../io/bytes.js';
import { crc32 } from '../io/crc32.js';
import { getMagic } from '../magic.js';
import { v8RuntimeKey } from '../v8-runtime-key.js';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  ENTRY_TAIL_SIZE,
  FLAG,
  HEADER_FLAG,
  OFFSET,
  programText,
} from './format.js';

/** One module of a bundle, as given to {@link encodeBundle}. */
export interface FrozenRecord {
  /** The module's full dotted name. */
  name: string;
  /** The module is a package (it gets `__path__`). */
  isPackage: boolean;
  /**
   * The transpiled body (what `transpile` gives), or `null` for an excluded entry: importing it raises
   * `ImportError('Excluded frozen object named …')`, as Python's `code == NULL` entries do.
   */
  js: string | null;
  /** The body awaits at top level (it runs as an async function, on the async import path only). */
  isAsync?: boolean;
  /** The source map of `js` (JSON), or `null`. */
  map?: string | null;
  /** The module's original name (Python's `origname`; differs from `name` for an alias), or `null`. */
  origname?: string | null;
  /** The file the module was frozen from (its `__file__`, and where stack traces point), or `null`. */
  filename?: string | null;
}

/** Options of {@link encodeBundle}. */
export interface EncodeBundleOptions {
  /**
   * V8's code cache of the bundle's program ({@link programOf}), or `null` for none. A cache made after
   * the modules ran covers the functions they called; one made right after compiling covers little.
   */
  v8?: Uint8Array | null;
  /**
   * The V8 runtime key the V8 cache was made under (default: this process's). A reader whose key
   * differs ignores the cache and compiles the program from its text.
   */
  runtimeKey?: Uint8Array;
  /** The code magic stamped on the bundle (default: this transpiler's compiled-cache magic). */
  codeMagic?: Uint8Array;
}

const MAX_U16 = 0xffff;
const MAX_U32 = 0xffff_ffff;

function shortString(value: string, what: string, name: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > MAX_U16) {
    throw new ImportArgumentError(`the ${what} of frozen module '${name}' is longer than ${MAX_U16} bytes`);
  }
  return bytes;
}

/**
 * The program of `records` (the text V8 compiles; see `format.ts`): what a V8 cache stored with
 * {@link encodeBundle} must have been made from, compiled with the bundle's file name.
 */
export function programOf(records: readonly FrozenRecord[]): string {
  return programText(records.map((r) => ({ js: r.js, isAsync: r.isAsync ?? false }))).text;
}

/**
 * Lay out `records` as a bundle. Throws `ImportArgumentError` for an invalid or repeated module
 * name, a string too long for the format, or a bundle over 4 GiB.
 */
export function encodeBundle(
  records: readonly FrozenRecord[],
  options: EncodeBundleOptions = {},
): Uint8Array {
  const runtimeKey = options.runtimeKey ?? v8RuntimeKey();
  const codeMagic = options.codeMagic ?? getMagic();
  if (runtimeKey.length !== 16) throw new ImportArgumentError('a V8 runtime key is 16 bytes');
  if (codeMagic.length !== 4) throw new ImportArgumentError('a code magic is 4 bytes');
  const seen = new Set<string>();
  for (const record of records) {
    checkModuleName(record.name);
    if (seen.has(record.name)) throw new ImportArgumentError(`frozen module '${record.name}' is given twice`);
    seen.add(record.name);
  }
  const program = programText(records.map((r) => ({ js: r.js, isAsync: r.isAsync ?? false })));
  const programUtf16 = textEncoding(program.text) === 'utf16le';
  const programBytes = Buffer.from(program.text, programUtf16 ? 'utf16le' : 'latin1');
  const v8 = options.v8
    ? Buffer.from(options.v8.buffer, options.v8.byteOffset, options.v8.byteLength)
    : Buffer.alloc(0);

  const index: Buffer[] = [];
  const maps: Buffer[] = [];
  let mapsLength = 0;
  records.forEach((record, i) => {
    let flags = 0;
    if (record.isPackage) flags |= FLAG.package;
    if (record.isAsync) flags |= FLAG.async;
    if (record.js === null) flags |= FLAG.excluded;
    const name = shortString(record.name, 'name', record.name);
    const origname = record.origname == null ? null : shortString(record.origname, 'origname', record.name);
    const filename = record.filename == null ? null : shortString(record.filename, 'file name', record.name);
    if (origname) flags |= FLAG.hasOrigname;
    if (filename) flags |= FLAG.hasFilename;
    const map = record.js !== null && record.map != null ? Buffer.from(record.map, 'utf8') : null;
    if (map) flags |= FLAG.hasMap;
    const head = Buffer.alloc(3);
    head.writeUInt8(flags, 0);
    head.writeUInt16LE(name.length, 1);
    index.push(head, name);
    for (const text of [origname, filename]) {
      if (text === null) continue;
      const length = Buffer.alloc(2);
      length.writeUInt16LE(text.length, 0);
      index.push(length, text);
    }
    const tail = Buffer.alloc(ENTRY_TAIL_SIZE);
    tail.writeUInt32LE(program.starts[i] ?? 0, 0);
    tail.writeUInt32LE(record.js?.length ?? 0, 4);
    tail.writeUInt32LE(map ? mapsLength : 0, 8);
    tail.writeUInt32LE(map?.length ?? 0, 12);
    tail.writeUInt32LE(map ? crc32(map) : 0, 16);
    index.push(tail);
    if (map) {
      maps.push(map);
      mapsLength += map.length;
    }
  });
  const indexBytes = Buffer.concat(index);
  const total = BUNDLE_HEADER_SIZE + indexBytes.length + programBytes.length + v8.length + mapsLength;
  if (total > MAX_U32) throw new ImportArgumentError('a frozen bundle cannot be larger than 4 GiB');
  const header = Buffer.alloc(BUNDLE_HEADER_SIZE);
  header.set(BUNDLE_MAGIC, 0);
  header.writeUInt32LE(BUNDLE_FORMAT_VERSION, OFFSET.version);
  header.set(codeMagic, OFFSET.codeMagic);
  header.set(runtimeKey, OFFSET.runtimeKey);
  header.writeUInt32LE(records.length, OFFSET.count);
  header.writeUInt32LE(indexBytes.length, OFFSET.indexLength);
  header.writeUInt32LE(crc32(indexBytes), OFFSET.indexCrc);
  header.writeUInt32LE(programBytes.length, OFFSET.programLength);
  header.writeUInt32LE(crc32(programBytes), OFFSET.programCrc);
  header.writeUInt32LE(v8.length, OFFSET.v8Length);
  header.writeUInt32LE(v8.length ? crc32(v8) : 0, OFFSET.v8Crc);
  header.writeUInt32LE(programUtf16 ? HEADER_FLAG.programUtf16 : 0, OFFSET.flags);
  header.writeUInt32LE(crc32(header.subarray(0, OFFSET.headerCrc)), OFFSET.headerCrc);
  const out = Buffer.concat([header, indexBytes, programBytes, v8, ...maps]);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Write `records` as a bundle at `path`, atomically (a failure leaves any previous file as it was).
 * Returns the bundle's size in bytes. Throws what {@link encodeBundle} throws, and the file system's
 * error when the file cannot be written.
 */
export function writeBundle(
  path: string,
  records: readonly FrozenRecord[],
  options: EncodeBundleOptions = {},
): number {
  const bytes = encodeBundle(records, options);
  writeFileAtomic(path, bytes, { mode: 0o644 });
  return bytes.length;
}
