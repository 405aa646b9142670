/**
 * Frozen bundles: the format (`format.ts`), the writer, the reader and the loader of frozen code.
 */
export {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  BUNDLE_SUFFIX,
  FrozenBundleError,
} from './format.js';
export type { FrozenBundleErrorReason } from './format.js';
export { encodeBundle, programOf, writeBundle } from './writer.js';
export type { EncodeBundleOptions, FrozenRecord } from './writer.js';
export { FrozenBundle, hasBundleMagic, isBundleFile } from './reader.js';
export type { FrozenCode, FrozenEntry, FrozenProgram } from './reader.js';
export { checkFrozenUsable, FROZEN_ORIGIN, FrozenLoader } from './loader.js';
export type { FrozenLoaderOptions, FrozenLoaderState, FrozenLookup } from './loader.js';
