// The compiled-cache file (docs/conformance.md#compiled-cache; CPython `_classify_pyc`,
// `_validate_timestamp_pyc`, `_validate_hash_pyc`, `_write_atomic`): (header, magic, flags,
// validation, source hash, freshness under check_hash_based_pycs, atomic writes), plus the V8
// code-cache guard.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ErrorCodes, ImportArgumentError, ImportError } from '@importlib/core';

import {
  CompiledCacheError,
  decodeCompiled,
  encodeCompiled,
  HEADER_SIZE,
  isFresh,
  sourceHash,
  type CompiledCacheErrorReason,
  type CompiledRecord,
  type DecodedCompiled,
} from '../src/compiled-cache.js';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import { crc32, crc32Fallback } from '../src/io/crc32.js';
import { getMagic, getMagicNumber, getTranspilerId, magicFor } from '../src/magic.js';
import {
  runtimeKeyFor,
  splitNodeOptions,
  v8OptionsIn,
  v8RuntimeKey,
  type RuntimeDescription,
} from '../src/v8-runtime-key.js';
import { TRANSFORM_REVISION } from '../src/transpile.js';
import { childEnv, childFlags, runNode, SLOW_UNDER_LOAD } from './helpers.js';

const context = { name: 'pkg.mod', path: '/proj/pkg/__pycache__/mod.ts.importlib-1.jsc' };

// The layout, written out again here so the tests pin it independently of the implementation.
const OFFSET = { flags: 4, stamp: 8, jsLength: 24, mapLength: 28, v8Length: 32, v8Crc: 36, key: 40, crc: 56 };

function timestampRecord(overrides: Partial<CompiledRecord> = {}): CompiledRecord {
  return {
    invalidation: 'timestamp',
    sourceMtimeMs: 1_700_000_000_123.25,
    sourceSize: 321,
    isAsync: false,
    js: 'exports.answer = 42;\n',
    map: '{"version":3,"mappings":""}',
    v8: Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff),
    ...overrides,
  };
}

function hashRecord(invalidation: 'checked-hash' | 'unchecked-hash', source: string): CompiledRecord {
  return {
    invalidation,
    sourceHash: sourceHash(Buffer.from(source)),
    isAsync: false,
    js: source,
    map: null,
    v8: null,
  };
}

/** A decoded record with plain `Uint8Array`s, comparable with `toEqual`. */
function plain(decoded: DecodedCompiled): CompiledRecord & { v8Rejected: boolean } {
  return { ...decoded, v8: decoded.v8 === null ? null : new Uint8Array(decoded.v8) };
}

/** What encode → decode should give back for a record. */
function expected(record: CompiledRecord): CompiledRecord & { v8Rejected: boolean } {
  const base = { isAsync: record.isAsync, js: record.js, map: record.map };
  const v8 = record.v8 === null || record.v8.length === 0 ? null : new Uint8Array(record.v8);
  return record.invalidation === 'timestamp'
    ? {
        invalidation: 'timestamp',
        sourceMtimeMs: record.sourceMtimeMs as number,
        sourceSize: record.sourceSize as number,
        ...base,
        v8,
        v8Rejected: false,
      }
    : {
        invalidation: record.invalidation,
        sourceHash: new Uint8Array(record.sourceHash as Uint8Array),
        ...base,
        v8,
        v8Rejected: false,
      };
}

/** A copy of `bytes` with the header checksum recomputed, so a test reaches the checks behind it. */
function reseal(bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes);
  const end = Math.min(
    b.length,
    HEADER_SIZE + b.readUInt32LE(OFFSET.jsLength) + b.readUInt32LE(OFFSET.mapLength),
  );
  b.writeUInt32LE(
    zlib.crc32(b.subarray(HEADER_SIZE, end), zlib.crc32(b.subarray(0, OFFSET.crc))),
    OFFSET.crc,
  );
  return b;
}

function decodeError(bytes: Uint8Array): CompiledCacheError {
  try {
    decodeCompiled(bytes, context);
  } catch (error) {
    expect(error).toBeInstanceOf(CompiledCacheError);
    return error as CompiledCacheError;
  }
  throw new Error('expected decodeCompiled to throw');
}

function reasonOf(bytes: Uint8Array): CompiledCacheErrorReason {
  return decodeError(bytes).reason;
}

/** Decodes or throws a CompiledCacheError; anything else fails the property. */
function decodeOrCacheError(bytes: Uint8Array): void {
  try {
    decodeCompiled(bytes, context);
  } catch (error) {
    if (!(error instanceof CompiledCacheError)) throw error;
  }
}

describe('the magic number (MAGIC_NUMBER)', () => {
  it('is 4 bytes ending in \\r\\n', () => {
    const magic = getMagic();
    expect(magic.length).toBe(4);
    expect([magic[2], magic[3]]).toEqual([0x0d, 0x0a]);
  });

  it('is reported by getMagicNumber as the little-endian u32 of its bytes', () => {
    expect(getMagicNumber()).toBe(Buffer.from(getMagic()).readUInt32LE(0));
  });

  it("is made from the version of the installed @swc/core and this package's transform revision", () => {
    const { version } = createRequire(import.meta.url)('@swc/core/package.json') as { version: string };
    expect(getTranspilerId()).toBe(`swc-${version}+r${TRANSFORM_REVISION}`);
    expect(getMagic()).toEqual(magicFor(`swc-${version}+r${TRANSFORM_REVISION}`));
  });

  it('changes when the transpiler version changes', () => {
    expect(magicFor('swc-1.16.22')).not.toEqual(magicFor('swc-1.16.23'));
  });

  it('changes when the format version changes', () => {
    expect(magicFor('swc-1.16.22', 1)).not.toEqual(magicFor('swc-1.16.22', 2));
  });

  it('is handed out as a copy that callers cannot damage', () => {
    const magic = getMagic();
    magic[0] = (magic[0] ?? 0) ^ 0xff;
    expect(getMagic()).not.toEqual(magic);
    expect(decodeCompiled(encodeCompiled(timestampRecord()), context).js).toBe(timestampRecord().js);
  });
});

describe('the header layout (_code_to_timestamp_pyc)', () => {
  it('starts with the magic, then the flags, then the timestamp stamp as two f64s', () => {
    const bytes = Buffer.from(encodeCompiled(timestampRecord({ isAsync: true })));
    expect(new Uint8Array(bytes.subarray(0, 4))).toEqual(getMagic());
    expect(bytes.readUInt32LE(OFFSET.flags)).toBe(0b1100); // async body, has a map
    expect(bytes.readDoubleLE(OFFSET.stamp)).toBe(1_700_000_000_123.25);
    expect(bytes.readDoubleLE(OFFSET.stamp + 8)).toBe(321);
  });

  it('sets bit0 for an unchecked hash file and bits 0 and 1 for a checked one, with the hash as stamp', () => {
    const unchecked = Buffer.from(encodeCompiled(hashRecord('unchecked-hash', 'x')));
    const checked = Buffer.from(encodeCompiled(hashRecord('checked-hash', 'x')));
    expect(unchecked.readUInt32LE(OFFSET.flags)).toBe(0b01);
    expect(checked.readUInt32LE(OFFSET.flags)).toBe(0b11);
    expect(new Uint8Array(checked.subarray(OFFSET.stamp, OFFSET.stamp + 16))).toEqual(
      sourceHash(Buffer.from('x')),
    );
  });

  it('stores the section lengths, the V8 checksum and the runtime key, then JS, map and V8 bytes in order', () => {
    const record = timestampRecord({ js: 'x=1;', map: '{}' });
    const bytes = Buffer.from(encodeCompiled(record));
    const v8 = record.v8 as Uint8Array;
    expect(bytes.readUInt32LE(OFFSET.jsLength)).toBe(4);
    expect(bytes.readUInt32LE(OFFSET.mapLength)).toBe(2);
    expect(bytes.readUInt32LE(OFFSET.v8Length)).toBe(v8.length);
    expect(bytes.readUInt32LE(OFFSET.v8Crc)).toBe(zlib.crc32(v8));
    expect(new Uint8Array(bytes.subarray(OFFSET.key, OFFSET.key + 16))).toEqual(v8RuntimeKey());
    expect(bytes.subarray(HEADER_SIZE, HEADER_SIZE + 6).toString('latin1')).toBe('x=1;{}');
    expect(new Uint8Array(bytes.subarray(HEADER_SIZE + 6))).toEqual(v8);
    expect(bytes.length).toBe(HEADER_SIZE + 6 + v8.length);
  });

  it('stores non-ASCII JS as UTF-16LE and says so in bit4', () => {
    const bytes = Buffer.from(encodeCompiled(timestampRecord({ js: 'é;', map: '{}' })));
    expect(bytes.readUInt32LE(OFFSET.flags)).toBe(0b1_1000);
    expect(bytes.readUInt32LE(OFFSET.jsLength)).toBe(4);
    expect(bytes.subarray(HEADER_SIZE, HEADER_SIZE + 4).toString('utf16le')).toBe('é;');
  });

  it('stores a non-ASCII source map as UTF-16LE and says so in bit5', () => {
    const bytes = Buffer.from(encodeCompiled(timestampRecord({ js: 'x;', map: '"→"' })));
    expect(bytes.readUInt32LE(OFFSET.flags)).toBe(0b10_1000);
    expect(bytes.readUInt32LE(OFFSET.mapLength)).toBe(6);
    expect(bytes.subarray(HEADER_SIZE + 2, HEADER_SIZE + 8).toString('utf16le')).toBe('"→"');
  });

  it('ends the header with a CRC-32 of the header before it and of the JS and map sections', () => {
    const bytes = Buffer.from(encodeCompiled(timestampRecord()));
    expect(reseal(bytes).equals(bytes)).toBe(true);
  });
});

describe('round trips', () => {
  it('gives back a timestamp record with its map and V8 bytes', () => {
    const record = timestampRecord();
    expect(plain(decodeCompiled(encodeCompiled(record), context))).toEqual(expected(record));
  });

  it('gives back a checked-hash record', () => {
    const record = hashRecord('checked-hash', 'export const x = 1;');
    expect(plain(decodeCompiled(encodeCompiled(record), context))).toEqual(expected(record));
  });

  it('gives back an unchecked-hash record', () => {
    const record = hashRecord('unchecked-hash', 'export const x = 1;');
    expect(plain(decodeCompiled(encodeCompiled(record), context))).toEqual(expected(record));
  });

  it('gives back the async-body flag', () => {
    const decoded = decodeCompiled(encodeCompiled(timestampRecord({ isAsync: true })), context);
    expect(decoded.isAsync).toBe(true);
  });

  it('tells an empty source map from no source map', () => {
    expect(decodeCompiled(encodeCompiled(timestampRecord({ map: '' })), context).map).toBe('');
    expect(decodeCompiled(encodeCompiled(timestampRecord({ map: null })), context).map).toBeNull();
  });

  it('gives back empty JS', () => {
    expect(decodeCompiled(encodeCompiled(timestampRecord({ js: '' })), context).js).toBe('');
  });

  it('gives back non-ASCII text and lone surrogates exactly', () => {
    const record = timestampRecord({ js: 'const s = "naïve — 你好 😀 \uD800";', map: '{"x":"\uDC00é"}' });
    const decoded = decodeCompiled(encodeCompiled(record), context);
    expect(decoded.js).toBe(record.js);
    expect(decoded.map).toBe(record.map);
  });

  it('keeps a byte-order mark at the start of the JS', () => {
    expect(decodeCompiled(encodeCompiled(timestampRecord({ js: '\uFEFFx;' })), context).js).toBe('\uFEFFx;');
  });

  it('stores an empty V8 cache as none', () => {
    const decoded = decodeCompiled(encodeCompiled(timestampRecord({ v8: new Uint8Array(0) })), context);
    expect(decoded.v8).toBeNull();
    expect(decoded.v8Rejected).toBe(false);
  });

  it('hands out the V8 bytes as a view of the input, not a copy', () => {
    const bytes = encodeCompiled(timestampRecord());
    const decoded = decodeCompiled(bytes, context);
    expect(decoded.v8?.buffer).toBe(bytes.buffer);
  });

  it('reads a plain Uint8Array view at an offset inside a larger buffer', () => {
    const encoded = encodeCompiled(timestampRecord());
    const backing = new Uint8Array(encoded.length + 13);
    backing.set(encoded, 7);
    const view = backing.subarray(7, 7 + encoded.length);
    expect(plain(decodeCompiled(view, context))).toEqual(expected(timestampRecord()));
  });

  it('gives back any record it encoded', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      // Any UTF-16 unit, lone surrogates included.
      fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
        maxLength: 60,
      }),
    );
    const common = {
      isAsync: fc.boolean(),
      js: text,
      map: fc.option(text, { nil: null }),
      v8: fc.option(fc.uint8Array({ minLength: 1, maxLength: 100 }), { nil: null }),
    };
    const record: fc.Arbitrary<CompiledRecord> = fc.oneof(
      fc.record({
        invalidation: fc.constant('timestamp' as const),
        sourceMtimeMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
        sourceSize: fc.maxSafeNat(),
        ...common,
      }),
      fc.record({
        invalidation: fc.constantFrom('checked-hash' as const, 'unchecked-hash' as const),
        sourceHash: fc.uint8Array({ minLength: 16, maxLength: 16 }),
        ...common,
      }),
    );
    fc.assert(
      fc.property(record, (r) => {
        expect(plain(decodeCompiled(encodeCompiled(r), context))).toEqual(expected(r));
      }),
      { numRuns: 500 },
    );
  });
});

describe('encodeCompiled refuses records it cannot write', () => {
  it('refuses a timestamp record without an mtime', () => {
    expect(() => encodeCompiled(timestampRecord({ sourceMtimeMs: undefined }))).toThrow(ImportArgumentError);
  });

  it('refuses a timestamp record with a fractional size', () => {
    expect(() => encodeCompiled(timestampRecord({ sourceSize: 1.5 }))).toThrow(ImportArgumentError);
  });

  it('refuses a hash-based record whose hash is not 16 bytes', () => {
    const record = { ...hashRecord('checked-hash', 'x'), sourceHash: new Uint8Array(8) };
    expect(() => encodeCompiled(record)).toThrow(ImportArgumentError);
  });

  it('refuses an unknown invalidation mode', () => {
    const record = { ...timestampRecord(), invalidation: 'sometimes' as unknown as 'timestamp' };
    expect(() => encodeCompiled(record)).toThrow(ImportArgumentError);
  });

  it('refuses a runtime key that is not 16 bytes', () => {
    expect(() => encodeCompiled(timestampRecord(), { runtimeKey: new Uint8Array(4) })).toThrow(
      ImportArgumentError,
    );
  });
});

describe('reading a damaged file (_classify_pyc, SourceLoader.get_code: recompile, _compile_bytecode)', () => {
  const good = (): Buffer => Buffer.from(encodeCompiled(timestampRecord()));

  it('calls an empty file truncated', () => {
    expect(reasonOf(new Uint8Array(0))).toBe('truncated');
  });

  it('calls a file shorter than the magic number truncated', () => {
    expect(reasonOf(good().subarray(0, 3))).toBe('truncated');
  });

  it('calls a file with another magic number bad-magic', () => {
    const bytes = good();
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(reasonOf(bytes)).toBe('bad-magic');
  });

  it('calls a file made by another transpiler version bad-magic', () => {
    const bytes = good();
    bytes.set(magicFor('swc-0.0.1'), 0);
    expect(reasonOf(reseal(bytes))).toBe('bad-magic');
  });

  it('calls a good magic number followed by a short header truncated', () => {
    expect(reasonOf(good().subarray(0, HEADER_SIZE - 1))).toBe('truncated');
  });

  it('calls unknown flag bits bad-flags', () => {
    for (const bit of [0b100_0000, 0x8000_0000]) {
      const bytes = good();
      bytes.writeUInt32LE((bytes.readUInt32LE(OFFSET.flags) | bit) >>> 0, OFFSET.flags);
      expect(reasonOf(reseal(bytes))).toBe('bad-flags');
    }
  });

  it('calls check-source without hash-based bad-flags', () => {
    const bytes = good();
    bytes.writeUInt32LE(0b1010, OFFSET.flags);
    expect(reasonOf(reseal(bytes))).toBe('bad-flags');
  });

  it('calls a file cut inside its body truncated', () => {
    const bytes = good();
    expect(reasonOf(bytes.subarray(0, bytes.length - 1))).toBe('truncated');
    expect(reasonOf(bytes.subarray(0, HEADER_SIZE))).toBe('truncated');
  });

  it('calls bytes after the last section corrupt', () => {
    expect(reasonOf(Buffer.concat([good(), Buffer.from([0])]))).toBe('corrupt');
  });

  it('calls a length field that points far past the end truncated, without believing it', () => {
    for (const field of [OFFSET.jsLength, OFFSET.mapLength, OFFSET.v8Length]) {
      const bytes = good();
      bytes.writeUInt32LE(0xffff_ffff, field);
      expect(reasonOf(reseal(bytes))).toBe('truncated');
    }
  });

  it('calls lengths that do not add up to the file size corrupt even when each fits', () => {
    const bytes = good();
    bytes.writeUInt32LE(bytes.readUInt32LE(OFFSET.jsLength) - 1, OFFSET.jsLength);
    expect(reasonOf(reseal(bytes))).toBe('corrupt');
  });

  it('calls a map section without the map flag corrupt', () => {
    const bytes = good();
    bytes.writeUInt32LE(bytes.readUInt32LE(OFFSET.flags) & ~0b1000, OFFSET.flags);
    expect(reasonOf(reseal(bytes))).toBe('corrupt');
  });

  it('calls a flipped byte in the JS section corrupt', () => {
    const bytes = good();
    bytes[HEADER_SIZE] = (bytes[HEADER_SIZE] ?? 0) ^ 0x20;
    expect(reasonOf(bytes)).toBe('corrupt');
  });

  it('calls a flipped byte in the source map corrupt', () => {
    const bytes = good();
    const mapStart = HEADER_SIZE + bytes.readUInt32LE(OFFSET.jsLength);
    bytes[mapStart + 1] = (bytes[mapStart + 1] ?? 0) ^ 0x01;
    expect(reasonOf(bytes)).toBe('corrupt');
  });

  it('calls a changed source stamp corrupt', () => {
    const bytes = good();
    bytes.writeDoubleLE(5, OFFSET.stamp);
    expect(reasonOf(bytes)).toBe('corrupt');
  });

  it('calls a changed V8 checksum field corrupt, since the header checksum covers it', () => {
    const bytes = good();
    bytes.writeUInt32LE((bytes.readUInt32LE(OFFSET.v8Crc) ^ 1) >>> 0, OFFSET.v8Crc);
    expect(reasonOf(bytes)).toBe('corrupt');
  });

  it('calls a changed runtime key corrupt, since the header checksum covers it', () => {
    const bytes = good();
    bytes[OFFSET.key] = (bytes[OFFSET.key] ?? 0) ^ 1;
    expect(reasonOf(bytes)).toBe('corrupt');
  });

  it('calls invalid UTF-8 in the JS corrupt even with a matching checksum', () => {
    const bytes = good();
    bytes[HEADER_SIZE] = 0xff;
    expect(reasonOf(reseal(bytes))).toBe('corrupt');
  });

  it('calls an odd-length UTF-16 section corrupt even with a matching checksum', () => {
    const bytes = Buffer.from(encodeCompiled(timestampRecord({ js: 'é;' })));
    bytes.writeUInt32LE(bytes.readUInt32LE(OFFSET.jsLength) - 1, OFFSET.jsLength);
    bytes.writeUInt32LE(bytes.readUInt32LE(OFFSET.mapLength) + 1, OFFSET.mapLength);
    expect(reasonOf(reseal(bytes))).toBe('corrupt');
  });

  it('calls an impossible source size corrupt even with a matching checksum', () => {
    const bytes = good();
    bytes.writeDoubleLE(Number.NaN, OFFSET.stamp + 8);
    expect(reasonOf(reseal(bytes))).toBe('corrupt');
  });

  it('throws an ImportError with a stable code that names the module and the file', () => {
    const error = decodeError(new Uint8Array(0));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe(ErrorCodes.BAD_COMPILED);
    expect(error.code).toBe('ERR_IMPORTLIB_BAD_COMPILED');
    expect(error.name).toBe('CompiledCacheError');
    expect(error.moduleName).toBe('pkg.mod');
    expect(error.path).toBe(context.path);
    expect(error.message).toContain("'pkg.mod'");
    expect(error.message).toContain(context.path);
  });

  it('detects every single changed byte before the V8 section', () => {
    const bytes = good();
    const v8Start = bytes.length - bytes.readUInt32LE(OFFSET.v8Length);
    fc.assert(
      fc.property(fc.nat({ max: v8Start - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const damaged = Buffer.from(bytes);
        damaged[at] = (damaged[at] ?? 0) ^ xor;
        expect(() => decodeCompiled(damaged, context)).toThrow(CompiledCacheError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the V8 section is checked before anyone sees it', () => {
  it('drops V8 bytes with a flipped byte and says so', () => {
    const bytes = Buffer.from(encodeCompiled(timestampRecord()));
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0x40;
    const decoded = decodeCompiled(bytes, context);
    expect(decoded.v8).toBeNull();
    expect(decoded.v8Rejected).toBe(true);
    expect(decoded.js).toBe(timestampRecord().js);
  });

  it('drops V8 bytes stamped with another runtime key and says so', () => {
    const otherKey = v8RuntimeKey().map((b) => b ^ 0xff);
    const decoded = decodeCompiled(encodeCompiled(timestampRecord(), { runtimeKey: otherKey }), context);
    expect(decoded.v8).toBeNull();
    expect(decoded.v8Rejected).toBe(true);
  });

  it('does not report a rejection when there were no V8 bytes', () => {
    const otherKey = v8RuntimeKey().map((b) => b ^ 0xff);
    const decoded = decodeCompiled(
      encodeCompiled(timestampRecord({ v8: null }), { runtimeKey: otherKey }),
      context,
    );
    expect(decoded.v8Rejected).toBe(false);
  });

  it('rejects V8 bytes with any single changed byte', () => {
    const bytes = Buffer.from(encodeCompiled(timestampRecord()));
    const v8Start = bytes.length - bytes.readUInt32LE(OFFSET.v8Length);
    fc.assert(
      fc.property(
        fc.integer({ min: v8Start, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, xor) => {
          const damaged = Buffer.from(bytes);
          damaged[at] = (damaged[at] ?? 0) ^ xor;
          const decoded = decodeCompiled(damaged, context);
          expect(decoded.v8Rejected).toBe(true);
          expect(decoded.v8).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decoding never does anything but decode or throw CompiledCacheError', () => {
  it('holds for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => decodeOrCacheError(bytes)),
      {
        numRuns: 2000,
      },
    );
  });

  it('holds for random bytes behind the right magic number', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) =>
        decodeOrCacheError(Buffer.concat([getMagic(), tail])),
      ),
      { numRuns: 2000 },
    );
  });

  it(
    'holds for valid files with random damage, resealed or not',
    () => {
      const damage = fc.oneof(
        fc.record({
          kind: fc.constant('flip' as const),
          at: fc.nat(),
          xor: fc.integer({ min: 1, max: 255 }),
        }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({
          kind: fc.constant('append' as const),
          bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }),
        }),
        fc.record({
          kind: fc.constant('u32' as const),
          field: fc.constantFrom(
            OFFSET.flags,
            OFFSET.jsLength,
            OFFSET.mapLength,
            OFFSET.v8Length,
            OFFSET.v8Crc,
          ),
          value: fc.nat({ max: 0xffff_ffff }),
        }),
      );
      const source = fc.record({
        js: fc.string({ unit: 'binary', maxLength: 40 }),
        map: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
        v8: fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: null }),
      });
      fc.assert(
        fc.property(
          source,
          fc.array(damage, { minLength: 1, maxLength: 4 }),
          fc.boolean(),
          (parts, damages, seal) => {
            let bytes = Buffer.from(encodeCompiled(timestampRecord(parts)));
            for (const d of damages) {
              if (d.kind === 'flip' && bytes.length > 0) {
                const at = d.at % bytes.length;
                bytes[at] = (bytes[at] ?? 0) ^ d.xor;
              } else if (d.kind === 'cut') {
                bytes = bytes.subarray(0, d.at % (bytes.length + 1));
              } else if (d.kind === 'append') {
                bytes = Buffer.concat([bytes, d.bytes]);
              } else if (d.kind === 'u32' && bytes.length >= HEADER_SIZE) {
                bytes.writeUInt32LE(d.value, d.field);
              }
            }
            decodeOrCacheError(seal && bytes.length >= HEADER_SIZE ? reseal(bytes) : bytes);
          },
        ),
        { numRuns: 1000 },
      );
    },
    SLOW_UNDER_LOAD,
  );
});

describe('checksums', () => {
  it('computes the standard CRC-32 check value in the fallback', () => {
    expect(crc32Fallback(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('gives the same CRC-32 in the fallback as zlib, also when continuing from a value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.nat({ max: 0xffff_ffff }), (data, start) => {
        expect(crc32Fallback(data)).toBe(zlib.crc32(data));
        expect(crc32Fallback(data, start)).toBe(zlib.crc32(data, start));
        expect(crc32(data, start)).toBe(zlib.crc32(data, start));
      }),
    );
  });
});

describe('sourceHash', () => {
  it('is 16 bytes', () => {
    expect(sourceHash(Buffer.from('x')).length).toBe(16);
  });

  it('is SHA-256 of the magic number and the source, truncated', () => {
    const expectedHash = createHash('sha256').update(getMagic()).update('source').digest().subarray(0, 16);
    expect(sourceHash(Buffer.from('source'))).toEqual(new Uint8Array(expectedHash));
  });

  it('differs for sources of the same length', () => {
    expect(sourceHash(Buffer.from('a = 1'))).not.toEqual(sourceHash(Buffer.from('a = 2')));
  });
});

describe('isFresh (_validate_timestamp_pyc, check_hash_based_pycs, SourceLoader.get_code: unchecked hash)', () => {
  const stat = { mtimeMs: 1_700_000_000_123.25, size: 321 };
  const never = (): Uint8Array => {
    throw new Error('the source must not be read');
  };

  it('calls a timestamp record fresh when mtime and size match, without reading the source', () => {
    expect(isFresh(timestampRecord(), stat, never)).toBe(true);
  });

  it('calls a timestamp record stale when the mtime differs', () => {
    expect(isFresh(timestampRecord(), { ...stat, mtimeMs: stat.mtimeMs + 1 }, never)).toBe(false);
  });

  it('calls a timestamp record stale when the size differs', () => {
    expect(isFresh(timestampRecord(), { ...stat, size: 322 }, never)).toBe(false);
  });

  it('ignores checkHashBased for a timestamp record', () => {
    expect(isFresh(timestampRecord(), { ...stat, size: 1 }, never, 'never')).toBe(false);
    expect(isFresh(timestampRecord(), stat, never, 'always')).toBe(true);
  });

  it('calls a checked-hash record fresh when the source hashes the same', () => {
    const readSource = vi.fn(() => Buffer.from('v1'));
    expect(isFresh(hashRecord('checked-hash', 'v1'), stat, readSource)).toBe(true);
    expect(readSource).toHaveBeenCalledTimes(1);
  });

  it('calls a checked-hash record stale when the source changed', () => {
    expect(isFresh(hashRecord('checked-hash', 'v1'), stat, () => Buffer.from('v2'))).toBe(false);
  });

  it("calls a checked-hash record fresh without reading the source under 'never'", () => {
    expect(isFresh(hashRecord('checked-hash', 'v1'), stat, never, 'never')).toBe(true);
  });

  it("still checks a checked-hash record under 'always'", () => {
    expect(isFresh(hashRecord('checked-hash', 'v1'), stat, () => Buffer.from('v2'), 'always')).toBe(false);
  });

  it('calls an unchecked-hash record fresh without reading the changed source by default', () => {
    expect(isFresh(hashRecord('unchecked-hash', 'v1'), stat, never)).toBe(true);
  });

  it("calls an unchecked-hash record fresh under 'never'", () => {
    expect(isFresh(hashRecord('unchecked-hash', 'v1'), stat, never, 'never')).toBe(true);
  });

  it("checks an unchecked-hash record under 'always'", () => {
    expect(isFresh(hashRecord('unchecked-hash', 'v1'), stat, () => Buffer.from('v2'), 'always')).toBe(false);
    expect(isFresh(hashRecord('unchecked-hash', 'v1'), stat, () => Buffer.from('v1'), 'always')).toBe(true);
  });

  it('calls a hash-based record without a hash stale', () => {
    const record = { ...hashRecord('checked-hash', 'v1'), sourceHash: undefined };
    expect(isFresh(record, stat, () => Buffer.from('v1'))).toBe(false);
  });

  it('works on a decoded record', () => {
    const decoded = decodeCompiled(encodeCompiled(hashRecord('checked-hash', 'v1')), context);
    expect(isFresh(decoded, stat, () => Buffer.from('v1'))).toBe(true);
  });
});

describe('the V8 runtime key', () => {
  const runtime: RuntimeDescription = {
    nodeVersion: 'v20.20.2',
    v8Version: '11.3.244.8-node.38',
    arch: 'x64',
    execArgv: [],
    nodeOptions: undefined,
  };
  const key = (changes: Partial<RuntimeDescription>): Uint8Array => runtimeKeyFor({ ...runtime, ...changes });

  it('is 16 bytes, the same on every call in one process', () => {
    expect(v8RuntimeKey().length).toBe(16);
    expect(v8RuntimeKey()).toEqual(v8RuntimeKey());
  });

  it("is this process's own description", () => {
    expect(v8RuntimeKey()).toEqual(
      runtimeKeyFor({
        nodeVersion: process.version,
        v8Version: process.versions.v8,
        arch: process.arch,
        execArgv: process.execArgv,
        nodeOptions: process.env['NODE_OPTIONS'],
      }),
    );
  });

  it('changes with the Node version', () => {
    expect(key({ nodeVersion: 'v20.20.3' })).not.toEqual(key({}));
  });

  it('changes with the V8 version', () => {
    expect(key({ v8Version: '11.3.244.9' })).not.toEqual(key({}));
  });

  it('changes with the architecture', () => {
    expect(key({ arch: 'arm64' })).not.toEqual(key({}));
  });

  it('changes with a V8 option on the command line', () => {
    expect(key({ execArgv: ['--max-lazy'] })).not.toEqual(key({}));
    expect(key({ execArgv: ['--stack-size=900'] })).not.toEqual(key({}));
    expect(key({ execArgv: ['--max-old-space-size=100'] })).not.toEqual(key({}));
  });

  it('changes with a V8 option in NODE_OPTIONS', () => {
    expect(key({ nodeOptions: '--max-old-space-size=300' })).not.toEqual(key({}));
  });

  it("ignores Node's own options, with their values", () => {
    const nodeOnly = [
      '--conditions=@importlib/source',
      '-C',
      'dev',
      '--import',
      'file:///x/register.mjs',
      '--require',
      './setup.cjs',
      '--inspect=9229',
      '--enable-source-maps',
      '--no-warnings',
      '--experimental-vm-modules',
      '--eval',
      'console.log(1)',
    ];
    expect(key({ execArgv: nodeOnly })).toEqual(key({}));
    expect(key({ nodeOptions: '--enable-source-maps --require "./my setup.cjs"' })).toEqual(key({}));
  });

  it('finds the V8 options among Node options, keeping their values', () => {
    expect(
      v8OptionsIn(['--import', 'x', '--stack-size', '900', '--no-warnings', '--max_old_space_size=50']),
    ).toEqual(['--stack-size', '900', '--max_old_space_size=50']);
  });

  it('splits NODE_OPTIONS on white space, honouring double quotes and escapes', () => {
    expect(splitNodeOptions('  --a  "--b=c d" --e="f\\"g"\t--h ')).toEqual([
      '--a',
      '--b=c d',
      '--e=f"g',
      '--h',
    ]);
  });
});

describe('writeFileAtomic (test_file_loader.test_read_only_bytecode, _write_atomic)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'importlib-atomic-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the missing parent folders', () => {
    const target = path.join(dir, 'a', 'b', '__pycache__', 'm.ts.importlib-1.jsc');
    writeFileAtomic(target, Buffer.from('hello'));
    expect(readFileSync(target, 'utf8')).toBe('hello');
  });

  it('replaces an existing file and leaves nothing else behind', () => {
    const target = path.join(dir, 'm.jsc');
    writeFileAtomic(target, Buffer.from('old'));
    writeFileAtomic(target, Buffer.from('new contents'));
    expect(readFileSync(target, 'utf8')).toBe('new contents');
    expect(readdirSync(dir)).toEqual(['m.jsc']);
  });

  it('writes a plain Uint8Array view exactly', () => {
    const backing = Uint8Array.from({ length: 100 }, (_, i) => i);
    const target = path.join(dir, 'm.jsc');
    writeFileAtomic(target, backing.subarray(10, 20));
    expect(new Uint8Array(readFileSync(target))).toEqual(backing.subarray(10, 20));
  });

  it('throws and removes its temporary file when the rename fails', () => {
    const target = path.join(dir, 'taken');
    mkdirSync(path.join(target, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(target, Buffer.from('x'))).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('throws when the parent folder cannot be created', () => {
    writeFileSync(path.join(dir, 'file'), 'x');
    expect(() => writeFileAtomic(path.join(dir, 'file', 'm.jsc'), Buffer.from('x'))).toThrow();
    expect(readdirSync(dir)).toEqual(['file']);
  });
});

// ---------------------------------------------------------------------------------------------
// Real processes

const childDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'compiled-cache');
/** The V8 probe, for {@link runNode} (paths relative to the test folder). */
const v8Child = 'compiled-cache/v8-child.mjs';

describe('in real processes', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'importlib-cache-proc-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'hands V8 a code cache it accepts, in a fresh process',
    async () => {
      const file = path.join(dir, 'probe.jsc');
      const made = JSON.parse(await runNode(v8Child, ['encode', file])) as {
        result: number;
        v8Length: number;
      };
      expect(made.v8Length).toBeGreaterThan(0);
      const ran = JSON.parse(await runNode(v8Child, ['run', file])) as Record<string, unknown>;
      expect(ran).toEqual({ v8Rejected: false, hasV8: true, cachedDataRejected: false, result: made.result });
    },
    SLOW_UNDER_LOAD,
  );

  it('keeps a code cache made under other V8 flags away from V8', async () => {
    const file = path.join(dir, 'probe.jsc');
    await runNode(v8Child, ['encode', file], ['--max-lazy']);
    const ran = JSON.parse(await runNode(v8Child, ['run', file])) as Record<string, unknown>;
    expect(ran).toEqual({ v8Rejected: true, hasV8: false });
  });

  it('never shows a reader a torn file while several processes write the same path', async () => {
    const versionsDir = path.join(dir, 'versions');
    const target = path.join(dir, 'out', '__pycache__', 'm.ts.importlib-1.jsc');
    const writers = 3;
    const versions: Buffer[] = [];
    for (let w = 0; w <= writers; w++) {
      const record = timestampRecord({
        js:
          `// version ${w}\n` +
          `exports.v${w} = '${String.fromCharCode(97 + w).repeat(64)}';\n`.repeat(12_000),
        map: `{"version":3,"file":"v${w}"}`,
        v8: new Uint8Array(64 * 1024).fill(w + 1),
      });
      versions.push(Buffer.from(encodeCompiled(record)));
      mkdirSync(versionsDir, { recursive: true });
      writeFileSync(path.join(versionsDir, `v${w}.jsc`), versions[w] as Buffer);
    }
    writeFileAtomic(target, versions[0] as Buffer);

    const problems: string[] = [];
    const seen = new Set<number>();
    let reads = 0;
    const check = (): void => {
      const bytes = readFileSync(target);
      reads++;
      const index = versions.findIndex((v) => v.equals(bytes));
      if (index === -1) {
        problems.push(`read ${reads}: ${bytes.length} bytes matching no version`);
        return;
      }
      seen.add(index);
      try {
        const decoded = decodeCompiled(bytes, context);
        if (!decoded.js.startsWith(`// version ${index}\n`)) problems.push(`read ${reads}: wrong JS`);
      } catch (error) {
        problems.push(`read ${reads}: ${String(error)}`);
      }
    };

    const children = Array.from({ length: writers }, (_, i) =>
      spawn(
        process.execPath,
        [
          ...childFlags,
          path.join(childDir, 'writer.mjs'),
          target,
          path.join(versionsDir, `v${i + 1}.jsc`),
          '40',
        ],
        { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
      ),
    );
    const stderr = children.map(() => '');
    const exits = children.map(
      (child, i) =>
        new Promise<number | null>((resolve) => {
          child.stderr.on('data', (chunk: Buffer) => (stderr[i] += chunk.toString()));
          child.on('close', resolve);
        }),
    );
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            child.stdout.once('data', () => resolve());
            child.once('close', () => reject(new Error('a writer exited before it was ready')));
          }),
      ),
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${stderr.join('\n')}`);
    });

    let running = writers;
    for (const exit of exits) void exit.then(() => running--);
    for (const child of children) child.stdin.end('go\n');
    while (running > 0) {
      check();
      await new Promise((resolve) => setImmediate(resolve));
    }
    check();

    expect(await Promise.all(exits)).toEqual(children.map(() => 0));
    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(1);
    expect([...seen].every((i) => i >= 0 && i <= writers)).toBe(true);
    expect(readdirSync(path.dirname(target))).toEqual([path.basename(target)]);
  });
});
