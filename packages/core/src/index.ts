/**
 * The import machinery of importlib: Python's import system for JavaScript and TypeScript, without
 * any file format. An {@link ImportSystem} holds one isolated registry and the finders, hooks and
 * caches around it; finders and loaders from `@importlib/finders` and `@importlib/loaders` (or your
 * own) plug into it.
 *
 * This package never touches the file system or `node:vm` (a lint rule holds that).
 *
 * @packageDocumentation
 * @module @importlib/core
 */
export { ImportSystem } from './system.js';
export type { ImportSystemOptions } from './system.js';
export type { ExecCodeModuleOptions } from './exec-code-module.js';
export type { ImportGlobals } from './import-statement.js';
export { ModuleSpec, specFromFileLocation, specFromLoader } from './spec.js';
export type { ModuleSpecOptions, SpecFromFileLocationOptions, SpecFromLoaderOptions } from './spec.js';
export {
  getAttr,
  hasAttr,
  isModule,
  MODULE_ATTRS,
  moduleRepr,
  ModuleType,
  newModule,
  setAttr,
} from './module.js';
export type { SearchLocations } from './module.js';
export { initModuleAttrs, moduleFromSpec } from './attrs.js';
export { CodeObject, isThenable } from './code.js';
export type { CodeRunner } from './code.js';
export { CodeLoader, describeObject } from './loader.js';
export type { Loader } from './loader.js';
export type { MetaPathFinder, PathEntryFinder, PathHook } from './finder.js';
export { PathFinder } from './path-finder.js';
export type { PathFinderHost } from './path-finder.js';
export { NamespaceLoader, NamespacePath } from './namespace.js';
export type { NamespacePathSource } from './namespace.js';
export { GlobalImportLock, ImportTask, ModuleLock, ModuleLockTable, getCurrentTask } from './locks.js';
export {
  absoluteName,
  checkModuleName,
  decodeSegment,
  encodeSegment,
  invalidNameReason,
  resolveName,
  splitLevel,
  splitName,
} from './names.js';
export {
  DeadlockError,
  ErrorCodes,
  hasErrorCode,
  ImportArgumentError,
  ImportError,
  ImportLockError,
  ImportStateError,
  InvalidModuleNameError,
  ModuleNotFoundError,
  RequireAsyncError,
} from './errors.js';
export type { ErrorCode, ImportErrorOptions } from './errors.js';
export type { ImportEvent, ImportTracer, ImportWarningEvent } from './trace.js';
