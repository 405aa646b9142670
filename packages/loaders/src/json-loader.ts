/**
 * `JsonFileLoader`: a `.json` file is a module whose value is the parsed document, as Node's
 * `require('./x.json')` gives. The registry entry becomes that value (an object, an array, a string,
 * a number or a boolean), replacing the module object made for the spec.
 *
 * A document that is just `null` is refused: `null` in `modules` marks a blocked name (Python's
 * `None` in `sys.modules`), so it cannot stand for a module.
 */
import { readFileSync } from 'node:fs';

import { ImportError, type ModuleType } from '@importlib/core';

import { ValueFileLoader } from './value-loader.js';

import { ImportSyntaxError } from './transpile.js';

/** Loads one JSON file (what Python would do with a `FileLoader` for data). */
export class JsonFileLoader extends ValueFileLoader {
  /**
   * Read and parse the file and make its value the registry entry. A syntax error is an
   * `ImportSyntaxError` (`ERR_IMPORTLIB_SYNTAX`) with the file, and the line and column when
   * `JSON.parse` tells the position.
   */
  override execModule(module: ModuleType): void {
    const name = this.nameOf(module);
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
    this.replaceEntry(name, value);
  }

  /** The text of the file, without a byte-order mark. */
  getSource(fullname: string = this.name): string {
    return this.#read(fullname);
  }

  override toString(): string {
    return `<JsonFileLoader for '${this.name}' from '${this.path}'>`;
  }

  #read(name: string): string {
    const text = this.readText(name);
    // Node's require() drops a UTF-8 byte-order mark before parsing JSON; so do we.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /**
   * @internal The document's text as stored (the zip JSON loader reads an archive entry instead).
   * @throws ImportError when the file cannot be read.
   */
  protected readText(name: string): string {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ImportError(`cannot read '${name}' from '${this.path}': ${reason}`, {
        moduleName: name,
        path: this.path,
        cause: error,
      });
    }
  }
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
