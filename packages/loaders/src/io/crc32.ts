/**
 * CRC-32 (IEEE, as zlib and the zip format compute it): the checksum of compiled files, zip entries
 * and frozen bundles.
 */
import zlib from 'node:zlib';

/** CRC-32 of `data`, continuing from `value` (a running checksum). */
export type Crc32 = (data: Uint8Array, value?: number) => number;

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
