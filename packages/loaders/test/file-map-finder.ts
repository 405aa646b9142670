// A meta-path finder for the file loaders' tests: it serves fixed module names from fixed files, so a
// test runs a loader through a real ImportSystem without any folder-searching finder.
import {
  ImportSystem,
  specFromFileLocation,
  type Loader,
  type MetaPathFinder,
  type ModuleSpec,
} from '@importlib/core';

/** Make a loader for `fullname` at `path` (the `LoaderFactory` shape of the folder design, plus the system). */
export type FileLoaderClass = new (fullname: string, path: string, system: ImportSystem) => Loader;

/** Serves `files` (module name → file) with loaders of `loaderClass`. */
export class FileMapFinder implements MetaPathFinder {
  constructor(
    readonly system: ImportSystem,
    readonly loaderClass: FileLoaderClass,
    readonly files: Record<string, string>,
  ) {}

  findSpec(name: string): ModuleSpec | null {
    const file = Object.hasOwn(this.files, name) ? this.files[name] : undefined;
    if (file === undefined) return null;
    return specFromFileLocation(name, file, { loader: new this.loaderClass(name, file, this.system) });
  }
}

/** A new system whose only finder serves `files` with `loaderClass`. */
export function fileSystem(loaderClass: FileLoaderClass, files: Record<string, string>): ImportSystem {
  const system = new ImportSystem();
  system.metaPath = [new FileMapFinder(system, loaderClass, files)];
  return system;
}
