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
 */
import { toNamespacedPath } from 'node:path';

import { ErrorCodes, ImportError, type ImportErrorOptions, type ModuleType } from '@importlib/core';

import { ValueFileLoader } from './value-loader.js';

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
export class ExtensionFileLoader extends ValueFileLoader {
  /** Load the addon and make its exports the registry entry. */
  override execModule(module: ModuleType): void {
    const name = this.nameOf(module);
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
    this.replaceEntry(name, holder.exports);
    this.system.verbose(1, `extension module '${name}' loaded from '${this.path}'`, name);
  }

  /** Addons have no source. */
  getSource(): null {
    return null;
  }

  override toString(): string {
    return `<ExtensionFileLoader for '${this.name}' from '${this.path}'>`;
  }
}
