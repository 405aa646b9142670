/**
 * How modules are found: the path-entry and meta-path finders that plug into an `ImportSystem` from
 * `@importlib/core`. {@link FileFinder} searches folders (through its path hook, on
 * `system.pathHooks`).
 *
 * @packageDocumentation
 * @module @importlib/finders
 */

// FileFinder: folders on the search path (file-finder.ts, listing-cache.ts).
export { FileFinder } from './file-finder.js';
export type { FileFinderOptions, LoaderDetail, LoaderFactory } from './file-finder.js';
export { FolderListing, ListingCache } from './listing-cache.js';
export type { EntryKind, ListingCacheOptions } from './listing-cache.js';

// BuiltinImporter: Node core modules and inittab builtins (builtin-importer.ts).
export { BuiltinImporter } from './builtin-importer.js';
export type { BuiltinImporterOptions } from './builtin-importer.js';

// The Node fallback: top-level names nothing else claims, resolved by Node (node-fallback.ts).
export { NodeFallbackFinder } from './node-fallback.js';

// ZipImporter: zip archives (and folders inside them) on the search path (zip-importer.ts).
export { ZipImporter } from './zip-importer.js';
// A layout rule of @importlib/loaders (layout.ts), exported here too as it always was.
export { SOURCE_SUFFIXES } from '@importlib/loaders';
export type { ZipImporterOptions } from './zip-importer.js';

// FrozenImporter: modules from frozen bundles, on the meta path and as a path hook (frozen-importer.ts).
export { FrozenImporter } from './frozen-importer.js';
export type { FrozenImporterOptions, FrozenInfo } from './frozen-importer.js';
