// JsonFileLoader: a .json file's parsed value becomes the registry entry; bad files give typed errors
// and leave nothing in `modules`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ErrorCodes, ImportError, ModuleType, specFromFileLocation } from '@importlib/core';

import { JsonFileLoader } from '../src/json-loader.js';
import { ImportSyntaxError } from '../src/transpile.js';
import { fileSystem } from './file-map-finder.js';
import { thrownBy } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'importlib-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** Write `text` to a new file and return its path. */
function jsonFile(text: string): string {
  const file = join(dir, `doc${++count}.json`);
  writeFileSync(file, text);
  return file;
}

/** A system serving `text` as the module `name`. */
function systemWith(text: string, name = 'data') {
  const file = jsonFile(text);
  return { system: fileSystem(JsonFileLoader, { [name]: file }), file };
}

describe('JsonFileLoader: values', () => {
  it('makes the parsed object the registry entry and the result of the import', () => {
    const { system } = systemWith('{"name": "importlib", "tags": ["a", "b"]}');
    const value = system.importModule('data');
    expect(value).toEqual({ name: 'importlib', tags: ['a', 'b'] });
    expect(system.modules.get('data')).toBe(value);
  });

  it('gives a plain object, not a module object, without import attributes', () => {
    const { system } = systemWith('{"a": 1}');
    const value = system.importModule('data') as object;
    expect(value).not.toBeInstanceOf(ModuleType);
    expect(Object.hasOwn(value, '__spec__')).toBe(false);
    expect(Object.keys(value)).toEqual(['a']);
  });

  it.each([
    ['a number', '42', 42],
    ['a string', '"hello"', 'hello'],
    ['false', 'false', false],
    ['an array', '[1, 2, 3]', [1, 2, 3]],
  ])('makes %s document the registry entry', (_label, text, expected) => {
    const { system } = systemWith(text);
    expect(system.importModule('data')).toEqual(expected);
    expect(system.modules.get('data')).toEqual(expected);
  });

  it('returns the same value on a second import without reading the file again', () => {
    const { system, file } = systemWith('{"v": 1}');
    const first = system.importModule('data');
    writeFileSync(file, '{"v": 2}');
    expect(system.importModule('data')).toBe(first);
  });

  it('parses the file separately for each import system', () => {
    const file = jsonFile('{"shared": false}');
    const one = fileSystem(JsonFileLoader, { data: file }).importModule('data');
    const two = fileSystem(JsonFileLoader, { data: file }).importModule('data');
    expect(one).toEqual(two);
    expect(one).not.toBe(two);
  });

  it('ignores a UTF-8 byte-order mark, as require() does', () => {
    const { system } = systemWith('\uFEFF{"bom": true}');
    expect(system.importModule('data')).toEqual({ bom: true });
  });
});

describe('JsonFileLoader: errors', () => {
  it('raises an ImportSyntaxError naming the module and the file for invalid JSON', () => {
    const { system, file } = systemWith('{"a": }');
    const error = thrownBy<ImportSyntaxError>(() => system.importModule('data'));
    expect(error).toBeInstanceOf(ImportSyntaxError);
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe(ErrorCodes.SYNTAX);
    expect(error.moduleName).toBe('data');
    expect(error.path).toBe(file);
    expect(error.message).toContain(file);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('leaves nothing in modules after a syntax error', () => {
    const { system } = systemWith('[1, 2,');
    expect(() => system.importModule('data')).toThrow(ImportSyntaxError);
    expect(system.modules.has('data')).toBe(false);
  });

  it('gives the line and column when JSON.parse tells the position', () => {
    const { system, file } = systemWith('{\n  "a": 1\n} trailing');
    const error = thrownBy<ImportSyntaxError>(() => system.importModule('data'));
    expect(error.line).toBe(3);
    expect(error.column).toBe(3);
    expect(error.message).toContain(`${file}:3:3`);
  });

  it('refuses a document that is null, since null in modules blocks a name', () => {
    const { system, file } = systemWith('null');
    const error = thrownBy<ImportError>(() => system.importModule('data'));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe(ErrorCodes.IMPORT);
    expect(error.path).toBe(file);
    expect(error.message).toMatch(/null/);
    expect(system.modules.has('data')).toBe(false);
  });

  it('raises an ImportError naming the file when the file cannot be read', () => {
    const missing = join(dir, 'missing.json');
    const system = fileSystem(JsonFileLoader, { data: missing });
    const error = thrownBy<ImportError>(() => system.importModule('data'));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.moduleName).toBe('data');
    expect(error.path).toBe(missing);
    expect((error.cause as { code?: string }).code).toBe('ENOENT');
    expect(system.modules.has('data')).toBe(false);
  });
});

describe('JsonFileLoader: the loader protocol', () => {
  it('returns the text of the file from getSource(), without a byte-order mark', () => {
    const file = jsonFile('\uFEFF{"x": 1}\n');
    expect(new JsonFileLoader('data', file, fileSystem(JsonFileLoader, {})).getSource('data')).toBe(
      '{"x": 1}\n',
    );
  });

  it('returns the absolute file from getFilename(), even when made with a relative path', () => {
    const file = jsonFile('1');
    const loader = new JsonFileLoader('data', relative(process.cwd(), file), fileSystem(JsonFileLoader, {}));
    expect(loader.getFilename('data')).toBe(file);
    expect(loader.path).toBe(file);
  });

  it('refuses getFilename() for a name it was not made for', () => {
    const loader = new JsonFileLoader('data', jsonFile('1'), fileSystem(JsonFileLoader, {}));
    expect(() => loader.getFilename('other')).toThrow(ImportError);
  });

  it('says the module is no package and has no code object', () => {
    const loader = new JsonFileLoader('data', jsonFile('1'), fileSystem(JsonFileLoader, {}));
    expect(loader.isPackage()).toBe(false);
    expect(loader.getCode()).toBeNull();
  });

  it('gives a spec whose origin is the file', () => {
    const file = jsonFile('{}');
    const system = fileSystem(JsonFileLoader, { data: file });
    const spec = system.findSpec('data');
    expect(spec?.origin).toBe(file);
    expect(spec?.hasLocation).toBe(true);
    expect(spec?.loader).toBeInstanceOf(JsonFileLoader);
  });

  it('works as the loader factory of a spec built from a file location', () => {
    const file = jsonFile('{"factory": true}');
    const system = fileSystem(JsonFileLoader, {});
    const factory = (fullname: string, path: string) => new JsonFileLoader(fullname, path, system);
    system.metaPath.push({
      findSpec: (name) =>
        name === 'data' ? specFromFileLocation(name, file, { loader: factory(name, file) }) : null,
    });
    expect(system.importModule('data')).toEqual({ factory: true });
  });

  it('names the module and the file in toString()', () => {
    const file = jsonFile('1');
    expect(String(new JsonFileLoader('data', file, fileSystem(JsonFileLoader, {})))).toBe(
      `<JsonFileLoader for 'data' from '${file}'>`,
    );
  });
});
