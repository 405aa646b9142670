/**
 * `ExtensionFileLoader`: native addons (`.node` files) through `process.dlopen`, as Node's own
 * `require` loads them. The registry entry becomes the addon's exports (a replacement, like
 * `module.exports = X` in CommonJS), so the module object made for the spec is dropped.
 *
 * **Loading a file again** (a second import system, or the same file under another name: Python's
 * `load_dynamic('foo', 'mod.so')` and `load_dynamic('bar', 'mod.so')`): the operating system hands back
 * the library it already mapped for that path, so its C state (static variables) is shared; Node then
 * runs a Node-API addon's init function again and returns *new* exports. An addon that registers itself
 * only from a static constructor (pre-Node-API `NODE_MODULE`) may refuse a second load ("did not
 * self-register"). A copy of the file at another path is a separate library with its own state.
 * `system.reload()` refuses the exports (they are not a module object): as Python's documentation says
 * of extension modules, initialising one again is rarely useful; import it in a new system instead.
 *
 * Must not import anything but `@importlib/core` and Node built-ins.
 */
import { readFileSync } from 'node:fs';
import { resolve, toNamespacedPath } from 'node:path';

import {
  ErrorCodes,
  getAttr,
  ImportError,
  ModuleSpec,
  type ImportErrorOptions,
  type ImportSystem,
  type Loader,
  type ModuleType,
} from '@importlib/core';

/**
 * Raised when a native addon cannot be loaded: not a shared library, built for another platform or
 * Node-API version, or registering no module. `code` is `ERR_IMPORTLIB_EXTENSION`; `cause` is Node's
 * own error (`ERR_DLOPEN_FAILED`).
 */
export class ExtensionLoadError extends ImportError {
  constructor(message: string, options: ImportErrorOptions = {}) {
    super(message, options, ErrorCodes.EXTENSION);
  }

  override get name(): string {
    return 'ExtensionLoadError';
  }
}

/** Loads one native addon file (Python's `ExtensionFileLoader`). */
export class ExtensionFileLoader implements Loader {
  /** The module name this loader was made for. */
  readonly name: string;
  /** The addon file, made absolute (`dlopen` searches the library path for a bare file name). */
  readonly path: string;
  /** The system whose `modules` receive the addon's exports. */
  readonly system: ImportSystem;

  constructor(fullname: string, path: string, system: ImportSystem) {
    this.name = fullname;
    this.path = resolve(path);
    this.system = system;
  }

  /** Ask for the default module object: it is replaced by the addon's exports. */
  createModule(): null {
    return null;
  }

  /** Load the addon and make its exports the registry entry. */
  execModule(module: ModuleType): void {
    const name = moduleName(module, this.name);
    const holder: { exports: unknown } = { exports: {} };
    try {
      process.dlopen(holder, toNamespacedPath(this.path));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ExtensionLoadError(`cannot load extension module '${name}' from '${this.path}': ${reason}`, {
        moduleName: name,
        path: this.path,
        cause: error,
      });
    }
    this.system.modules.set(name, holder.exports);
    this.system.verbose(1, `extension module '${name}' loaded from '${this.path}'`, name);
  }

  /** The addon file (Python's `get_filename`); an `ImportError` for another module's name. */
  getFilename(fullname: string = this.name): string {
    checkName(this, fullname);
    return this.path;
  }

  /** Addons are never packages here: the registry entry (the exports) has no `__path__`. */
  isPackage(): boolean {
    return false;
  }

  /** Addons have no code object. */
  getCode(): null {
    return null;
  }

  /** Addons have no source. */
  getSource(): null {
    return null;
  }

  /** The bytes of a file (Python's `FileLoader.get_data`). */
  getData(path: string): Uint8Array {
    return readFileSync(path);
  }

  toString(): string {
    return `<ExtensionFileLoader for '${this.name}' from '${this.path}'>`;
  }
}

/** The name a module is loaded as: its spec's name, else the loader's. */
function moduleName(module: ModuleType, fallback: string): string {
  const spec = getAttr(module, '__spec__');
  return spec instanceof ModuleSpec ? spec.name : fallback;
}

/** Python's `_check_name`: a file loader serves only the name it was made for. */
function checkName(loader: { name: string; path: string }, fullname: string): void {
  if (fullname !== loader.name) {
    throw new ImportError(`loader for ${loader.name} cannot handle ${fullname}`, {
      moduleName: fullname,
      path: loader.path,
    });
  }
}
