// Zip archives on the search path of createImportSystem: the hook order, paths inside archives, the
// transpile cache outside the archive (warm starts), and archives replaced or removed while in use.
import { existsSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { moduleFromSpec, ModuleNotFoundError, type ImportEvent, type ModuleType } from '@importlib/core';
import { FileFinder, ZipImporter } from '@importlib/finders';
import { createImportSystem } from '@importlib/hooks';
import { writeZip, zipCachePath, ZipImportError } from '@importlib/loaders';

import { thrownBy, workFolder } from './helpers.js';

const work = workFolder('zip-import-');

let counter = 0;
function archive(files: Record<string, string>, file = join(work.path, `app${++counter}.zip`)): string {
  writeZip(
    file,
    Object.entries(files).map(([name, data]) => ({ name, data })),
  );
  return file;
}

describe('zip archives on the search path', () => {
  it('imports a TypeScript module from an archive on system.path', () => {
    const file = archive({ 'greet.ts': 'export const greet = (who: string): string => `hello ${who}`;\n' });
    const system = createImportSystem({ path: [file], nodeFallback: false });
    const greet = system.importModule('greet') as ModuleType;
    expect((greet.greet as (who: string) => string)('zip')).toBe('hello zip');
    expect(greet.__file__).toBe(join(file, 'greet.ts'));
  });

  it('puts the zip hook before the folder hook, so archives get a ZipImporter and folders a FileFinder', () => {
    const file = archive({ 'inzip.ts': '' });
    const dir = mkdtempSync(join(work.path, 'folder-'));
    writeFileSync(join(dir, 'infolder.ts'), '');
    const system = createImportSystem({ path: [file, dir], nodeFallback: false });
    system.importModule('infolder');
    expect(system.pathImporterCache.get(file)).toBeInstanceOf(ZipImporter);
    expect(system.pathImporterCache.get(dir)).toBeInstanceOf(FileFinder);
  });

  it('searches a folder inside an archive given as a path entry (app.zip/lib)', () => {
    const file = archive({ 'lib/util.ts': "export const where = 'lib';\n" });
    const system = createImportSystem({ path: [join(file, 'lib')], nodeFallback: false });
    expect((system.importModule('util') as ModuleType).where).toBe('lib');
  });

  it('imports packages and relative imports between entries', () => {
    const file = archive({
      'app/__init__.ts': "export { helper } from './helper';\n",
      'app/helper.ts': "import { name } from '../shared/name';\nexport const helper = `helped by ${name}`;\n",
      'shared/name.ts': "export const name = 'shared';\n",
    });
    const system = createImportSystem({ path: [file], nodeFallback: false });
    expect((system.importModule('app') as ModuleType).helper).toBe('helped by shared');
  });

  it('resolves npm dependencies from module code in an archive through Node (from the archive’s folder up)', () => {
    const file = archive({ 'uses.ts': "import ms from 'ms';\nexport const second = ms('1s');\n" });
    const system = createImportSystem({ path: [file] });
    expect((system.importModule('uses') as ModuleType).second).toBe(1000);
  });
});

describe('the transpile cache outside the archive', () => {
  it('writes the transpiled entry beside the archive and runs it from there on a warm start', () => {
    const file = archive({ 'warm.ts': 'export const answer: number = 42;\n' });
    createImportSystem({ path: [file], nodeFallback: false }).importModule('warm');
    const cached = zipCachePath(file, 'warm.ts');
    expect(existsSync(cached)).toBe(true);

    const system = createImportSystem({ path: [file], nodeFallback: false });
    const messages: string[] = [];
    system.addTracer((event: ImportEvent) => {
      if (event.type === 'verbose') messages.push(event.message);
    });
    expect((system.importModule('warm') as ModuleType).answer).toBe(42);
    expect(messages).toContain(`# code object from '${cached}'`);
  });

  it('transpiles again when the entry changed (the cache is keyed by its CRC-32 and size)', () => {
    const file = archive({ 'edit.ts': "export const v = 'one';\n" });
    createImportSystem({ path: [file], nodeFallback: false }).importModule('edit');
    archive({ 'edit.ts': "export const v = 'two';\n" }, file);
    const system = createImportSystem({ path: [file], nodeFallback: false });
    expect((system.importModule('edit') as ModuleType).v).toBe('two');
  });

  it('writes nothing when the compiled cache is off', () => {
    const file = archive({ 'cold.ts': '' });
    createImportSystem({ path: [file], nodeFallback: false, cache: { write: false } }).importModule('cold');
    expect(existsSync(zipCachePath(file, 'cold.ts'))).toBe(false);
  });

  it('puts the transpile cache under the cache prefix when one is set', () => {
    const file = archive({ 'pre.ts': '' });
    const prefix = mkdtempSync(join(work.path, 'prefix-'));
    createImportSystem({ path: [file], nodeFallback: false, cache: { prefix } }).importModule('pre');
    expect(existsSync(zipCachePath(file, 'pre.ts', prefix))).toBe(true);
    expect(zipCachePath(file, 'pre.ts', prefix).startsWith(prefix)).toBe(true);
  });
});

describe('archives replaced or removed while in use', () => {
  it('fails the next import with a ZipImportError naming the archive when it was replaced by garbage', () => {
    const file = archive({ 'one.ts': '', 'two.ts': '' });
    const system = createImportSystem({ path: [file], nodeFallback: false });
    system.importModule('one');
    writeFileSync(file, 'this is no longer a zip archive, just some text of another size');
    const error = thrownBy(() => system.importModule('two'));
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error).toMatchObject({ code: 'ERR_IMPORTLIB_ZIP', archive: file, reason: 'not-a-zip' });
    expect(system.modules.has('two')).toBe(false);
  });

  it('loads from the new archive when it was replaced between finding and loading', () => {
    const file = archive({ 'mod.ts': "export const v = 'old';\n", 'pad.ts': '' });
    const system = createImportSystem({ path: [file], nodeFallback: false, cache: { write: false } });
    const spec = system.findSpec('mod');
    archive({ 'mod.ts': "export const v = 'new, and longer';\n" }, file);
    const module = moduleFromSpec(spec!) as ModuleType;
    void spec!.loader!.execModule!(module);
    expect(module.v).toBe('new, and longer');
  });

  it('fails the load with a ZipImportError naming the entry when it left the archive in between', () => {
    const file = archive({ 'mod.ts': "export const v = 'old';\n" });
    const system = createImportSystem({ path: [file], nodeFallback: false, cache: { write: false } });
    const spec = system.findSpec('mod');
    archive({ 'other.ts': '' }, file);
    const module = moduleFromSpec(spec!) as ModuleType;
    const error = thrownBy(() => spec!.loader!.execModule!(module));
    expect(error).toBeInstanceOf(ZipImportError);
    expect(error).toMatchObject({ archive: file, entry: 'mod.ts' });
  });

  it('finds nothing more in an archive deleted in use, without failing', () => {
    const file = archive({ 'one.ts': '', 'two.ts': '' });
    const system = createImportSystem({ path: [file], nodeFallback: false });
    system.importModule('one');
    unlinkSync(file);
    expect(() => system.importModule('two')).toThrow(ModuleNotFoundError);
  });
});
