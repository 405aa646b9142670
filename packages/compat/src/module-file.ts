/**
 * `ModuleFile`: the open file `imp.find_module()` returns for a module that lives in a file (Python's
 * file object): a file descriptor opened for reading, positioned at the beginning, which the caller
 * closes.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';

import { ImportArgumentError } from '@importlib/core';

import type { FileMode } from './constants.js';

/**
 * A module file opened for reading (Python's file object, as `imp.find_module()` returns it). Close it
 * when done, even when loading fails: `try { … } finally { file?.close() }`.
 */
export class ModuleFile {
  /** The file's path (Python's `file.name`). */
  readonly name: string;
  /** `'r'` (read as text, UTF-8) or `'rb'` (read as bytes), as `get_suffixes()` gives it. */
  readonly mode: 'r' | 'rb';
  #fd: number | null;

  /**
   * Open `path` for reading in `mode`.
   * @throws Node's `ENOENT`/`EACCES` error when the file cannot be opened; `ImportArgumentError` for a
   *   mode other than `'r'` or `'rb'`.
   */
  constructor(path: string, mode: FileMode | string = 'r') {
    if (mode !== 'r' && mode !== 'rb') {
      throw new ImportArgumentError(`invalid file open mode '${mode}' for '${path}': use 'r' or 'rb'`);
    }
    this.name = path;
    this.mode = mode;
    this.#fd = openSync(path, 'r');
  }

  /** The file descriptor (Python's `file.fileno()`); throws once the file is closed. */
  get fd(): number {
    return this.#open();
  }

  /** Whether {@link close} was called (Python's `file.closed`). */
  get closed(): boolean {
    return this.#fd === null;
  }

  /**
   * Read from the current position to the end of the file (Python's `file.read()`): a string in mode
   * `'r'`, the bytes in mode `'rb'`.
   * @throws ImportArgumentError when the file is closed.
   */
  read(): string | Buffer {
    const bytes = readFileSync(this.#open()); // from a descriptor: from its position, advancing it
    return this.mode === 'r' ? bytes.toString('utf8') : bytes;
  }

  /** Close the file (Python's `file.close()`); closing it again does nothing. */
  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    closeSync(fd);
  }

  toString(): string {
    return `<${this.closed ? 'closed' : 'open'} file '${this.name}', mode '${this.mode}'>`;
  }

  #open(): number {
    if (this.#fd === null) {
      throw new ImportArgumentError(`I/O operation on closed file '${this.name}'`);
    }
    return this.#fd;
  }
}
