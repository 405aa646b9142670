/**
 * `JsonFileLoader`: a `.json` file is a module whose value is the parsed document, as Node's
 * `require('./x.json')` gives. The registry entry becomes that value (an object, an array, a string,
 * a number or a boolean), replacing the module object made for the spec.
 *
 * A document that is just `null` is refused: `null` in `modules` marks a blocked name (Python's
 * `None` in `sys.modules`), so it cannot stand for a module.
 *
 * Must not import anything but `@importlib/core`, this package's own files and Node built-ins.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import {
  getAttr,
  ImportError,
  ModuleSpec,
  type ImportSystem,
  type Loader,
  type ModuleType,
} from '@importlib/core';

import { ImportSyntaxError } from './transpile.js';

/** Loads one JSON file (what Python would do with a `FileLoader` for data). */
export class JsonFileLoader implements Loader {
  /** The module name this loader was made for. */
  readonly name: string;
  /** The JSON file, made absolute. */
  readonly path: string;
  /** The system whose `modules` receive the parsed value. */
  readonly system: ImportSystem;

  constructor(fullname: string, path: string, system: ImportSystem) {
    this.name = fullname;
    this.path = resolve(path);
    this.system = system;
  }

  /** Ask for the default module object: it is replaced by the parsed value. */
  createModule(): null {
    return null;
  }

  /**
   * Read and parse the file and make its value the registry entry. A syntax error is an
   * `ImportSyntaxError` (`ERR_IMPORTLIB_SYNTAX`) with the file, and the line and column when
   * `JSON.parse` tells the position.
   */
  execModule(module: ModuleType): void {
    const name = moduleName(module, this.name);
    const text = this.#read(name);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw jsonSyntaxError(error, text, this.path, name);
    }
    if (value === null) {
      throw new ImportError(
        `cannot import '${name}' from '${this.path}': the document is null, and null in modules marks a blocked name`,
        { moduleName: name, path: this.path },
      );
    }
    this.system.modules.set(name, value);
  }

  /** The JSON file (Python's `get_filename`); an `ImportError` for another module's name. */
  getFilename(fullname: string = this.name): string {
    if (fullname !== this.name) {
      throw new ImportError(`loader for ${this.name} cannot handle ${fullname}`, {
        moduleName: fullname,
        path: this.path,
      });
    }
    return this.path;
  }

  /** JSON modules are never packages: the registry entry (the value) has no `__path__`. */
  isPackage(): boolean {
    return false;
  }

  /** The text of the file, without a byte-order mark. */
  getSource(fullname: string = this.name): string {
    return this.#read(fullname);
  }

  /** JSON has no code object. */
  getCode(): null {
    return null;
  }

  /** The bytes of a file (Python's `FileLoader.get_data`). */
  getData(path: string): Uint8Array {
    return readFileSync(path);
  }

  toString(): string {
    return `<JsonFileLoader for '${this.name}' from '${this.path}'>`;
  }

  #read(name: string): string {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ImportError(`cannot read '${name}' from '${this.path}': ${reason}`, {
        moduleName: name,
        path: this.path,
        cause: error,
      });
    }
    // Node's require() drops a UTF-8 byte-order mark before parsing JSON; so do we.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}

/** The name a module is loaded as: its spec's name, else the loader's. */
function moduleName(module: ModuleType, fallback: string): string {
  const spec = getAttr(module, '__spec__');
  return spec instanceof ModuleSpec ? spec.name : fallback;
}

/**
 * Turn `JSON.parse`'s error into an {@link ImportSyntaxError}. V8 tells the position for some errors
 * only (`… at position 8`, and in newer versions `(line 1 column 9)`); the others name just the file.
 */
function jsonSyntaxError(error: unknown, text: string, path: string, name: string): ImportSyntaxError {
  const reason = error instanceof Error ? error.message : String(error);
  let line: number | null = null;
  let column: number | null = null;
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(reason);
  const position = /at position (\d+)/.exec(reason);
  if (lineColumn) {
    line = Number(lineColumn[1]);
    column = Number(lineColumn[2]);
  } else if (position) {
    const offset = Math.min(Number(position[1]), text.length);
    const before = text.slice(0, offset);
    line = before.split('\n').length;
    column = offset - before.lastIndexOf('\n');
  }
  const location = line === null ? path : `${path}:${line}:${column}`;
  return new ImportSyntaxError(`cannot import '${name}': syntax error at ${location}: ${reason}`, {
    moduleName: name,
    path,
    line,
    column,
    cause: error,
  });
}
