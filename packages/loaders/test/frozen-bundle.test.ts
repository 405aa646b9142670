// Frozen bundles: the writer and the reader (layout, lazy integrity checks, the V8 runtime key) and
// the typed errors for bundles that are not bundles, cut short, damaged or made by another version.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ErrorCodes, ImportArgumentError } from '@importlib/core';

import { crc32 } from '../src/io/crc32.js';
import {
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  encodeBundle,
  FrozenBundle,
  FrozenBundleError,
  isBundleFile,
  programOf,
  writeBundle,
  type FrozenRecord,
} from '../src/frozen/index.js';
import { thrownBy } from './helpers.js';

const work = path.join(path.dirname(fileURLToPath(import.meta.url)), '.work', 'frozen-bundle');
const BUNDLE = '/virtual/app.frozen';

const records: FrozenRecord[] = [
  {
    name: 'app',
    isPackage: true,
    js: 'exports.kind = "package";\n',
    map: '{"version":3,"mappings":"AAAA"}',
    origname: 'app',
    filename: '/src/app/__init__.ts',
  },
  { name: 'app.util', isPackage: false, js: 'exports.n = 1;\n', origname: 'app.util', filename: null },
  { name: 'app.later', isPackage: false, isAsync: true, js: 'await null;\n' },
  { name: 'app.gone', isPackage: false, js: null },
];

function open(bytes: Uint8Array): FrozenBundle {
  return FrozenBundle.fromBytes(bytes, BUNDLE);
}

function bundleError(fn: () => unknown): FrozenBundleError {
  const error = thrownBy<FrozenBundleError>(fn);
  expect(error).toBeInstanceOf(FrozenBundleError);
  return error;
}

/** Flip the bits `mask` of byte `at`. */
function flip(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] ?? 0) ^ mask;
}

/** Rewrite the header's CRC after a deliberate header edit. */
function resealHeader(bytes: Uint8Array): Uint8Array {
  const buf = Buffer.from(bytes);
  buf.writeUInt32LE(crc32(buf.subarray(0, 64)), 64);
  return new Uint8Array(buf);
}

describe('frozen bundle layout', () => {
  it('starts with the bundle magic', () => {
    const bytes = encodeBundle(records);
    expect([...bytes.subarray(0, 8)]).toEqual([...BUNDLE_MAGIC]);
  });

  it('lists the modules in the order they were given', () => {
    expect(open(encodeBundle(records)).names()).toEqual(['app', 'app.util', 'app.later', 'app.gone']);
  });

  it('keeps each entry’s package flag, async flag, origname and file name', () => {
    const bundle = open(encodeBundle(records));
    expect(bundle.entry('app')).toMatchObject({
      isPackage: true,
      isAsync: false,
      excluded: false,
      origname: 'app',
      filename: '/src/app/__init__.ts',
    });
    expect(bundle.entry('app.util')).toMatchObject({
      isPackage: false,
      origname: 'app.util',
      filename: null,
    });
    expect(bundle.entry('app.later')).toMatchObject({ isAsync: true, origname: null });
  });

  it('gives back the JS and the source map of a module', () => {
    const code = open(encodeBundle(records)).code('app');
    expect(code.js).toBe('exports.kind = "package";\n');
    expect(code.map).toBe('{"version":3,"mappings":"AAAA"}');
  });

  it('round-trips non-ASCII code and names', () => {
    const bundle = open(
      encodeBundle([{ name: 'café', isPackage: false, js: 'exports.s = "ünïcødé ✓";', map: '{"x":"é"}' }]),
    );
    expect(bundle.code('café')).toMatchObject({ js: 'exports.s = "ünïcødé ✓";', map: '{"x":"é"}' });
  });

  it('gives the V8 cache to a process with the same runtime key', () => {
    const v8 = Uint8Array.from({ length: 64 }, (_, i) => i);
    expect([...(open(encodeBundle(records, { v8 })).program().v8 ?? [])]).toEqual([...v8]);
  });

  it('drops the V8 cache made under another runtime key', () => {
    const v8 = Uint8Array.from({ length: 64 }, (_, i) => i);
    const bundle = open(encodeBundle(records, { v8, runtimeKey: new Uint8Array(16).fill(7) }));
    expect([bundle.v8Usable, bundle.program().v8]).toEqual([false, null]);
  });

  it('drops a V8 cache that fails its checksum, keeping the code', () => {
    const v8 = Uint8Array.from({ length: 64 }, (_, i) => i);
    const bytes = encodeBundle(records, { v8 });
    const at = Buffer.from(bytes).indexOf(Buffer.from(v8.subarray(10, 30)));
    flip(bytes, at, 0x04);
    const bundle = open(bytes);
    expect([bundle.program().v8, bundle.code('app.util').js]).toEqual([null, 'exports.n = 1;\n']);
  });

  it('stores the program the V8 cache must be made from', () => {
    expect(open(encodeBundle(records)).program().text).toBe(programOf(records));
  });

  it('marks an entry without code as excluded', () => {
    expect(open(encodeBundle(records)).entry('app.gone')).toMatchObject({ excluded: true, invalid: false });
  });

  it('marks an entry with empty code as invalid', () => {
    const bundle = open(encodeBundle([{ name: 'empty', isPackage: false, js: '' }]));
    expect(bundle.entry('empty')).toMatchObject({ excluded: false, invalid: true });
  });

  it('refuses a module name given twice', () => {
    const twice = [records[1]!, records[1]!];
    expect(thrownBy(() => encodeBundle(twice))).toBeInstanceOf(ImportArgumentError);
  });

  it('refuses an invalid module name', () => {
    expect(thrownBy(() => encodeBundle([{ name: 'a..b', isPackage: false, js: 'x' }]))).toMatchObject({
      code: ErrorCodes.INVALID_NAME,
    });
  });
});

describe('reading bundle files', () => {
  beforeEach(() => mkdirSync(work, { recursive: true }));
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('writes a bundle that reads back from its file', () => {
    const file = path.join(work, 'app.frozen');
    writeBundle(file, records);
    const bundle = FrozenBundle.read(file);
    expect(bundle.path).toBe(file);
    expect(bundle.code('app.util').js).toBe('exports.n = 1;\n');
  });

  it('reads a source map from the file when it is asked for', () => {
    const file = path.join(work, 'app.frozen');
    writeBundle(file, records);
    expect(FrozenBundle.read(file).code('app').map).toBe('{"version":3,"mappings":"AAAA"}');
  });

  it('leaves no temporary file beside the bundle', () => {
    writeBundle(path.join(work, 'app.frozen'), records);
    expect(readdirSync(work)).toEqual(['app.frozen']);
  });

  it('recognises a bundle file by its magic', () => {
    const file = path.join(work, 'app.frozen');
    writeBundle(file, records);
    const other = path.join(work, 'other.frozen');
    writeFileSync(other, 'PK\u0003\u0004 not a bundle');
    expect([isBundleFile(file), isBundleFile(other), isBundleFile(work)]).toEqual([true, false, false]);
  });

  it('reports a missing bundle file as unreadable, naming it', () => {
    const file = path.join(work, 'missing.frozen');
    const error = bundleError(() => FrozenBundle.read(file));
    expect(error).toMatchObject({ reason: 'unreadable', path: file, code: ErrorCodes.FROZEN_BUNDLE });
    expect(existsSync(file)).toBe(false);
  });
});

describe('bad bundles', () => {
  it('refuses a file with another magic, naming the bundle', () => {
    const bytes = encodeBundle(records);
    flip(bytes, 1, 0xff);
    const error = bundleError(() => open(bytes));
    expect(error).toMatchObject({ reason: 'bad-magic', path: BUNDLE, code: 'ERR_IMPORTLIB_FROZEN_BUNDLE' });
    expect(error.message).toContain(BUNDLE);
  });

  it('refuses a bundle made by another transpiler (code magic)', () => {
    const bytes = encodeBundle(records, { codeMagic: Uint8Array.of(1, 2, 13, 10) });
    expect(bundleError(() => open(bytes)).reason).toBe('bad-magic');
  });

  it('refuses another layout revision', () => {
    const bytes = Buffer.from(encodeBundle(records));
    bytes.writeUInt32LE(99, 8);
    expect(bundleError(() => open(resealHeader(bytes))).reason).toBe('bad-version');
  });

  it('refuses an empty file as cut short', () => {
    expect(bundleError(() => open(new Uint8Array(0))).reason).toBe('truncated');
  });

  it('refuses a bundle cut inside its header', () => {
    expect(bundleError(() => open(encodeBundle(records).subarray(0, 20))).reason).toBe('truncated');
  });

  it('refuses a bundle cut inside its source maps, naming the module whose map runs past the end', () => {
    const bytes = encodeBundle(records);
    const error = bundleError(() => open(bytes.subarray(0, bytes.length - 3)));
    expect(error).toMatchObject({ reason: 'truncated', moduleName: 'app' });
  });

  it('refuses a bundle cut inside its program', () => {
    const bytes = encodeBundle(records);
    const at = Buffer.from(bytes).indexOf('exports.n');
    expect(bundleError(() => open(bytes.subarray(0, at))).reason).toBe('truncated');
  });

  it('refuses a damaged header', () => {
    const bytes = encodeBundle(records);
    flip(bytes, 33, 0x01); // the module count
    expect(bundleError(() => open(bytes)).reason).toBe('integrity');
  });

  it('refuses a damaged index', () => {
    const bytes = encodeBundle(records);
    flip(bytes, BUNDLE_HEADER_SIZE + 4, 0x20); // a letter of the first name
    expect(bundleError(() => open(bytes)).reason).toBe('integrity');
  });

  it('opens a bundle with damaged code, and fails when the code is needed', () => {
    const bytes = encodeBundle(records);
    const at = Buffer.from(bytes).indexOf('exports.n = 1');
    flip(bytes, at + 8, 0x01);
    const bundle = open(bytes);
    expect(bundle.entry('app.util')?.isPackage).toBe(false);
    const error = bundleError(() => bundle.code('app.util'));
    expect(error).toMatchObject({ reason: 'integrity', path: BUNDLE });
  });

  it('fails only the module whose source map is damaged, naming it', () => {
    const bytes = encodeBundle(records);
    const at = Buffer.from(bytes).lastIndexOf('AAAA');
    flip(bytes, at, 0x01);
    const bundle = open(bytes);
    expect(bundle.code('app.util').js).toBe('exports.n = 1;\n');
    expect(bundleError(() => bundle.code('app'))).toMatchObject({ reason: 'integrity', moduleName: 'app' });
  });

  it('refuses to hand out the code of an excluded entry', () => {
    const error = bundleError(() => open(encodeBundle(records)).code('app.gone'));
    expect(error).toMatchObject({ reason: 'bad-record', moduleName: 'app.gone' });
  });
});
