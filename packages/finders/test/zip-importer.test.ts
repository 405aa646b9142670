// ZipImporter over real archives written by the tests (docs/conformance.md#zip) and the zip
// resource reader (docs/conformance.md#zip-reader). Model: CPython's `Lib/zipimport.py`; tests:
// `test_zipimport.py`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ImportArgumentError,
  ImportError,
  ImportSystem,
  ModuleNotFoundError,
  type ModuleSpec,
  type ModuleType,
} from '@importlib/core';
import {
  CompiledCacheError,
  encodeCompiled,
  LoaderContext,
  peekZipDirectory,
  writeZip,
  ZipFileNotFoundError,
  ZipImportError,
  zipCompiledEntryName,
  ZipReader,
  type CompiledRecord,
  type ZipWriteEntry,
} from '@importlib/loaders';

import { ListingCache, ZipImporter } from '../src/index.js';

import { thrownBy } from './helpers.js';

const workRoot = fileURLToPath(new URL('./.work', import.meta.url));
let base: string;

beforeAll(() => {
  mkdirSync(workRoot, { recursive: true });
  base = mkdtempSync(join(workRoot, 'zip-importer-'));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

let counter = 0;

/** A fixed entry time, on an even second (DOS times have 2-second resolution). */
const ENTRY_TIME = new Date(2024, 0, 2, 3, 4, 6);

/** A new archive under the work folder; `files` maps entry names to text (a name ending in `/` is a folder). */
function archive(files: Record<string, string | Uint8Array>, extra: ZipWriteEntry[] = []): string {
  const file = join(base, `app${++counter}.zip`);
  const entries: ZipWriteEntry[] = Object.entries(files).map(([name, data]) =>
    name.endsWith('/') ? { name, mtime: ENTRY_TIME } : { name, data, mtime: ENTRY_TIME },
  );
  writeZip(file, [...entries, ...extra]);
  return file;
}

/** A system whose only path hook is the zip hook, with the transpile cache off (nothing written). */
function systemFor(path: string[], cache: { read?: boolean; write?: boolean } = {}): ImportSystem {
  const system = new ImportSystem({ path });
  const context = new LoaderContext(system, {
    cache: { read: true, write: false, ...cache },
    nodeFallback: false,
  });
  system.pathHooks.push(ZipImporter.pathHook(context));
  return system;
}

function contextFor(): LoaderContext {
  return new LoaderContext(new ImportSystem(), { cache: { write: false }, nodeFallback: false });
}

/** A compiled file (the bytes of a `.jsc`) whose JavaScript is `js`, stamped for a source. */
function compiled(js: string, stamp: Partial<CompiledRecord>): Uint8Array {
  return encodeCompiled(
    { invalidation: 'timestamp', isAsync: false, js, map: null, v8: null, ...stamp },
    { magic: contextFor().magic },
  );
}

const SOURCE = "export const from = 'source';\n";

/** A compiled file whose module says it ran from the compiled entry, stamped `stamp`. */
function compiledEntry(stamp: Partial<CompiledRecord>): Uint8Array {
  return compiled("exports.from = 'compiled';", stamp);
}

/** Where `mod` ran from, imported from an archive of `mod.ts` ({@link SOURCE}) and the compiled entry `data`. */
function ranFrom(data: Uint8Array): unknown {
  const file = archive({ 'mod.ts': SOURCE, [zipCompiledEntryName('mod.ts')]: data });
  return (systemFor([file]).importModule('mod') as ModuleType).from;
}

// ------------------------------------------------------------------------------------------------

describe('the path argument (zipimporter.__init__)', () => {
  it('refuses a path that is not a string with an ImportArgumentError (a TypeError)', () => {
    const error = thrownBy(() => new ZipImporter(42 as unknown as string, contextFor()));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect(error).toBeInstanceOf(TypeError);
  });

  it("refuses an empty path with ZipImportError('archive path is empty')", () => {
    const error = thrownBy(() => new ZipImporter('', contextFor()));
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error.message).toMatch(/^archive path is empty/);
  });

  it('takes the archive itself with an empty prefix', () => {
    const file = archive({ 'mod.ts': '' });
    const importer = new ZipImporter(file, contextFor());
    expect(importer.archive).toBe(file);
    expect(importer.prefix).toBe('');
  });

  it('walks up a path inside the archive to the archive, keeping the rest as the prefix with a trailing /', () => {
    const file = archive({ 'lib/pkg/mod.ts': '' });
    const importer = new ZipImporter(join(file, 'lib', 'pkg'), contextFor());
    expect(importer.archive).toBe(file);
    expect(importer.prefix).toBe('lib/pkg/');
  });

  it("refuses a path with no regular file along it with ZipImportError('not a Zip file')", () => {
    const error = thrownBy(() => new ZipImporter(join(base, 'no-such', 'thing.zip'), contextFor()));
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error.message).toMatch(/^not a Zip file/);
  });

  it('refuses a folder as not a Zip file', () => {
    expect(() => new ZipImporter(base, contextFor())).toThrow(/^not a Zip file/);
  });

  it('refuses a regular file that is not an archive with a ZipImportError (an ImportError)', () => {
    const file = join(base, `plain${++counter}.ts`);
    writeFileSync(file, 'export const x = 1;\n');
    const error = thrownBy(() => new ZipImporter(file, contextFor()));
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toMatchObject({ code: 'ERR_IMPORTLIB_ZIP', reason: 'not-a-zip', archive: file });
  });

  it('resolves names relative to the prefix in a sub-folder importer', () => {
    const file = archive({
      'lib/mod.ts': "export const where = 'lib';\n",
      'mod.ts': "export const where = 'root';\n",
    });
    const importer = new ZipImporter(join(file, 'lib'), contextFor());
    expect(importer.findSpec('mod')?.origin).toBe(join(file, 'lib', 'mod.ts'));
  });

  it('declines a folder path entry from its path hook with an ImportError, so the next hook is tried', () => {
    const hook = ZipImporter.pathHook(contextFor());
    expect(() => hook(base)).toThrow(ImportError);
  });

  it('declines a folder the shared folder listing knows with no stack to capture (the path finder only catches it)', () => {
    mkdirSync(join(base, 'known-folder'), { recursive: true });
    const listings = new ListingCache();
    listings.read(base);
    const hook = ZipImporter.pathHook(contextFor(), { listings });
    let declined: unknown;
    try {
      hook(join(base, 'known-folder'));
    } catch (error) {
      declined = error;
    }
    expect(declined).toBeInstanceOf(ZipImportError);
    expect(String((declined as Error).stack)).not.toContain('    at ');
  });
});

describe('the shared directory (_zip_directory_cache, zipimporter.invalidate_caches)', () => {
  it('with a checkId, looks at the archive once per id: a rewrite shows under the next id', () => {
    const file = archive({ 'a.ts': '' });
    let id: number | null = 1;
    const importer = new ZipImporter(file, contextFor(), { checkId: () => id });
    expect(importer.findSpec('a')).not.toBeNull();
    writeZip(file, [
      { name: 'a.ts', data: '', mtime: ENTRY_TIME },
      { name: 'b.ts', data: '', mtime: ENTRY_TIME },
    ]);
    expect(importer.findSpec('b')).toBeNull(); // same id: the archive is not looked at again
    id = 2;
    expect(importer.findSpec('b')).not.toBeNull();
  });

  it('with a checkId of null, looks at the archive on every lookup (Python)', () => {
    const file = archive({ 'a.ts': '' });
    const importer = new ZipImporter(file, contextFor(), { checkId: () => null });
    expect(importer.findSpec('a')).not.toBeNull();
    writeZip(file, [
      { name: 'a.ts', data: '', mtime: ENTRY_TIME },
      { name: 'b.ts', data: '', mtime: ENTRY_TIME },
    ]);
    expect(importer.findSpec('b')).not.toBeNull();
  });

  it('shares one directory between every importer of an archive', () => {
    const file = archive({ 'a/x.ts': '', 'b.ts': '' });
    const root = new ZipImporter(file, contextFor());
    root.findSpec('b');
    const shared = peekZipDirectory(file);
    new ZipImporter(join(file, 'a'), contextFor()).findSpec('x');
    expect(shared).toBeDefined();
    expect(peekZipDirectory(file)).toBe(shared);
  });

  it('drops the shared directory on invalidateCaches(), for every importer of the archive', () => {
    const file = archive({ 'a/x.ts': '', 'b.ts': '' });
    const one = new ZipImporter(file, contextFor());
    const two = new ZipImporter(join(file, 'a'), contextFor());
    two.findSpec('x');
    one.invalidateCaches();
    expect(peekZipDirectory(file)).toBeUndefined();
    expect(two.findSpec('x')).not.toBeNull();
  });

  it('finds nothing once the archive was deleted', () => {
    const file = archive({ 'mod.ts': '' });
    const importer = new ZipImporter(file, contextFor());
    expect(importer.findSpec('mod')).not.toBeNull();
    unlinkSync(file);
    importer.invalidateCaches();
    expect(importer.findSpec('mod')).toBeNull();
  });

  it('sees an entry added to the archive without invalidateCaches() once its size changed', () => {
    const file = archive({ 'mod.ts': '' });
    const importer = new ZipImporter(file, contextFor());
    expect(importer.findSpec('later')).toBeNull();
    writeZip(file, [
      { name: 'mod.ts', data: '' },
      { name: 'later.ts', data: 'export const later = true;\n' },
    ]);
    expect(importer.findSpec('later')?.origin).toBe(join(file, 'later.ts'));
  });
});

describe('the search order, compiled entries and the paths (_zip_searchorder, _eq_mtime, _unmarshal_code: bad magic, zipimporter: __file__ and __path__, zipimporter.find_spec: namespace)', () => {
  it('finds a package (pkg/__init__) before a module of the same name (_zip_searchorder)', () => {
    const file = archive({ 'both.ts': '', 'both/__init__.ts': '' });
    const spec = new ZipImporter(file, contextFor()).findSpec('both') as ModuleSpec;
    expect(spec.origin).toBe(join(file, 'both', '__init__.ts'));
  });

  it('takes __init__ before index as the package marker', () => {
    const file = archive({ 'pkg/index.ts': '', 'pkg/__init__.js': '' });
    expect(new ZipImporter(file, contextFor()).findSpec('pkg')?.origin).toBe(
      join(file, 'pkg', '__init__.js'),
    );
  });

  it('runs the compiled entry beside a source entry when it matches it (_zip_searchorder)', () => {
    const stamp = { sourceMtimeMs: ENTRY_TIME.getTime() + 900, sourceSize: Buffer.byteLength(SOURCE) };
    expect(ranFrom(compiledEntry(stamp))).toBe('compiled');
  });

  it('falls back to the source entry when the compiled entry’s time is more than a second off (_eq_mtime)', () => {
    const stamp = { sourceMtimeMs: ENTRY_TIME.getTime() + 4000, sourceSize: Buffer.byteLength(SOURCE) };
    expect(ranFrom(compiledEntry(stamp))).toBe('source');
  });

  it('falls back to the source entry when the compiled entry’s recorded size differs (_eq_mtime)', () => {
    const stamp = { sourceMtimeMs: ENTRY_TIME.getTime(), sourceSize: 3 };
    expect(ranFrom(compiledEntry(stamp))).toBe('source');
  });

  it('checks a checked-hash compiled entry against the source entry’s bytes (_eq_mtime)', () => {
    const stamp = { invalidation: 'checked-hash', sourceHash: new Uint8Array(16) } as const;
    expect(ranFrom(compiledEntry(stamp))).toBe('source');
  });

  it('uses the source entry when the compiled entry has a bad magic number (_unmarshal_code: bad magic)', () => {
    expect(ranFrom(new Uint8Array(80))).toBe('source');
  });

  it("fails a compiled-only entry with a bad magic number: ZipImportError('module load failed…') caused by the compiled-file error (_unmarshal_code: bad magic)", () => {
    const file = archive({ 'only.jsc': new Uint8Array(80) });
    const error = thrownBy(() => systemFor([file]).importModule('only'));
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error.message).toMatch(/^module load failed/);
    expect(error).toMatchObject({ archive: file, entry: 'only.jsc', moduleName: 'only' });
    expect(error.cause).toBeInstanceOf(CompiledCacheError);
    expect(error.cause).toBeInstanceOf(ImportError);
  });

  it('runs a compiled-only entry on its own (sourceless)', () => {
    const file = archive({
      'only.jsc': compiled("exports.from = 'compiled only';", { sourceMtimeMs: 0, sourceSize: 0 }),
    });
    const system = new ImportSystem({ path: [file] });
    system.pathHooks.push(ZipImporter.pathHook(new LoaderContext(system, { cache: { write: false } })));
    expect((system.importModule('only') as ModuleType).from).toBe('compiled only');
  });

  it('never writes into the archive, even with the transpile cache on', () => {
    const file = archive({ 'mod.ts': 'export const x = 1;\n' });
    const before = readFileSync(file);
    systemFor([file], { write: true }).importModule('mod');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('sets __file__ to <archive>/<entry> and a package’s __path__ to [<archive>/<dir>] (zipimporter: __file__ and __path__)', () => {
    const file = archive({ 'pkg/__init__.ts': '', 'pkg/sub/__init__.ts': '', 'pkg/sub/mod.ts': '' });
    const system = systemFor([file]);
    const mod = system.importModule('pkg.sub.mod') as ModuleType;
    const sub = system.modules.get('pkg.sub') as ModuleType;
    expect(mod.__file__).toBe(join(file, 'pkg', 'sub', 'mod.ts'));
    expect(sub.__file__).toBe(join(file, 'pkg', 'sub', '__init__.ts'));
    expect(sub.__path__).toEqual([join(file, 'pkg', 'sub')]);
  });

  it('gives a folder with no module files a namespace spec: loader null, locations [<archive>/<dir>] (zipimporter.find_spec: namespace)', () => {
    const file = archive({ 'ns/data.txt': 'not a module' });
    const spec = new ZipImporter(file, contextFor()).findSpec('ns') as ModuleSpec;
    expect(spec.loader).toBeNull();
    expect([...(spec.submoduleSearchLocations ?? [])]).toEqual([join(file, 'ns')]);
  });

  it('imports a namespace portion inside an archive and its modules', () => {
    const file = archive({ 'ns/part.ts': "export const p = 'part';\n" });
    const system = systemFor([file]);
    expect((system.importModule('ns.part') as ModuleType).p).toBe('part');
    expect([...((system.modules.get('ns') as ModuleType).__path__ as Iterable<string>)]).toEqual([
      join(file, 'ns'),
    ]);
  });

  it('finds nothing for a name the archive does not hold', () => {
    const file = archive({ 'mod.ts': '' });
    expect(() => systemFor([file]).importModule('absent')).toThrow(ModuleNotFoundError);
  });

  it('loads a JSON entry as its value', () => {
    const file = archive({ 'config.json': '{"debug": true}' });
    expect(systemFor([file]).importModule('config')).toEqual({ debug: true });
  });
});

describe('getData, getSource, isPackage', () => {
  const files = {
    'pkg/__init__.ts': 'export const p = 1;\n',
    'pkg/data/table.txt': 'rows\n',
    'only.jsc': new Uint8Array(80),
  };

  it('reads a data file by its absolute path under <archive>/ (zipimporter.get_data)', () => {
    const file = archive(files);
    const importer = new ZipImporter(file, contextFor());
    expect(Buffer.from(importer.getData(join(file, 'pkg', 'data', 'table.txt'))).toString()).toBe('rows\n');
  });

  it('reads a data file by its path relative to the archive (zipimporter.get_data)', () => {
    const importer = new ZipImporter(archive(files), contextFor());
    expect(Buffer.from(importer.getData('pkg/data/table.txt')).toString()).toBe('rows\n');
  });

  it('throws a not-found error (code ENOENT) for a missing data file (zipimporter.get_data)', () => {
    const importer = new ZipImporter(archive(files), contextFor());
    const error = thrownBy(() => importer.getData('pkg/missing.txt'));
    expect(error).toBeInstanceOf(ZipFileNotFoundError);
    expect(error.code).toBe('ENOENT');
  });

  it('returns no bytes for a folder (zipimporter.get_data)', () => {
    const importer = new ZipImporter(archive(files), contextFor());
    expect(importer.getData('pkg/data').length).toBe(0);
  });

  it('returns null from getSource when only the compiled entry exists', () => {
    expect(new ZipImporter(archive(files), contextFor()).getSource('only')).toBeNull();
  });

  it('returns the source text of a source entry', () => {
    expect(new ZipImporter(archive(files), contextFor()).getSource('pkg')).toBe('export const p = 1;\n');
  });

  it('throws ZipImportError from getSource for a module that is absent', () => {
    const error = thrownBy(() => new ZipImporter(archive(files), contextFor()).getSource('absent'));
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error.moduleName).toBe('absent');
  });

  it('answers isPackage for a package and a module, and throws for an absent one (zipimporter.get_source)', () => {
    const importer = new ZipImporter(archive(files), contextFor());
    expect(importer.isPackage('pkg')).toBe(true);
    expect(importer.isPackage('only')).toBe(false);
    expect(() => importer.isPackage('absent')).toThrow(ZipImportError);
  });

  it('gives getFilename as <archive>/<entry> and a code object that runs the entry', () => {
    const file = archive(files);
    const importer = new ZipImporter(file, contextFor());
    expect(importer.getFilename('pkg')).toBe(join(file, 'pkg', '__init__.ts'));
    const code = importer.getCode('pkg');
    expect(code?.filename).toBe(join(file, 'pkg', '__init__.ts'));
  });

  it('lets module code read its package’s data file through __loader__.getData', () => {
    const file = archive({
      // Module code sees its module object as `exports`, so `exports.__loader__` is its loader.
      'pkg/__init__.js':
        "exports.table = Buffer.from(exports.__loader__.getData(__dirname + '/data/table.txt')).toString();\n",
      'pkg/data/table.txt': 'rows\n',
    });
    const pkg = systemFor([file]).importModule('pkg') as ModuleType;
    expect(pkg.table).toBe('rows\n');
  });
});

describe('the resource reader of a package in an archive (readers.ZipReader)', () => {
  const files = {
    'pkg/__init__.ts': '',
    'pkg/data.txt': 'hello',
    'pkg/inner/deep.txt': 'deep',
    'plain.ts': '',
  };

  it('roots the reader at the package folder and opens its files', () => {
    const reader = new ZipImporter(archive(files), contextFor()).getResourceReader('pkg') as ZipReader;
    expect(reader).toBeInstanceOf(ZipReader);
    expect(reader.prefix).toBe('pkg');
    expect(Buffer.from(reader.openResource('data.txt')).toString()).toBe('hello');
  });

  it('maps a missing resource to a not-found error (code ENOENT)', () => {
    const reader = new ZipImporter(archive(files), contextFor()).getResourceReader('pkg') as ZipReader;
    expect(thrownBy(() => reader.openResource('missing.txt'))).toMatchObject({ code: 'ENOENT' });
  });

  it('counts only files as resources, not folders', () => {
    const reader = new ZipImporter(archive(files), contextFor()).getResourceReader('pkg') as ZipReader;
    expect(reader.isResource('data.txt')).toBe(true);
    expect(reader.isResource('inner')).toBe(false);
    expect(reader.isResource('missing.txt')).toBe(false);
  });

  it('lists the package folder’s contents and traverses into sub-folders', () => {
    const reader = new ZipImporter(archive(files), contextFor()).getResourceReader('pkg') as ZipReader;
    expect(reader.contents().sort()).toEqual(['__init__.ts', 'data.txt', 'inner']);
    expect(reader.files().joinpath('inner', 'deep.txt').readText()).toBe('deep');
  });

  it('refuses resourcePath: a file in an archive has no path on disk', () => {
    const reader = new ZipImporter(archive(files), contextFor()).getResourceReader('pkg') as ZipReader;
    expect(() => reader.resourcePath('data.txt')).toThrow(ZipFileNotFoundError);
  });

  it('gives no reader for a plain module', () => {
    expect(new ZipImporter(archive(files), contextFor()).getResourceReader('plain')).toBeNull();
  });

  it('gives module code its package’s reader through __loader__.getResourceReader', () => {
    const file = archive({
      'pkg/__init__.js':
        "exports.text = Buffer.from(exports.__loader__.getResourceReader().openResource('data.txt')).toString();\n",
      'pkg/data.txt': 'hello',
    });
    expect((systemFor([file]).importModule('pkg') as ModuleType).text).toBe('hello');
  });
});
