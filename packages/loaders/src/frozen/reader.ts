/**
 * Reading frozen bundles: {@link FrozenBundle} opens a bundle with one read of the file and checks
 * its header and index; the program is checked and decoded when the first module is imported, a
 * source map only when a stack trace needs it. No length or offset is trusted before it has been checked against the real size:
 * a damaged or hostile bundle gives a {@link FrozenBundleError}, never a crash, a hang or a read
 * outside the file.
 */
import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

import { equalBytes } from '../io/bytes.js';
import { crc32 } from '../io/crc32.js';
import { getMagic } from '../magic.js';
import { v8RuntimeKey } from '../v8-runtime-key.js';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  ENTRY_TAIL_SIZE,
  FLAG,
  FrozenBundleError,
  HEADER_FLAG,
  OFFSET,
  type FrozenBundleErrorReason,
} from './format.js';

/** What the index says about one module of a bundle. */
export interface FrozenEntry {
  /** The module's full dotted name. */
  readonly name: string;
  /** Its position in the bundle (and its function's in the program). */
  readonly slot: number;
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
}

/** The bundle's program, checked: what V8 compiles. */
export interface FrozenProgram {
  /** The program text (an array literal of module functions). */
  text: string;
  /** V8's code cache of the program, checked and made for this runtime; `null` when there is none or it is for another. */
  v8: Uint8Array | null;
}

interface IndexEntry extends FrozenEntry {
  /** Where the body starts in the program text, and its length (characters). */
  readonly bodyStart: number;
  readonly bodyLength: number;
  /** The map's absolute offset in the file, its length and CRC. */
  readonly mapStart: number;
  readonly mapLength: number;
  readonly mapCrc: number;
  readonly hasMap: boolean;
}

/** Tell whether the first bytes of `bytes` are a bundle's magic. */
export function hasBundleMagic(bytes: Uint8Array): boolean {
  return bytes.length >= BUNDLE_MAGIC.length && equalBytes(bytes, 0, BUNDLE_MAGIC);
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

/** Fill `buffer` from `fd`, from file position `from` (the file is read from `from` on). */
function readFully(fd: number, buffer: Buffer, from: number): void {
  let at = from;
  while (at < buffer.length) {
    const n = readSync(fd, buffer, at, buffer.length - at, at);
    if (n === 0) throw new Error(`the file ended after ${at} bytes`);
    at += n;
  }
}

/** An opened frozen bundle: its index, and its program and source maps on demand. */
export class FrozenBundle {
  /** The bundle file (absolute), or the name given to {@link FrozenBundle.fromBytes}. */
  readonly path: string;
  /** The bundle's size in bytes. */
  readonly size: number;
  /** The V8 cache in the bundle was made for this runtime (else it is ignored). */
  readonly v8Usable: boolean;
  /** The CRC-32 of the header: identifies this version of the file. */
  readonly headerCrc: number;
  readonly #bytes: Buffer;
  readonly #fromFile: boolean;
  readonly #entries = new Map<string, IndexEntry>();
  readonly #header: Header;
  #program: FrozenProgram | undefined;

  /** `bytes` is the file, or (from a file) its part before the source maps; `size` is the file's. */
  private constructor(bytes: Uint8Array, path: string, fromFile: boolean, size: number) {
    this.path = path;
    this.#fromFile = fromFile;
    this.#bytes = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = size;
    this.#header = this.#readHeader();
    this.v8Usable = this.#header.v8Usable;
    this.headerCrc = this.#header.headerCrc;
    this.#readIndex();
  }

  /**
   * Open the bundle at `path`: one read of everything but the source maps (read only when a stack
   * trace or {@link code} needs one). Throws {@link FrozenBundleError} when it cannot be read or is
   * not a usable bundle.
   */
  static read(path: string): FrozenBundle {
    const absolute = resolve(path);
    let bytes: Buffer;
    let size: number;
    let fd: number | undefined;
    try {
      fd = openSync(absolute, 'r');
      size = fstatSync(fd).size;
      const head = Buffer.allocUnsafe(Math.min(size, BUNDLE_HEADER_SIZE));
      readFully(fd, head, 0);
      // Everything up to the source maps, when the header says where they start; else the whole file
      // (the constructor then says what is wrong with it).
      let want = size;
      if (head.length === BUNDLE_HEADER_SIZE && hasBundleMagic(head)) {
        const mapsStart =
          BUNDLE_HEADER_SIZE +
          head.readUInt32LE(OFFSET.indexLength) +
          head.readUInt32LE(OFFSET.programLength) +
          head.readUInt32LE(OFFSET.v8Length);
        if (mapsStart <= size) want = mapsStart;
      }
      bytes = Buffer.allocUnsafe(want);
      head.copy(bytes, 0, 0, Math.min(head.length, want));
      if (want > head.length) readFully(fd, bytes, head.length);
    } catch (error) {
      throw new FrozenBundleError(
        `cannot read the frozen bundle '${absolute}': ${(error as Error).message}`,
        'unreadable',
        { path: absolute, cause: error },
      );
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return new FrozenBundle(bytes, absolute, true, size);
  }

  /**
   * Open a bundle held in memory; `path` names it in errors and traces. Throws
   * {@link FrozenBundleError} when it is not a usable bundle.
   */
  static fromBytes(bytes: Uint8Array, path: string): FrozenBundle {
    return new FrozenBundle(bytes, path, false, bytes.byteLength);
  }

  /** The names of the modules in the bundle, in the bundle's order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** How many modules the bundle holds. */
  get count(): number {
    return this.#entries.size;
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
   * The program (checked the first time: its CRC-32, and the V8 cache's), decoded once. Throws
   * {@link FrozenBundleError} when it fails its integrity check.
   */
  program(): FrozenProgram {
    if (this.#program) return this.#program;
    const { programStart, programLength, programCrc, programUtf16, v8Length, v8Crc, v8Usable } = this.#header;
    const bytes = this.#bytes;
    const programBytes = bytes.subarray(programStart, programStart + programLength);
    if (crc32(programBytes) !== programCrc) {
      throw this.#error('failed its integrity check (damaged code)', 'integrity');
    }
    let v8: Uint8Array | null = null;
    if (v8Usable && v8Length > 0) {
      const v8Start = programStart + programLength;
      const candidate = bytes.subarray(v8Start, v8Start + v8Length);
      // A damaged cache is only a slower start: V8 never sees it, and the text compiles without it.
      if (crc32(candidate) === v8Crc) v8 = candidate;
    }
    const text = bytes.toString(
      programUtf16 ? 'utf16le' : 'latin1',
      programStart,
      programStart + programLength,
    );
    this.#program = { text, v8 };
    return this.#program;
  }

  /**
   * The code of `name`: its body (a slice of the program) and its source map. Throws
   * {@link FrozenBundleError} naming the module when the bundle has no code for it (no entry,
   * excluded or empty: check {@link entry} first), or when the program or its map is damaged.
   */
  code(name: string): FrozenCode {
    const entry = this.#entries.get(name);
    if (!entry || entry.excluded || entry.invalid) {
      throw this.#error(`has no code for '${name}'`, 'bad-record', name);
    }
    const { text } = this.program();
    return { js: text.slice(entry.bodyStart, entry.bodyStart + entry.bodyLength), map: this.#map(entry) };
  }

  /**
   * A loader of the program's source map for stack traces (`registerSourceMap`): an index map with
   * one section per module that has a map, each naming the module's original file. For a bundle read
   * from a file it reads the file again, only when a stack is formatted, and gives `null` when the
   * file changed since: the stack-trace registry is process-wide and must not keep a bundle's bytes
   * alive after its import system is gone. For a bundle held in memory it keeps the bundle.
   */
  mapLoader(): () => string | null {
    if (!this.#fromFile) return () => this.#indexMap();
    const { path, headerCrc } = this;
    return () => {
      try {
        const again = FrozenBundle.read(path);
        return again.headerCrc === headerCrc ? again.#indexMap() : null;
      } catch {
        return null;
      }
    };
  }

  toString(): string {
    return `<FrozenBundle '${this.path}'>`;
  }

  #map(entry: IndexEntry): string | null {
    if (!entry.hasMap) return null;
    const end = entry.mapStart + entry.mapLength;
    const map = end <= this.#bytes.length ? this.#bytes.subarray(entry.mapStart, end) : this.#readMap(entry);
    if (crc32(map) !== entry.mapCrc) {
      throw this.#error(
        `failed its integrity check for the module '${entry.name}' (damaged source map)`,
        'integrity',
        entry.name,
      );
    }
    return map.toString('utf8');
  }

  /** A source map from the file (maps are not read when the bundle is opened). */
  #readMap(entry: IndexEntry): Buffer {
    const map = Buffer.alloc(entry.mapLength);
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'r');
      if (readSync(fd, map, 0, map.length, entry.mapStart) !== map.length)
        throw new Error('the file is shorter');
    } catch (error) {
      throw new FrozenBundleError(
        `cannot read the source map of '${entry.name}' from the frozen bundle '${this.path}': ${(error as Error).message}`,
        'unreadable',
        { path: this.path, moduleName: entry.name, cause: error },
      );
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return map;
  }

  /** The index source map of the program (`null` when it cannot be made). */
  #indexMap(): string | null {
    try {
      const { text } = this.program();
      // Line and column of each body start: one pass over the program.
      const entries = [...this.#entries.values()].filter((e) => e.hasMap && !e.excluded && !e.invalid);
      entries.sort((a, b) => a.bodyStart - b.bodyStart);
      const sections: unknown[] = [];
      let line = 0;
      let lineStart = 0;
      let at = 0;
      for (const entry of entries) {
        for (; at < entry.bodyStart; at++) {
          if (text.charCodeAt(at) === 10) {
            line++;
            lineStart = at + 1;
          }
        }
        const map = JSON.parse(this.#map(entry) as string) as Record<string, unknown>;
        map.sources = [entry.filename ?? `<frozen ${entry.name}>`];
        sections.push({ offset: { line, column: entry.bodyStart - lineStart }, map });
      }
      return JSON.stringify({ version: 3, sections });
    } catch {
      return null; // a damaged bundle only means unmapped frames
    }
  }

  #error(
    detail: string,
    reason: FrozenBundleErrorReason,
    moduleName: string | null = null,
  ): FrozenBundleError {
    const message = `the frozen bundle '${this.path}' ${detail}; freeze the modules again`;
    return new FrozenBundleError(message, reason, { path: this.path, moduleName });
  }

  #readHeader(): Header {
    const bytes = this.#bytes;
    if (!hasBundleMagic(bytes)) {
      if (bytes.length < BUNDLE_MAGIC.length && equalBytes(BUNDLE_MAGIC, 0, bytes)) {
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
    if (!equalBytes(bytes, OFFSET.codeMagic, getMagic())) {
      throw this.#error('was made by another version of the transpiler (bad code magic)', 'bad-magic');
    }
    const flags = bytes.readUInt32LE(OFFSET.flags);
    if ((flags & ~HEADER_FLAG.programUtf16) !== 0) {
      throw this.#error(`has unknown flags (0x${flags.toString(16)})`, 'corrupt');
    }
    const count = bytes.readUInt32LE(OFFSET.count);
    const indexLength = bytes.readUInt32LE(OFFSET.indexLength);
    const programLength = bytes.readUInt32LE(OFFSET.programLength);
    const v8Length = bytes.readUInt32LE(OFFSET.v8Length);
    // Sums of u32 stay exact in a double: no overflow can wrap a range back inside the file.
    const mapsStart = BUNDLE_HEADER_SIZE + indexLength + programLength + v8Length;
    if (mapsStart > bytes.length) {
      throw this.#error(`is cut short (${this.size} bytes, its sections need ${mapsStart})`, 'truncated');
    }
    const programUtf16 = (flags & HEADER_FLAG.programUtf16) !== 0;
    if (programUtf16 && programLength % 2 !== 0) throw this.#error('has a damaged program length', 'corrupt');
    const index = bytes.subarray(BUNDLE_HEADER_SIZE, BUNDLE_HEADER_SIZE + indexLength);
    if (crc32(index) !== bytes.readUInt32LE(OFFSET.indexCrc)) {
      throw this.#error('failed its integrity check (damaged index)', 'integrity');
    }
    return {
      count,
      indexLength,
      programStart: BUNDLE_HEADER_SIZE + indexLength,
      programLength,
      programCrc: bytes.readUInt32LE(OFFSET.programCrc),
      programUtf16,
      v8Length,
      v8Crc: bytes.readUInt32LE(OFFSET.v8Crc),
      v8Usable: equalBytes(bytes, OFFSET.runtimeKey, v8RuntimeKey()),
      mapsStart,
      headerCrc,
    };
  }

  #readIndex(): void {
    const { count, indexLength, programLength, programUtf16, mapsStart } = this.#header;
    const bytes = this.#bytes;
    const indexEnd = BUNDLE_HEADER_SIZE + indexLength;
    const programChars = programUtf16 ? programLength / 2 : programLength;
    const mapsLength = this.size - mapsStart;
    // Each entry takes at least 3 + 1 + 20 bytes: a count the index cannot hold is a damaged header.
    if (count > indexLength / (3 + 1 + ENTRY_TAIL_SIZE)) {
      throw this.#error(`says it holds ${count} modules but its index is too small`, 'corrupt');
    }
    let at = BUNDLE_HEADER_SIZE;
    const damaged = (why: string, name: string | null = null): FrozenBundleError =>
      this.#error(`has a damaged index (${why})`, 'corrupt', name);
    const need = (n: number): void => {
      if (at + n > indexEnd) throw damaged('an entry runs past its end');
    };
    // An all-ASCII index (the usual case) is decoded once and sliced: one string per name would cost
    // more than the rest of opening a 2,000-module bundle.
    const ascii = isAscii(bytes.subarray(BUNDLE_HEADER_SIZE, indexEnd));
    const indexText = ascii ? bytes.toString('latin1', BUNDLE_HEADER_SIZE, indexEnd) : '';
    const string = (): string => {
      need(2);
      const length = bytes.readUInt16LE(at);
      at += 2;
      need(length);
      // The index passed its CRC: text that is not UTF-8 can only be a hand-made bundle, and
      // decoding it with replacement characters cannot read outside the index.
      const text = ascii
        ? indexText.slice(at - BUNDLE_HEADER_SIZE, at - BUNDLE_HEADER_SIZE + length)
        : bytes.toString('utf8', at, at + length);
      at += length;
      return text;
    };
    for (let slot = 0; slot < count; slot++) {
      need(1);
      const flags = bytes.readUInt8(at);
      at += 1;
      // Names are not validated here (the writer did): an invalid name can never be asked for, since
      // the import system refuses invalid names before any finder sees them.
      const name = string();
      if (this.#entries.has(name)) throw damaged(`'${name}' twice`, name);
      const origname = flags & FLAG.hasOrigname ? string() : null;
      const filename = flags & FLAG.hasFilename ? string() : null;
      need(ENTRY_TAIL_SIZE);
      const bodyStart = bytes.readUInt32LE(at);
      const bodyLength = bytes.readUInt32LE(at + 4);
      const mapOffset = bytes.readUInt32LE(at + 8);
      const mapLength = bytes.readUInt32LE(at + 12);
      const mapCrc = bytes.readUInt32LE(at + 16);
      at += ENTRY_TAIL_SIZE;
      if (bodyStart + bodyLength > programChars)
        throw damaged(`the body of '${name}' runs past the program`, name);
      const hasMap = (flags & FLAG.hasMap) !== 0;
      if (hasMap && mapOffset + mapLength > mapsLength) {
        throw this.#error(`is cut short (the source map of '${name}' runs past the end)`, 'truncated', name);
      }
      const excluded = (flags & FLAG.excluded) !== 0;
      this.#entries.set(name, {
        name,
        slot,
        isPackage: (flags & FLAG.package) !== 0,
        isAsync: (flags & FLAG.async) !== 0,
        excluded,
        invalid: !excluded && bodyLength === 0,
        origname,
        filename,
        bodyStart,
        bodyLength,
        mapStart: mapsStart + mapOffset,
        mapLength,
        mapCrc,
        hasMap,
      });
    }
    if (at !== indexEnd) throw damaged('bytes left over');
  }
}

interface Header {
  count: number;
  indexLength: number;
  programStart: number;
  programLength: number;
  programCrc: number;
  programUtf16: boolean;
  v8Length: number;
  v8Crc: number;
  v8Usable: boolean;
  mapsStart: number;
  headerCrc: number;
}
