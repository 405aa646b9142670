// Property-based tests of the bundle reader (fast-check): random bytes, and valid bundles flipped,
// cut, spliced or overwritten — with and without their checksums recomputed, so the index parser
// itself meets the damage — only ever give a bundle or a FrozenBundleError: never another error, a
// hang, or bytes from outside the bundle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { crc32 } from '../src/io/crc32.js';
import {
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  encodeBundle,
  FrozenBundle,
  FrozenBundleError,
  type FrozenRecord,
} from '../src/frozen/index.js';

/** What lies right after the bundle in memory: never part of any decoded text. */
const OUTSIDE = 'OUTSIDE-THE-BUNDLE!';

const records: FrozenRecord[] = [
  {
    name: 'pkg',
    isPackage: true,
    js: 'exports.a = 1;',
    map: '{"version":3}',
    origname: 'pkg',
    filename: '/s/pkg/__init__.ts',
  },
  {
    name: 'pkg.mod',
    isPackage: false,
    js: 'exports.b = "ünï";',
    map: '{"version":3,"x":"é"}',
  },
  { name: 'pkg.gone', isPackage: false, js: null },
  { name: 'other', isPackage: false, isAsync: true, js: 'await 0;', map: null, filename: '/s/other.ts' },
];
const valid = encodeBundle(records, { v8: Uint8Array.from({ length: 50 }, (_, i) => i) });

/** Put `bytes` in a larger buffer, followed by {@link OUTSIDE}, and return the view of `bytes` only. */
function embedded(bytes: Uint8Array): Uint8Array {
  const tail = Buffer.from(OUTSIDE.repeat(4), 'latin1');
  const whole = new Uint8Array(bytes.length + tail.length);
  whole.set(bytes, 0);
  whole.set(tail, bytes.length);
  return whole.subarray(0, bytes.length);
}

/** Recompute the index and header checksums of `bytes` (when the index length still fits). */
function reseal(bytes: Uint8Array): Uint8Array {
  const buf = Buffer.from(bytes);
  if (buf.length < BUNDLE_HEADER_SIZE) return buf;
  const indexLength = buf.readUInt32LE(36);
  const programLength = buf.readUInt32LE(44);
  const programStart = BUNDLE_HEADER_SIZE + indexLength;
  if (programStart <= buf.length) {
    buf.writeUInt32LE(crc32(buf.subarray(BUNDLE_HEADER_SIZE, programStart)), 40);
    if (programStart + programLength <= buf.length) {
      buf.writeUInt32LE(crc32(buf.subarray(programStart, programStart + programLength)), 48);
    }
  }
  buf.writeUInt32LE(crc32(buf.subarray(0, 64)), 64);
  return new Uint8Array(buf);
}

/**
 * Read `bytes` as a bundle and decode every module; return 'ok' or 'refused'. Anything but a
 * FrozenBundleError, or text holding bytes from past the end, fails the property.
 */
function readAll(bytes: Uint8Array): 'ok' | 'refused' {
  let bundle: FrozenBundle;
  try {
    bundle = FrozenBundle.fromBytes(embedded(bytes), '/fuzz/b.frozen');
  } catch (error) {
    if (error instanceof FrozenBundleError && error.path === '/fuzz/b.frozen') return 'refused';
    throw error;
  }
  try {
    const program = bundle.program();
    if (program.text.includes('OUTSIDE')) throw new Error('read outside the bundle');
    if (program.v8 && program.v8.byteLength > bytes.length)
      throw new Error('V8 bytes larger than the bundle');
  } catch (error) {
    if (!(error instanceof FrozenBundleError)) throw error;
  }
  for (const name of bundle.names()) {
    const entry = bundle.entry(name);
    if (!entry || entry.excluded || entry.invalid) continue;
    try {
      const code = bundle.code(name);
      if (code.js.includes('OUTSIDE') || code.map?.includes('OUTSIDE'))
        throw new Error('read outside the bundle');
    } catch (error) {
      if (error instanceof FrozenBundleError && (error.moduleName === name || error.moduleName === null))
        continue;
      throw error;
    }
  }
  return 'ok';
}

/** A mutation of a valid bundle. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({
    kind: fc.constant('overwrite' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, changes: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const change of changes) {
    const at = out.length === 0 ? 0 : change.at % out.length;
    if (change.kind === 'flip') {
      out[at] = (out[at] ?? 0) ^ change.mask;
    } else if (change.kind === 'cut') {
      out = out.slice(0, at);
    } else if (change.kind === 'insert') {
      const next = new Uint8Array(out.length + change.bytes.length);
      next.set(out.subarray(0, at), 0);
      next.set(change.bytes, at);
      next.set(out.subarray(at), at + change.bytes.length);
      out = next;
    } else {
      out.set(change.bytes.subarray(0, Math.max(0, out.length - at)), at);
    }
  }
  return out;
}

describe('the bundle reader under random and damaged input', () => {
  it('reads the unmutated bundle', () => {
    expect(readAll(valid)).toBe('ok');
  });

  it('refuses random bytes with a FrozenBundleError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(readAll(bytes)).toBe('refused');
      }),
      { numRuns: 500 },
    );
  });

  it('gives only FrozenBundleErrors for random bytes behind a valid magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (rest) => {
        const bytes = new Uint8Array(BUNDLE_MAGIC.length + rest.length);
        bytes.set(BUNDLE_MAGIC, 0);
        bytes.set(rest, BUNDLE_MAGIC.length);
        readAll(reseal(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('gives only FrozenBundleErrors for mutated bundles', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (changes) => {
        readAll(mutate(valid, changes));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives only FrozenBundleErrors for mutated bundles whose checksums were recomputed', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (changes) => {
        readAll(reseal(mutate(valid, changes)));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a bundle whose module count is larger than its index can hold, without looping', () => {
    const bytes = Buffer.from(valid);
    bytes.writeUInt32LE(0xffff_ffff, 32);
    const error = (() => {
      try {
        FrozenBundle.fromBytes(reseal(bytes), '/fuzz/b.frozen');
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toMatchObject({ reason: 'corrupt' });
  });
});
