/**
 * The common part of the loaders whose registry entry is a *value* rather than a module object: a
 * native addon's exports, a JSON document, what Node's `require` returned. The module object the
 * import system makes is replaced by that value, as CommonJS replaces `module.exports`.
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

/** A loader for one file whose registry entry becomes a value (addon exports, JSON, a Node module). */
export abstract class ValueFileLoader implements Loader {
  /** The module name this loader was made for. */
  readonly name: string;
  /** The file, made absolute. */
  readonly path: string;
  /** The system whose `modules` receive the value. */
  readonly system: ImportSystem;

  constructor(fullname: string, path: string, system: ImportSystem) {
    this.name = fullname;
    this.path = resolve(path);
    this.system = system;
  }

  /** Ask for the default module object: it is replaced by the value. */
  createModule(): null {
    return null;
  }

  abstract execModule(module: ModuleType): void;

  /** The file (Python's `get_filename`); an `ImportError` for another module's name (`_check_name`). */
  getFilename(fullname: string = this.name): string {
    if (fullname !== this.name) {
      throw new ImportError(`loader for ${this.name} cannot handle ${fullname}`, {
        moduleName: fullname,
        path: this.path,
      });
    }
    return this.path;
  }

  /** Never a package: the registry entry (the value) has no `__path__`. */
  isPackage(): boolean {
    return false;
  }

  /** There is no code object. */
  getCode(): null {
    return null;
  }

  /** The bytes of a file (Python's `FileLoader.get_data`). */
  getData(path: string): Uint8Array {
    return readFileSync(path);
  }

  /** The name `module` is loaded as: its spec's name, else the loader's. */
  protected nameOf(module: ModuleType): string {
    const spec = getAttr(module, '__spec__');
    return spec instanceof ModuleSpec ? spec.name : this.name;
  }

  /** Make `value` the registry entry of `name` (what the import then returns). */
  protected replaceEntry(name: string, value: unknown): void {
    this.system.modules.set(name, value);
  }
}
