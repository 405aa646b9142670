/**
 * Reading frozen bundles: {@link FrozenBundle} opens a bundle with one read of the file, checks its
 * header and index, and decodes a module's code only when it is asked for (checking that record's
 * CRC-32 first). No length or offset is trusted before it has been checked against the real size:
 * a damaged or hostile bundle gives a {@link FrozenBundleError}, never a crash, a hang or a read
 * outside the file.
 *
 * Must not import anything but `@importlib/core` and node built-ins.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

import { invalidNameReason } from '@importlib/core';

import { crc32, getMagic, v8RuntimeKey } from '../compiled-cache.js';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  ENTRY_TAIL_SIZE,
  FLAG,
  FrozenBundleError,
  OFFSET,
  type FrozenBundleErrorReason,
} from './format.js';

/** What the index says about one module of a bundle. */
export interface FrozenEntry {
  /** The module's full dotted name. */
  readonly name: string;
  /** The module is a package. */
  readonly isPackage: boolean;
  /** The body awaits at top level. */
  readonly isAsync: boolean;
  /** The entry has no code (Python's `code == NULL`): importing it is an `ImportError`. */
  readonly excluded: boolean;
  /** The entry's code is empty (Python's "…is invalid"). */
  readonly invalid: boolean;
  /** The original module name, or `null`. */
  readonly origname: string | null;
  /** The file the module was frozen from, or `null`. */
  readonly filename: string | null;
}

/** A module's decoded code. */
export interface FrozenCode {
  /** The transpiled body. */
  js: string;
  /** Its source map (JSON), or `null`. */
  map: string | null;
  /** V8's code cache, checked and made for this runtime; `null` when there is none or it is for another runtime. */
  v8: Uint8Array | null;
}

interface IndexEntry extends FrozenEntry {
  /** Absolute offset of the record in the file. */
  readonly start: number;
  readonly jsLength: number;
  readonly mapLength: number;
  readonly v8Length: number;
  readonly crc: number;
  readonly flags: number;
  /** The record's CRC was checked. */
  checked: boolean;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Tell whether the first bytes of `bytes` are a bundle's magic. */
export function hasBundleMagic(bytes: Uint8Array): boolean {
  if (bytes.length < BUNDLE_MAGIC.length) return false;
  for (let i = 0; i < BUNDLE_MAGIC.length; i++) if (bytes[i] !== BUNDLE_MAGIC[i]) return false;
  return true;
}

/**
 * Tell whether the file at `path` starts with a bundle's magic (reads 8 bytes; `false` for anything
 * that is not a readable file).
 */
export function isBundleFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = new Uint8Array(BUNDLE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && hasBundleMagic(head);
  } catch {
    return false; // a folder (EISDIR) or an unreadable file
  } finally {
    closeSync(fd);
  }
}

function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (a[aStart + i] !== b[i]) return false;
  return true;
}

/** An opened frozen bundle: its index, and each module's code on demand. */
export class FrozenBundle {
  /** The bundle file (absolute), or the name given to {@link FrozenBundle.fromBytes}. */
  readonly path: string;
  /** The bundle's size in bytes. */
  readonly size: number;
  /** The V8 caches in the bundle were made for this runtime (else they are ignored). */
  readonly v8Usable: boolean;
  /** The CRC-32 of the header: identifies this version of the file. */
  readonly headerCrc: number;
  readonly #bytes: Buffer;
  readonly #fromFile: boolean;
  readonly #entries = new Map<string, IndexEntry>();

  private constructor(bytes: Uint8Array, path: string, fromFile: boolean) {
    this.path = path;
    this.#fromFile = fromFile;
    this.#bytes = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.byteLength;
    const header = this.#readHeader();
    this.v8Usable = header.v8Usable;
    this.headerCrc = header.headerCrc;
    this.#readIndex(header.count, header.indexLength);
  }

  /**
   * Open the bundle at `path` (one read of the whole file). Throws {@link FrozenBundleError} when it
   * cannot be read or is not a usable bundle.
   */
  static read(path: string): FrozenBundle {
    const absolute = resolve(path);
    let bytes: Buffer;
    try {
      bytes = readFileSync(absolute);
    } catch (error) {
      throw new FrozenBundleError(
        `cannot read the frozen bundle '${absolute}': ${(error as Error).message}`,
        'unreadable',
        { path: absolute, cause: error },
      );
    }
    return new FrozenBundle(bytes, absolute, true);
  }

  /**
   * Open a bundle held in memory; `path` names it in errors and traces. Throws
   * {@link FrozenBundleError} when it is not a usable bundle.
   */
  static fromBytes(bytes: Uint8Array, path: string): FrozenBundle {
    return new FrozenBundle(bytes, path, false);
  }

  /** The names of the modules in the bundle, in the bundle's order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Tell whether the bundle has an entry (usable or not) for `name`. */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The index entry of `name`, or `undefined`. */
  entry(name: string): FrozenEntry | undefined {
    return this.#entries.get(name);
  }

  /**
   * The code of `name`, decoded (its record's CRC-32 is checked the first time). Throws
   * {@link FrozenBundleError} naming the module when its record fails the check or is not valid text,
   * or when the bundle has no code for it (no entry, excluded or empty: check {@link entry} first).
   */
  code(name: string): FrozenCode {
    const entry = this.#entries.get(name);
    if (!entry || entry.excluded || entry.invalid) {
      throw this.#error(`has no code for '${name}'`, 'bad-record', name);
    }
    const bytes = this.#bytes;
    const jsEnd = entry.start + entry.jsLength;
    const mapEnd = jsEnd + entry.mapLength;
    const end = mapEnd + entry.v8Length;
    if (!entry.checked) {
      if (crc32(bytes.subarray(entry.start, end)) !== entry.crc) {
        throw this.#error(
          `failed its integrity check for the module '${name}' (damaged record)`,
          'integrity',
          name,
        );
      }
      entry.checked = true;
    }
    const js = this.#text(entry.start, jsEnd, (entry.flags & FLAG.jsUtf16) !== 0, name);
    const map =
      entry.flags & FLAG.hasMap ? this.#text(jsEnd, mapEnd, (entry.flags & FLAG.mapUtf16) !== 0, name) : null;
    const v8 = this.v8Usable && entry.v8Length > 0 ? bytes.subarray(mapEnd, end) : null;
    return { js, map, v8 };
  }

  /**
   * A loader of the source map of `name` for stack traces (`registerSourceMap`). For a bundle read
   * from a file it reads the file again, only when a stack is formatted, and gives `null` when the
   * file changed since: the stack-trace registry is process-wide, and must not keep the bundle's bytes
   * alive after its import system is gone. For a bundle held in memory it keeps the bundle.
   */
  mapLoader(name: string): () => string | null {
    if (!this.#fromFile) return () => this.#mapOrNull(name);
    const { path, headerCrc } = this;
    return () => {
      try {
        const again = FrozenBundle.read(path);
        return again.headerCrc === headerCrc ? again.#mapOrNull(name) : null;
      } catch {
        return null;
      }
    };
  }

  #mapOrNull(name: string): string | null {
    try {
      return this.#entries.has(name) ? this.code(name).map : null;
    } catch {
      return null;
    }
  }

  toString(): string {
    return `<FrozenBundle '${this.path}'>`;
  }

  #error(
    detail: string,
    reason: FrozenBundleErrorReason,
    moduleName: string | null = null,
  ): FrozenBundleError {
    const message = `the frozen bundle '${this.path}' ${detail}; freeze the modules again`;
    return new FrozenBundleError(message, reason, { path: this.path, moduleName });
  }

  #text(start: number, end: number, utf16: boolean, name: string): string {
    const bytes = this.#bytes;
    // The record's CRC was checked: Latin-1 cannot fail, and an odd UTF-16 length is damage.
    if (!utf16) return bytes.toString('latin1', start, end);
    if ((end - start) % 2 !== 0) throw this.#error(`holds damaged text for '${name}'`, 'corrupt', name);
    return bytes.toString('utf16le', start, end);
  }

  #readHeader(): { count: number; indexLength: number; v8Usable: boolean; headerCrc: number } {
    const bytes = this.#bytes;
    if (!hasBundleMagic(bytes)) {
      if (bytes.length < BUNDLE_MAGIC.length && sameBytes(BUNDLE_MAGIC, 0, bytes)) {
        throw this.#error(`is cut short (${bytes.length} bytes)`, 'truncated');
      }
      throw this.#error('is not a frozen bundle (bad magic number)', 'bad-magic');
    }
    if (bytes.length < BUNDLE_HEADER_SIZE) {
      throw this.#error(`is cut short (${bytes.length} bytes)`, 'truncated');
    }
    const headerCrc = bytes.readUInt32LE(OFFSET.headerCrc);
    if (crc32(bytes.subarray(0, OFFSET.headerCrc)) !== headerCrc) {
      throw this.#error('failed its integrity check (damaged header)', 'integrity');
    }
    const version = bytes.readUInt32LE(OFFSET.version);
    if (version !== BUNDLE_FORMAT_VERSION) {
      throw this.#error(
        `has layout revision ${version}; this importlib reads revision ${BUNDLE_FORMAT_VERSION}`,
        'bad-version',
      );
    }
    if (!sameBytes(bytes, OFFSET.codeMagic, getMagic())) {
      throw this.#error('was made by another version of the transpiler (bad code magic)', 'bad-magic');
    }
    const count = bytes.readUInt32LE(OFFSET.count);
    const indexLength = bytes.readUInt32LE(OFFSET.indexLength);
    if (indexLength > bytes.length - BUNDLE_HEADER_SIZE) {
      throw this.#error(`is cut short (its index needs ${indexLength} bytes)`, 'truncated');
    }
    const index = bytes.subarray(BUNDLE_HEADER_SIZE, BUNDLE_HEADER_SIZE + indexLength);
    if (crc32(index) !== bytes.readUInt32LE(OFFSET.indexCrc)) {
      throw this.#error('failed its integrity check (damaged index)', 'integrity');
    }
    const v8Usable = sameBytes(bytes, OFFSET.runtimeKey, v8RuntimeKey());
    return { count, indexLength, v8Usable, headerCrc };
  }

  #readIndex(count: number, indexLength: number): void {
    const bytes = this.#bytes;
    const indexEnd = BUNDLE_HEADER_SIZE + indexLength;
    const dataLength = bytes.length - indexEnd;
    // Each entry takes at least 3 + 1 + 20 bytes: a count the index cannot hold is a damaged header.
    if (count > indexLength / (3 + 1 + ENTRY_TAIL_SIZE)) {
      throw this.#error(`says it holds ${count} modules but its index is too small`, 'corrupt');
    }
    let at = BUNDLE_HEADER_SIZE;
    const need = (n: number): void => {
      if (at + n > indexEnd) throw this.#error('has a damaged index (an entry runs past its end)', 'corrupt');
    };
    const string = (what: string): string => {
      need(2);
      const length = bytes.readUInt16LE(at);
      at += 2;
      need(length);
      try {
        return decoder.decode(bytes.subarray(at, (at += length)));
      } catch {
        throw this.#error(`has a damaged index (the ${what} is not UTF-8)`, 'corrupt');
      }
    };
    for (let i = 0; i < count; i++) {
      need(1);
      const flags = bytes.readUInt8(at);
      at += 1;
      const name = string('module name');
      const reason = invalidNameReason(name);
      if (reason !== null) throw this.#error(`has a damaged index (${reason})`, 'corrupt');
      if (this.#entries.has(name))
        throw this.#error(`has a damaged index ('${name}' twice)`, 'corrupt', name);
      const origname = flags & FLAG.hasOrigname ? string('origname') : null;
      const filename = flags & FLAG.hasFilename ? string('file name') : null;
      need(ENTRY_TAIL_SIZE);
      const offset = bytes.readUInt32LE(at);
      const jsLength = bytes.readUInt32LE(at + 4);
      const mapLength = bytes.readUInt32LE(at + 8);
      const v8Length = bytes.readUInt32LE(at + 12);
      const crc = bytes.readUInt32LE(at + 16);
      at += ENTRY_TAIL_SIZE;
      // Sums of u32 stay exact in a double: no overflow can wrap a range back inside the file.
      if (offset + jsLength + mapLength + v8Length > dataLength) {
        throw this.#error(`is cut short (the record of '${name}' runs past the end)`, 'truncated', name);
      }
      const excluded = (flags & FLAG.excluded) !== 0;
      this.#entries.set(name, {
        name,
        isPackage: (flags & FLAG.package) !== 0,
        isAsync: (flags & FLAG.async) !== 0,
        excluded,
        invalid: !excluded && jsLength === 0,
        origname,
        filename,
        start: indexEnd + offset,
        jsLength,
        mapLength,
        v8Length,
        crc,
        flags,
        checked: false,
      });
    }
    if (at !== indexEnd) throw this.#error('has a damaged index (bytes left over)', 'corrupt');
  }
}
