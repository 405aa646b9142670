/**
 * How code becomes a module: the source loader (transpile + run), the compiled cache (the `.pyc`
 * of this system) and its loader, sourceless, extension (`.node`), JSON, builtin and frozen loaders.
 * Plug them into an `ImportSystem` from `@importlib/core` through the finders of
 * `@importlib/finders`.
 *
 * @packageDocumentation
 * @module @importlib/loaders
 */

// The layout of a source tree: package markers, suffixes, the folders never searched, the tools' walk.
export {
  COMPILED_SUFFIX,
  EXTENSION_SUFFIXES,
  JSON_SUFFIXES,
  listFolder,
  PACKAGE_MARKERS,
  PYCACHE,
  SOURCE_SUFFIXES,
  walkTree,
} from './layout.js';
export type { FolderEntry, TreeFile, WalkTreeOptions } from './layout.js';

// The compiled cache: file names, format, freshness and atomic writes.
export { cacheFromSource, MAGIC_TAG, sourceFromCache } from './cache-paths.js';
export type { CachePathOptions } from './cache-paths.js';
export {
  CompiledCacheError,
  decodeCompiled,
  encodeCompiled,
  HEADER_SIZE,
  isFresh,
  sourceHash,
} from './compiled-cache.js';
export { writeFileAtomic } from './io/atomic-write.js';
export {
  FORMAT_VERSION,
  getMagic,
  getMagicNumber,
  getMagicTag,
  magicForOptions,
  getTranspilerId,
} from './magic.js';
export { v8RuntimeKey } from './v8-runtime-key.js';
export type {
  CheckHashBased,
  CompiledCacheErrorReason,
  CompiledRecord,
  DecodeContext,
  DecodedCompiled,
  EncodeOptions,
  InvalidationMode,
} from './compiled-cache.js';
export type { WriteFileAtomicOptions } from './io/atomic-write.js';
export { compiledWriteStats, flushCompiledWrites } from './cache-writer.js';
// End of the compiled cache.

// Builtin, extension (`.node`) and JSON loaders (builtin-loader.ts, extension-loader.ts, json-loader.ts).
export {
  BUILTIN_ORIGIN,
  BuiltinLoader,
  Inittab,
  nodeBuiltinId,
  nodeBuiltinName,
  nodeBuiltinNames,
} from './builtin-loader.js';
export type { BuiltinLoaderOptions, InittabInit } from './builtin-loader.js';
export { ExtensionFileLoader, ExtensionLoadError } from './extension-loader.js';
export { JsonFileLoader } from './json-loader.js';
// End of the builtin, extension and JSON loaders.

// Running code from folders: transpiling, the module runtime, the source and sourceless loaders,
// stack traces mapped to the source, and the loader of modules Node resolves itself.
export {
  DYNAMIC_IMPORT,
  ImportSyntaxError,
  TRANSFORM_REVISION,
  transpile,
  transpileOptionsKey,
} from './transpile.js';
export type { TranspileOptions, TranspileResult } from './transpile.js';
export { resolveSpecifier } from './specifiers.js';
export type { Target } from './specifiers.js';
export { compileBody } from './module-body.js';
export { createModuleScope, runBody } from './runtime.js';
export { isModuleCodeLookup } from './system-scopes.js';
export type { CommonJsModule, ModuleRequire } from './module-scope-types.js';
export type { CompiledBody, ModuleFunction } from './module-body.js';
export type { ModuleScope, ScopeOptions } from './runtime.js';
export { INLINE_COMPILED_WRITES, LoaderContext } from './loader-context.js';
export type { CompiledCacheOptions, LoaderOptions } from './loader-context.js';
export { SourceFileLoader, SourcelessFileLoader } from './source-loader.js';
export { registerSourceMap, unregisterSourceMap } from './stack-traces.js';
export type { RegisterSourceMapOptions, SourceMapLoader } from './stack-traces.js';
export { compileFile } from './compile-file.js';
export type { CompileFileOptions, CompileFileResult } from './compile-file.js';
export { NodeRequireLoader, requireFile } from './node-loader.js';
export type { NodeEntryState } from './node-loader.js';
export { isEsmFile, isInNodeModules, nodeResolve, packageEntry, readPackageJson } from './node-resolve.js';
export type { NodeConditions, PackageJson } from './node-resolve.js';
export { ValueFileLoader } from './value-loader.js';

// Zip archives: reading the central directory (shared per archive), single-entry reads, writing, the
// loaders of entries and the resource reader (zip/).
export { ZipFileNotFoundError, ZipImportError } from './zip/errors.js';
export type { ZipErrorReason, ZipImportErrorOptions } from './zip/errors.js';
export {
  getZipDirectory,
  invalidateZipDirectory,
  peekZipDirectory,
  readZipDirectory,
  unsafeEntryNameReason,
  ZipDirectory,
} from './zip/directory.js';
export type { ZipEntry } from './zip/directory.js';
export { encodeZip, writeZip } from './zip/writer.js';
export type { ZipWriteEntry, ZipWriteOptions } from './zip/writer.js';
export {
  entryPath,
  readZipData,
  zipCachePath,
  zipCompiledEntryName,
  ZipJsonLoader,
  ZipPath,
  ZipReader,
  ZipSourceLoader,
  ZipSourcelessLoader,
} from './zip/loaders.js';
// End of zip archives.

// Frozen bundles: the format, its writer and reader, and the loader of frozen code (frozen/).
export {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  BUNDLE_SUFFIX,
  checkFrozenUsable,
  encodeBundle,
  FROZEN_ORIGIN,
  FrozenBundle,
  FrozenBundleError,
  FrozenLoader,
  hasBundleMagic,
  isBundleFile,
  programOf,
  writeBundle,
} from './frozen/index.js';
export type {
  EncodeBundleOptions,
  FrozenBundleErrorReason,
  FrozenCode,
  FrozenEntry,
  FrozenLoaderOptions,
  FrozenLoaderState,
  FrozenLookup,
  FrozenProgram,
  FrozenRecord,
} from './frozen/index.js';
// End of frozen bundles.
