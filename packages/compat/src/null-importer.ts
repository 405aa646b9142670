/**
 * `NullImporter`: Python 2's path-entry finder for entries that are not folders and that no other
 * path hook handles: it finds nothing.
 */
import { ImportArgumentError, ImportError, type PathEntryFinder } from '@importlib/core';

import { isDirectory } from './system-parts.js';

/**
 * A path-entry finder that never finds a module (Python 2's `imp.NullImporter`). Python 2 stored one
 * in `sys.path_importer_cache` for each entry that was not a directory and that no path hook handled;
 * Python 3 (and `ImportSystem`) stores `null` there instead. To get Python 2's behaviour, put
 * `(entry) => new NullImporter(entry)` last on `system.pathHooks`.
 */
export class NullImporter implements PathEntryFinder {
  /** The path entry this importer stands for. */
  readonly path: string;

  /**
   * Make a `NullImporter` for a path that is not a folder.
   * @throws ImportError for `''` or an existing folder (Python's `ImportError`), so a path hook made
   *   of it declines folders; `ImportArgumentError` when `pathString` is not a string.
   */
  constructor(pathString: string) {
    if (typeof pathString !== 'string') {
      throw new ImportArgumentError(`NullImporter() needs a path string, not ${typeof pathString}`);
    }
    if (pathString === '') throw new ImportError('NullImporter: empty pathname', { path: pathString });
    if (isDirectory(pathString)) {
      throw new ImportError(`NullImporter: '${pathString}' is an existing directory`, { path: pathString });
    }
    this.path = pathString;
  }

  /** Always `null`: the module cannot be found here (Python's `NullImporter.find_module`). */
  find_module(_fullname: string, _path?: readonly string[] | null): null {
    return null;
  }

  /** Always `null` (the `PathEntryFinder` protocol the path finder asks). */
  findSpec(_fullname: string): null {
    return null;
  }

  toString(): string {
    return `<NullImporter '${this.path}'>`;
  }
}
