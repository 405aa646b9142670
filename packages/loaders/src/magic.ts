/**
 * The magic number of compiled files (Python's `MAGIC_NUMBER` and `PyImport_GetMagicNumber`): which
 * revision of the file layout and which transpiler made a file. A file with another magic is
 * rebuilt, so a new swc version or layout never runs old code.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

import { MAGIC_TAG } from './cache-paths.js';
import { TRANSFORM_REVISION } from './transpile.js';

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

/** @internal The magic number, not copied: for the format's encoder, decoder and source hash. */
export function currentMagic(): Uint8Array {
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
