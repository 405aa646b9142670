/** Byte helpers shared by the binary formats (compiled files, frozen bundles). */

/** @internal Whether `a` holds the bytes of `b` from `aStart` on (bytes past `a`'s end never match). */
export function equalBytes(a: Uint8Array, aStart: number, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (a[aStart + i] !== b[i]) return false;
  return true;
}

/** @internal How a text section is stored: UTF-8 when it is ASCII (one byte a character), else UTF-16LE. */
export function textEncoding(text: string): 'utf8' | 'utf16le' {
  // UTF-8 takes one byte per UTF-16 unit exactly when every character is ASCII.
  return Buffer.byteLength(text, 'utf8') === text.length ? 'utf8' : 'utf16le';
}
