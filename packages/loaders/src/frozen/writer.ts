/**
 * Writing frozen bundles: {@link encodeBundle} lays records out in the format of `format.ts`;
 * {@link writeBundle} writes one atomically (a temporary file renamed over the target, so a failure
 * never leaves a half-written bundle).
 *
 * Must not import anything but `@importlib/core` and node built-ins.
 */
import { checkModuleName, ImportArgumentError } from '@importlib/core';

import { crc32, getMagic, v8RuntimeKey, writeFileAtomic } from '../compiled-cache.js';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  ENTRY_TAIL_SIZE,
  FLAG,
  isAscii,
  OFFSET,
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
  /** V8's code cache of the compiled body, or `null`. */
  v8?: Uint8Array | null;
  /** The module's original name (Python's `origname`; differs from `name` for an alias), or `null`. */
  origname?: string | null;
  /** The file the module was frozen from (its `__file__`, and where stack traces point), or `null`. */
  filename?: string | null;
}

/** Options of {@link encodeBundle}. */
export interface EncodeBundleOptions {
  /**
   * The V8 runtime key the records' V8 caches were made under (default: this process's). A reader
   * whose key differs ignores every V8 cache and runs the JS.
   */
  runtimeKey?: Uint8Array;
  /** The code magic stamped on the bundle (default: this transpiler's compiled-cache magic). */
  codeMagic?: Uint8Array;
}

const MAX_U16 = 0xffff;
const MAX_U32 = 0xffff_ffff;

function textBytes(text: string): { bytes: Buffer; utf16: boolean } {
  return isAscii(text)
    ? { bytes: Buffer.from(text, 'latin1'), utf16: false }
    : { bytes: Buffer.from(text, 'utf16le'), utf16: true };
}

function shortString(value: string, what: string, name: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > MAX_U16) {
    throw new ImportArgumentError(`the ${what} of frozen module '${name}' is longer than ${MAX_U16} bytes`);
  }
  return bytes;
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
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let dataLength = 0;
  for (const record of records) {
    checkModuleName(record.name);
    if (seen.has(record.name)) {
      throw new ImportArgumentError(`frozen module '${record.name}' is given twice`);
    }
    seen.add(record.name);
    let flags = 0;
    if (record.isPackage) flags |= FLAG.package;
    if (record.isAsync) flags |= FLAG.async;
    const name = shortString(record.name, 'name', record.name);
    const origname = record.origname == null ? null : shortString(record.origname, 'origname', record.name);
    const filename = record.filename == null ? null : shortString(record.filename, 'file name', record.name);
    if (origname) flags |= FLAG.hasOrigname;
    if (filename) flags |= FLAG.hasFilename;
    let js: Buffer = Buffer.alloc(0);
    let map: Buffer = Buffer.alloc(0);
    const v8 = record.js !== null && record.v8 ? Buffer.from(record.v8) : Buffer.alloc(0);
    if (record.js === null) {
      flags |= FLAG.excluded;
    } else {
      const encoded = textBytes(record.js);
      js = encoded.bytes;
      if (encoded.utf16) flags |= FLAG.jsUtf16;
      if (record.map != null) {
        const encodedMap = textBytes(record.map);
        map = encodedMap.bytes;
        flags |= FLAG.hasMap;
        if (encodedMap.utf16) flags |= FLAG.mapUtf16;
      }
    }
    const body = Buffer.concat([js, map, v8]);
    const head = Buffer.alloc(3);
    head.writeUInt8(flags, 0);
    head.writeUInt16LE(name.length, 1);
    const parts: Buffer[] = [head, name];
    for (const text of [origname, filename]) {
      if (text === null) continue;
      const length = Buffer.alloc(2);
      length.writeUInt16LE(text.length, 0);
      parts.push(length, text);
    }
    const tail = Buffer.alloc(ENTRY_TAIL_SIZE);
    tail.writeUInt32LE(dataLength, 0);
    tail.writeUInt32LE(js.length, 4);
    tail.writeUInt32LE(map.length, 8);
    tail.writeUInt32LE(v8.length, 12);
    tail.writeUInt32LE(crc32(body), 16);
    parts.push(tail);
    index.push(...parts);
    data.push(body);
    dataLength += body.length;
    if (dataLength > MAX_U32) throw new ImportArgumentError('a frozen bundle cannot hold more than 4 GiB');
  }
  const indexBytes = Buffer.concat(index);
  if (indexBytes.length > MAX_U32) throw new ImportArgumentError('the index of a frozen bundle is too large');
  const header = Buffer.alloc(BUNDLE_HEADER_SIZE);
  header.set(BUNDLE_MAGIC, 0);
  header.writeUInt32LE(BUNDLE_FORMAT_VERSION, OFFSET.version);
  header.set(codeMagic, OFFSET.codeMagic);
  header.set(runtimeKey, OFFSET.runtimeKey);
  header.writeUInt32LE(records.length, OFFSET.count);
  header.writeUInt32LE(indexBytes.length, OFFSET.indexLength);
  header.writeUInt32LE(crc32(indexBytes), OFFSET.indexCrc);
  header.writeUInt32LE(crc32(header.subarray(0, OFFSET.headerCrc)), OFFSET.headerCrc);
  const out = Buffer.concat([header, indexBytes, ...data]);
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
