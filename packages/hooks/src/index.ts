/**
 * Composition for importlib: `createImportSystem` wires the default finders and loaders into an
 * `ImportSystem` from `@importlib/core`.
 *
 * @packageDocumentation
 * @module @importlib/hooks
 */
export {
  createImportSystem,
  EXTENSION_SUFFIXES,
  getSuffixes,
  JSON_SUFFIXES,
  loaderContextOf,
  SOURCE_SUFFIXES,
  supportedLoaderDetails,
} from './create-import-system.js';
export type { CreateImportSystemOptions, SuffixInfo, SuffixKind } from './create-import-system.js';
export { runModule, runPath } from './run.js';
export type { RunOptions } from './run.js';
export { buildZipApp, runZipApp } from './zipapp.js';
export type { BuildZipAppOptions, BuildZipAppResult, RunZipAppOptions } from './zipapp.js';
export { freeze, isPathTarget } from './freeze.js';
export type { FreezeOptions, FreezeResult, FreezeV8Cache, FrozenModuleInfo } from './freeze.js';
