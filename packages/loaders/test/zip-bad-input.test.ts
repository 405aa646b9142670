// Bad archives: each gives a ZipImportError naming the archive (and the entry), never a crash, a
// hang or a read outside the archive. Hand-damaged archives first, then fast-check throwing random
// and mutated archives at the directory reader and the entry reads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { encodeZip, readZipDirectory, ZipImportError, type ZipWriteEntry } from '@importlib/loaders';

import { archivesIn, thrownBy, workFolder } from './helpers.js';

/** A new archive file under this file's work folder holding `bytes`. */
const archiveOf = archivesIn(workFolder('zip-bad-input-'));

const TEXT = 'export const value = "a module inside an archive";\n'.repeat(8);

/** A one-entry archive, and where its records are. */
function oneEntry(entry: Partial<ZipWriteEntry> = {}): { bytes: Buffer; central: number; end: number } {
  const bytes = encodeZip([{ name: 'mod.ts', data: TEXT, ...entry }]);
  const end = bytes.length - 22;
  return { bytes, central: bytes.readUInt32LE(end + 16), end };
}

/** The ZipImportError reading the directory (and then every entry) of `bytes` throws. */
function failure(bytes: Uint8Array): ZipImportError & { archive: string } {
  const archive = archiveOf(bytes);
  const error = thrownBy<ZipImportError & { archive: string }>(() => {
    const directory = readZipDirectory(archive);
    for (const entry of directory.files()) directory.readEntry(entry);
  });
  expect(error).toBeInstanceOf(ZipImportError);
  expect(error.archive).toBe(archive);
  expect(error.message).toContain(archive);
  return error;
}

/** Write the same-length `to` over every occurrence of `from` (names sit in two records). */
function rename(bytes: Buffer, from: string, to: Buffer): Buffer {
  const needle = Buffer.from(from);
  expect(to.length).toBe(needle.length);
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) to.copy(bytes, at);
  return bytes;
}

describe('archives that are not archives', () => {
  it('refuses an empty file as not a zip', () => {
    expect(failure(new Uint8Array(0)).reason).toBe('not-a-zip');
  });

  it('refuses a text file as not a zip', () => {
    expect(failure(Buffer.from('export const x = 1;\n'.repeat(100))).reason).toBe('not-a-zip');
  });

  it('refuses an archive cut short at any length with a typed error', () => {
    const { bytes } = oneEntry();
    for (let length = 0; length < bytes.length; length += 7) {
      expect(['not-a-zip', 'truncated', 'corrupt']).toContain(failure(bytes.subarray(0, length)).reason);
    }
  });
});

describe('a central directory that lies', () => {
  it('refuses a directory size larger than the archive', () => {
    const { bytes, end } = oneEntry();
    bytes.writeUInt32LE(0x7fff_ffff, end + 12);
    expect(failure(bytes).reason).toBe('corrupt');
  });

  it('refuses a directory offset beyond where the directory is', () => {
    const { bytes, end } = oneEntry();
    bytes.writeUInt32LE(bytes.readUInt32LE(end + 16) + 1000, end + 16);
    expect(failure(bytes).reason).toBe('corrupt');
  });

  it('refuses an entry count larger than the records present', () => {
    const { bytes, end } = oneEntry();
    bytes.writeUInt16LE(40_000, end + 10);
    bytes.writeUInt16LE(40_000, end + 8);
    expect(failure(bytes).reason).toBe('truncated');
  });

  it('refuses an entry whose offset points outside the archive data, naming the entry', () => {
    const { bytes, central } = oneEntry();
    bytes.writeUInt32LE(0xfff_ffff, central + 42);
    const error = failure(bytes);
    expect(error.reason).toBe('corrupt');
    expect(error.entry).toBe('mod.ts');
  });

  it('refuses an entry whose offset points at no local header when it is read', () => {
    const { bytes, central } = oneEntry();
    bytes.writeUInt32LE(4, central + 42);
    expect(failure(bytes)).toMatchObject({ reason: 'corrupt', entry: 'mod.ts' });
  });

  it('refuses a compressed size that runs into the central directory', () => {
    const { bytes, central } = oneEntry();
    bytes.writeUInt32LE(bytes.readUInt32LE(central + 20) + 500, central + 20);
    expect(failure(bytes)).toMatchObject({ reason: 'corrupt', entry: 'mod.ts' });
  });

  it('refuses an uncompressed size smaller than the data inflates to, without inflating past it', () => {
    const { bytes, central } = oneEntry();
    bytes.writeUInt32LE(10, central + 24);
    expect(failure(bytes)).toMatchObject({ reason: 'bad-data', entry: 'mod.ts' });
  });

  it('refuses an uncompressed size larger than the data inflates to', () => {
    const { bytes, central } = oneEntry();
    bytes.writeUInt32LE(TEXT.length + 10, central + 24);
    expect(failure(bytes)).toMatchObject({ reason: 'bad-data', entry: 'mod.ts' });
  });

  it('refuses data that fails its CRC-32', () => {
    const { bytes, central } = oneEntry({ method: 'store' });
    bytes.writeUInt32LE(bytes.readUInt32LE(central + 16) ^ 1, central + 16);
    expect(failure(bytes)).toMatchObject({ reason: 'bad-data', entry: 'mod.ts' });
  });

  it('refuses deflated data that is not deflate', () => {
    const { bytes } = oneEntry();
    bytes.fill(0xff, 36, 60);
    expect(failure(bytes)).toMatchObject({ reason: 'bad-data', entry: 'mod.ts' });
  });

  it('refuses a multi-disk archive', () => {
    const { bytes, end } = oneEntry();
    bytes.writeUInt16LE(1, end + 4);
    expect(failure(bytes).reason).toBe('unsupported');
  });
});

describe('entries this reader will not read', () => {
  it('refuses an unsupported compression method when the entry is read, not before', () => {
    const { bytes, central } = oneEntry();
    bytes.writeUInt16LE(12, central + 10); // bzip2
    const archive = archiveOf(bytes);
    const directory = readZipDirectory(archive);
    expect(thrownBy(() => directory.read('mod.ts'))).toMatchObject({
      reason: 'unsupported-compression',
      entry: 'mod.ts',
      archive,
    });
  });

  it('refuses an encrypted entry', () => {
    const { bytes, central } = oneEntry();
    bytes.writeUInt16LE(1, central + 8);
    expect(failure(bytes)).toMatchObject({ reason: 'encrypted', entry: 'mod.ts' });
  });

  it.each([
    ['a ".." segment', '../x.ts', '../x.ts'],
    ['an absolute path', '/abs.ts', '/abs.ts'],
    ['a backslash', 'a\\b.ts', 'a\\b.ts'],
    ['a NUL character', 'a\0b.ts', 'a\0b.ts'],
    ['a drive letter', 'C:/x.ts', 'C:/x.ts'],
  ])('refuses an archive holding an entry name with %s, naming it', (_what, name) => {
    const placeholder = 'z'.repeat(Buffer.byteLength(name));
    const bytes = rename(encodeZip([{ name: placeholder, data: 'x' }]), placeholder, Buffer.from(name));
    const error = failure(bytes);
    expect(error.reason).toBe('bad-entry-name');
    expect(error.entry).toBe(name);
  });

  it('refuses a name flagged UTF-8 that is not UTF-8', () => {
    const bytes = rename(encodeZip([{ name: 'é.ts', data: 'x' }]), 'é', Buffer.from([0xff, 0xfe]));
    expect(failure(bytes).reason).toBe('corrupt');
  });
});

// ------------------------------------------------------------------------------------------------
// Property-based: nothing but a ZipImportError, whatever the bytes.

/** Read the directory and every entry; anything thrown must be a ZipImportError. */
function readAll(bytes: Uint8Array): void {
  const archive = archiveOf(bytes);
  try {
    const directory = readZipDirectory(archive);
    for (const entry of directory.files()) directory.readEntry(entry);
  } catch (error) {
    if (!(error instanceof ZipImportError) || error.archive !== archive) throw error;
  }
}

const entryArb = fc.record({
  name: fc.constantFrom('a.ts', 'pkg/__init__.ts', 'pkg/b.js', 'data/x.txt', 'é.json'),
  data: fc.uint8Array({ maxLength: 300 }),
  method: fc.constantFrom('deflate' as const, 'store' as const),
});

const archiveArb = fc
  .record({
    entries: fc.uniqueArray(entryArb, { selector: (entry) => entry.name, maxLength: 4 }),
    forceZip64: fc.boolean(),
    prepend: fc.constantFrom('', '#!/usr/bin/env node\n'),
    comment: fc.constantFrom('', 'a comment'),
  })
  .map(({ entries, ...options }) => encodeZip(entries, options));

describe('random and mutated archives (fast-check)', () => {
  it('reads every archive the writer makes, entry for entry', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(entryArb, { selector: (entry) => entry.name, maxLength: 4 }),
        fc.boolean(),
        (entries, forceZip64) => {
          const directory = readZipDirectory(archiveOf(encodeZip(entries, { forceZip64, prepend: '#!x\n' })));
          for (const entry of entries) {
            expect(Buffer.from(directory.read(entry.name)).equals(Buffer.from(entry.data))).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('throws only ZipImportError for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => readAll(bytes)),
      { numRuns: 300 },
    );
  });

  it('throws only ZipImportError for archives with bytes overwritten', () => {
    fc.assert(
      fc.property(
        archiveArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (bytes, flips) => {
          const copy = Buffer.from(bytes);
          for (const [at, value] of flips) copy[at % copy.length] = value;
          readAll(copy);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('throws only ZipImportError for archives with 32-bit fields overwritten by extreme values', () => {
    fc.assert(
      fc.property(
        archiveArb,
        fc.nat(),
        fc.constantFrom(0, 1, 0x7fff_ffff, 0xffff_fffe, 0xffff_ffff, 0x8000_0000),
        (bytes, at, value) => {
          const copy = Buffer.from(bytes);
          if (copy.length < 4) return;
          copy.writeUInt32LE(value, at % (copy.length - 3));
          readAll(copy);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('throws only ZipImportError for archives cut short or with bytes spliced in', () => {
    fc.assert(
      fc.property(archiveArb, fc.nat(), fc.uint8Array({ maxLength: 40 }), (bytes, at, insert) => {
        const cut = at % (bytes.length + 1);
        readAll(bytes.subarray(0, cut));
        readAll(Buffer.concat([bytes.subarray(0, cut), insert, bytes.subarray(cut)]));
      }),
      { numRuns: 300 },
    );
  });
});
