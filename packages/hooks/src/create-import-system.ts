/**
 * `createImportSystem`: a ready-made import system, wired the way CPython's `_install` wires `sys`:
 * meta path = builtin importer, frozen importer, path finder, Node fallback; path hooks = the frozen
 * bundle hook, the zip importer (archives and folders inside them), then the file finder with every
 * supported loader, in one documented suffix order.
 */
import { ImportSystem, type PathHook } from '@importlib/core';
import {
  BuiltinImporter,
  FileFinder,
  FrozenImporter,
  ListingCache,
  NodeFallbackFinder,
  ZipImporter,
  type LoaderDetail,
} from '@importlib/finders';
import {
  COMPILED_SUFFIX,
  EXTENSION_SUFFIXES,
  ExtensionFileLoader,
  JSON_SUFFIXES,
  SOURCE_SUFFIXES,
  JsonFileLoader,
  LoaderContext,
  type Inittab,
  SourceFileLoader,
  SourcelessFileLoader,
  type FrozenBundle,
  isInNodeModules,
  type LoaderOptions,
  NodeRequireLoader,
} from '@importlib/loaders';

// Layout rules of @importlib/loaders (layout.ts), exported here too as they always were.
export { EXTENSION_SUFFIXES, JSON_SUFFIXES, SOURCE_SUFFIXES };

/**
 * The `(loader, suffixes)` pairs of the file finder, in Python's order: extensions, then sources,
 * then compiled-only files, then JSON (`_get_supported_file_loaders`, plus JSON). This is the one
 * place the order is decided.
 */
export function supportedLoaderDetails(context: LoaderContext): LoaderDetail[] {
  const { system } = context;
  // An installed package's JavaScript and JSON (a file inside a `node_modules` folder) is run by Node
  // itself, as Node would run it: see docs/guide/npm.md. Everything else is the system's to run.
  const byNode = (path: string): boolean =>
    context.nodeFallback && isInNodeModules(path) && NODE_RUNS.test(path);
  return [
    [(name, path) => new ExtensionFileLoader(name, path, system), EXTENSION_SUFFIXES],
    [
      (name, path) =>
        byNode(path) ? new NodeRequireLoader(name, path, system) : new SourceFileLoader(name, path, context),
      SOURCE_SUFFIXES,
    ],
    [(name, path) => new SourcelessFileLoader(name, path, context), [COMPILED_SUFFIX]],
    [
      (name, path) =>
        byNode(path) ? new NodeRequireLoader(name, path, system) : new JsonFileLoader(name, path, system),
      JSON_SUFFIXES,
    ],
  ];
}

/** The files Node runs without help (no TypeScript, no JSX). */
const NODE_RUNS = /\.(?:[cm]?js|json)$/;

/** What kind of module a suffix holds (Python's `imp` type constants, by name). */
export type SuffixKind = 'extension' | 'source' | 'compiled' | 'json';

/** One suffix the file finder recognises. */
export interface SuffixInfo {
  suffix: string;
  kind: SuffixKind;
}

/**
 * The suffixes folders are searched for, in the order they are tried (Python's `imp.get_suffixes()`;
 * `@importlib/compat` turns these into its `(suffix, mode, type)` triples).
 */
export function getSuffixes(): SuffixInfo[] {
  return [
    ...EXTENSION_SUFFIXES.map((suffix) => ({ suffix, kind: 'extension' as const })),
    ...SOURCE_SUFFIXES.map((suffix) => ({ suffix, kind: 'source' as const })),
    { suffix: COMPILED_SUFFIX, kind: 'compiled' as const },
    ...JSON_SUFFIXES.map((suffix) => ({ suffix, kind: 'json' as const })),
  ];
}

const contexts = new WeakMap<ImportSystem, LoaderContext>();

/**
 * The loader context (options of the compiled cache and of transpiling) a system made by
 * {@link createImportSystem} was given, or `undefined` for any other system. `runPath` loads a
 * script file with it, and `@importlib/compat`'s `imp.load_source` / `load_compiled` make their
 * loaders with it, so they honour the system's cache and transpile options.
 */
export function loaderContextOf(system: ImportSystem): LoaderContext | undefined {
  return contexts.get(system);
}

/** Options of {@link createImportSystem}. */
export interface CreateImportSystemOptions extends LoaderOptions {
  /**
   * The search path (Python's `sys.path`): folders, zip archives and folders inside them (`app.zip`,
   * `app.zip/lib`). `''` means the current directory.
   * @default []
   */
  path?: string[];
  /**
   * Serve Node's core modules (`fs`, `node:fs`, …) and the inittab's modules through the builtin
   * importer, first on the meta path.
   * @default true
   */
  builtins?: boolean;
  /** User builtins (Python's inittab), served by the builtin importer. */
  inittab?: Inittab;
  /**
   * Frozen bundles (files made by `freeze`, or bundles already read), served by a `FrozenImporter`
   * right after the builtin importer, ahead of the path finder (CPython's order: the importer is there,
   * serving nothing, without bundles, so `imp.init_frozen` and friends always find it). Earlier bundles win.
   * A bundle that cannot be read throws `FrozenBundleError` here. (A bundle file placed on `path`
   * works too, through the bundle path hook, which is always installed.)
   * @default []
   */
  frozen?: readonly (string | FrozenBundle)[];
  /**
   * Report each file the folder finders look for, and each possible namespace folder, as verbose
   * events (`trying <file>` at level 2: Python's `-vv`). Off by default, so an import builds no
   * such message unless asked (the `importlib` command turns it on for `-vv` and `find`).
   * @default false
   */
  traceFiles?: boolean;
}

/**
 * Make a ready import system: builtins, folders on `path` (TypeScript and JavaScript sources with the
 * compiled cache, compiled-only files, JSON, native addons, namespace packages) and, last, Node's own
 * resolution for npm dependencies.
 */
export function createImportSystem(options: CreateImportSystemOptions = {}): ImportSystem {
  const system = new ImportSystem({ path: options.path ?? [] });
  const context = new LoaderContext(system, options);
  contexts.set(system, context);
  const details = supportedLoaderDetails(context);
  // The settled option, from the one place every loader reads it (frozen code and Node's fallback too).
  const { nodeFallback } = context;
  // One listing cache for the three hooks: a package folder a FileFinder found is known to be a
  // folder, so the bundle and zip hooks decline it, and the folder hook takes it, with no `stat`.
  // A folder's mtime is checked once per outer synchronous import, not on every lookup (Python's
  // FileFinder checks every time): a module file created and imported during the same import needs
  // system.invalidateCaches() first, as Python advises for files created at run time.
  const checkId = (): number | null => system.outerImportId;
  const listings = new ListingCache({ checkId });
  const hook: PathHook = options.traceFiles
    ? FileFinder.pathHook({ listings, trace: (message, level) => system.verbose(level, message) }, ...details)
    : FileFinder.pathHook({ listings }, ...details);
  // Zip archives before folders (CPython's `path_hooks` order: zipimporter, then FileFinder).
  const zipHook = ZipImporter.pathHook(context, { sourceSuffixes: SOURCE_SUFFIXES, listings, checkId });
  system.pathHooks.push(FrozenImporter.pathHook(system, { nodeFallback, listings }), zipHook, hook);
  system.metaPath = [
    ...(options.builtins === false ? [] : [new BuiltinImporter({ system, inittab: options.inittab })]),
    new FrozenImporter({ system, bundles: options.frozen ?? [], nodeFallback }),
    system.pathFinder,
    ...(nodeFallback ? [new NodeFallbackFinder(system)] : []),
  ];
  return system;
}
