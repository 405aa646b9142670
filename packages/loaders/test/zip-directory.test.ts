// The zip directory reader and writer (`_zip_directory_cache`, `_read_directory`; see
// docs/conformance.md#zip): what archives are read, how the directory is shared and refreshed, and
// that one entry is read without the others.
import { unlinkSync, utimesSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import {
  encodeZip,
  getZipDirectory,
  invalidateZipDirectory,
  peekZipDirectory,
  readZipDirectory,
  writeZip,
  ZipImportError,
  type ZipWriteEntry,
} from '@importlib/loaders';

import { archivesIn, thrownBy, workFolder } from './helpers.js';

/** A new archive file under this file's work folder holding `bytes`. */
const archiveOf = archivesIn(workFolder('zip-directory-'));

const sample: ZipWriteEntry[] = [
  { name: 'pkg/__init__.ts', data: 'export const p = 1;\n' },
  { name: 'pkg/data/table.txt', data: 'rows\n', method: 'store' },
  { name: 'top.ts', data: 'export const t = 1;\n'.repeat(50) },
];

describe('reading a zip directory', () => {
  it('lists file entries and reads stored and deflated ones back byte for byte', () => {
    const directory = readZipDirectory(archiveOf(encodeZip(sample)));
    expect([...directory.files()].map((entry) => entry.name)).toEqual([
      'pkg/__init__.ts',
      'pkg/data/table.txt',
      'top.ts',
    ]);
    expect(directory.read('pkg/data/table.txt').toString()).toBe('rows\n');
    expect(directory.read('top.ts').toString()).toBe('export const t = 1;\n'.repeat(50));
    expect(directory.file('top.ts')?.method).toBe(8);
    expect(directory.file('pkg/data/table.txt')?.method).toBe(0);
  });

  it('adds the implicit parent folders of entries (_zip_directory_cache)', () => {
    const directory = readZipDirectory(archiveOf(encodeZip(sample)));
    expect(directory.isDirectory('pkg')).toBe(true);
    expect(directory.isDirectory('pkg/data')).toBe(true);
    expect(directory.isDirectory('top.ts')).toBe(false);
    expect(directory.children('pkg').sort()).toEqual(['__init__.ts', 'data']);
  });

  it('reads an archive with a comment (zipimport._read_directory)', () => {
    const directory = readZipDirectory(archiveOf(encodeZip(sample, { comment: 'built by the tests' })));
    expect(Buffer.from(directory.comment).toString()).toBe('built by the tests');
    expect(directory.read('pkg/__init__.ts').toString()).toBe('export const p = 1;\n');
  });

  it('reads an archive whose comment holds an end-record signature', () => {
    const comment = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(30, 0x41)]);
    const directory = readZipDirectory(archiveOf(encodeZip(sample, { comment })));
    expect(directory.read('top.ts').length).toBe('export const t = 1;\n'.length * 50);
  });

  it('reads an archive with data prepended before it, shifting every offset (zipimport._read_directory)', () => {
    const shebang = '#!/usr/bin/env node\n';
    const directory = readZipDirectory(archiveOf(encodeZip(sample, { prepend: shebang })));
    expect(directory.prependedBytes).toBe(shebang.length);
    expect(directory.read('pkg/data/table.txt').toString()).toBe('rows\n');
  });

  it('reads a Zip64 archive (zipimport._read_directory)', () => {
    const bytes = encodeZip(sample, { forceZip64: true, prepend: '#!x\n', comment: 'c' });
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    const directory = readZipDirectory(archiveOf(bytes));
    expect(directory.read('top.ts').toString()).toContain('export const t');
    expect(directory.read('pkg/data/table.txt').toString()).toBe('rows\n');
  });

  it('decodes names flagged UTF-8 as UTF-8 (zipimport._read_directory)', () => {
    const directory = readZipDirectory(archiveOf(encodeZip([{ name: 'données/été.txt', data: 'x' }])));
    expect(directory.read('données/été.txt').toString()).toBe('x');
  });

  it('decodes unflagged non-ASCII names as code page 437 (zipimport._read_directory)', () => {
    const bytes = encodeZip([{ name: 'caf?.txt', data: 'x' }]);
    const placeholder = Buffer.from('caf?.txt');
    for (let at = bytes.indexOf(placeholder); at !== -1; at = bytes.indexOf(placeholder, at + 1)) {
      bytes[at + 3] = 0x82; // é in code page 437
    }
    const directory = readZipDirectory(archiveOf(bytes));
    expect(directory.isFile('café.txt')).toBe(true);
    expect(directory.read('café.txt').toString()).toBe('x');
  });

  it('reads one entry without touching the others: a damaged neighbour does not matter', () => {
    const bytes = encodeZip([
      { name: 'good.ts', data: 'good', method: 'store' },
      { name: 'bad.ts', data: 'BAD!', method: 'store' },
    ]);
    bytes[bytes.indexOf(Buffer.from('BAD!'))] = 0x21; // the CRC of bad.ts no longer matches
    const directory = readZipDirectory(archiveOf(bytes));
    expect(directory.read('good.ts').toString()).toBe('good');
    expect(thrownBy(() => directory.read('bad.ts'))).toMatchObject({ reason: 'bad-data', entry: 'bad.ts' });
  });

  it('refuses a missing entry with a ZipImportError naming the archive and the entry', () => {
    const archive = archiveOf(encodeZip(sample));
    const error = thrownBy(() => readZipDirectory(archive).read('nope.ts'));
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error).toMatchObject({
      code: 'ERR_IMPORTLIB_ZIP',
      reason: 'missing-entry',
      archive,
      entry: 'nope.ts',
    });
    expect((error as Error).message).toContain(archive);
  });
});

describe('the shared directory cache', () => {
  it('gives every reader of one archive the same directory (_zip_directory_cache)', () => {
    const archive = archiveOf(encodeZip(sample));
    const first = getZipDirectory(archive);
    expect(getZipDirectory(archive)).toBe(first);
    expect(peekZipDirectory(archive)).toBe(first);
  });

  it('reads the directory again when the archive’s size or mtime changes', () => {
    const archive = archiveOf(encodeZip(sample));
    const first = getZipDirectory(archive);
    writeZip(archive, [...sample, { name: 'added.ts', data: '' }]);
    const second = getZipDirectory(archive);
    expect(second).not.toBe(first);
    expect(second?.isFile('added.ts')).toBe(true);
  });

  it('reads it again after invalidateZipDirectory, even when nothing seems to have changed (zipimporter.invalidate_caches)', () => {
    const archive = archiveOf(encodeZip(sample));
    const first = getZipDirectory(archive);
    invalidateZipDirectory(archive);
    expect(peekZipDirectory(archive)).toBeUndefined();
    expect(getZipDirectory(archive)).not.toBe(first);
  });

  it('serves nothing for an archive deleted in use (zipimporter.invalidate_caches)', () => {
    const archive = archiveOf(encodeZip(sample));
    expect(getZipDirectory(archive)).not.toBeNull();
    unlinkSync(archive);
    expect(getZipDirectory(archive)).toBeNull();
  });

  it('refuses to read from a directory after its archive was replaced, saying so', () => {
    const archive = archiveOf(encodeZip(sample));
    const directory = readZipDirectory(archive);
    writeZip(archive, sample.slice(0, 1));
    utimesSync(archive, 1_600_000_000, 1_600_000_000);
    expect(thrownBy(() => directory.read('top.ts'))).toMatchObject({ reason: 'changed', archive });
  });
});
