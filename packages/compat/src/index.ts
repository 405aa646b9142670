/**
 * The porting layer for Python's import APIs: {@link imp}, Python 2's `imp` module, and
 * {@link capi}, the `PyImport_*` functions of the C API, every member under its Python name, over an
 * `ImportSystem` from `@importlib/core`.
 *
 * The `imp` and `capi` objects are bound to one default system made by `createImportSystem()` the
 * first time they are used (importing this package creates nothing); {@link createImp} and
 * {@link createCapi} bind them to any other system.
 *
 * @packageDocumentation
 * @module @importlib/compat
 */
import { CApi } from './capi.js';
import { Imp } from './imp.js';
import { getDefaultSystem } from './system-parts.js';

export {
  C_BUILTIN,
  C_EXTENSION,
  IMP_HOOK,
  PKG_DIRECTORY,
  PY_CODERESOURCE,
  PY_COMPILED,
  PY_FROZEN,
  PY_RESOURCE,
  PY_SOURCE,
  SEARCH_ERROR,
} from './constants.js';
export type { FileMode, ModuleDescription, ModuleKind } from './constants.js';
export { createImp, Imp } from './imp.js';
export type { FindModuleResult } from './imp.js';
export { CApi, createCapi } from './capi.js';
export type { ImportFunction, ImportHookGlobals, InittabInit } from './capi.js';
export { ModuleFile } from './module-file.js';
export { NullImporter } from './null-importer.js';
export { getDefaultSystem } from './system-parts.js';
export type { SystemSource } from './system-parts.js';

/**
 * Python 2's `imp` module, bound to the default system ({@link getDefaultSystem}, made on first use).
 * @example
 * import { imp } from '@importlib/compat';
 * imp.system.path.push('src');
 * const [file, pathname, description] = imp.find_module('app');
 * try {
 *   imp.load_module('app', file, pathname, description);
 * } finally {
 *   file?.close();
 * }
 */
export const imp: Imp = /* @__PURE__ */ new Imp(getDefaultSystem);

/**
 * The `PyImport_*` C API, bound to the default system ({@link getDefaultSystem}, made on first use).
 * @example
 * import { capi } from '@importlib/compat';
 * const module = capi.PyImport_ImportModule('node:path');
 */
export const capi: CApi = /* @__PURE__ */ new CApi(getDefaultSystem);
