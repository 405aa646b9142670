/**
 * Where compiled-cache files live (PEP 3147 `__pycache__` folders, and `sys.pycache_prefix`).
 *
 * - `cacheFromSource('/d/app.module.ts')` → `/d/__pycache__/app.module.ts.importlib-1.jsc`. Unlike
 *   Python the whole source file name is kept (suffix included), so `m.ts` and `m.js` beside each
 *   other never share a cache file.
 * - With a prefix the cache tree mirrors the absolute source folder under it:
 *   `<prefix>/d/app.module.ts.importlib-1.jsc`.
 * - A compiled-only module (no source) ships as `<stem>.jsc` where its source would be.
 *
 * Pure path arithmetic: nothing here touches the file system.
 */
import path from 'node:path';

import { ImportArgumentError } from '@importlib/core';

import { COMPILED_SUFFIX, PYCACHE } from './layout.js';

/**
 * The cache tag in cache file names (Python's `sys.implementation.cache_tag`). It names the file
 * format family; finer changes (the format revision, the transpiler's version) are caught by the
 * magic number inside the file, so a new transpiler overwrites the same file instead of piling up
 * new ones.
 */
export const MAGIC_TAG = 'importlib-1';

/** Options of {@link cacheFromSource} and {@link sourceFromCache}. */
export interface CachePathOptions {
  /**
   * Re-root cache files under this folder instead of `__pycache__` beside the source (Python's
   * `sys.pycache_prefix`, `PYTHONPYCACHEPREFIX`). `null` or absent means no prefix.
   */
  prefix?: string | null | undefined;
}

const CACHE_SUFFIX = `.${MAGIC_TAG}${COMPILED_SUFFIX}`;

function checkPathArgument(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new ImportArgumentError(`${what} must be a string, not ${value === null ? 'null' : typeof value}`);
  }
  if (value === '') throw new ImportArgumentError(`${what} must not be empty`);
  if (value.includes('\0'))
    throw new ImportArgumentError(`${what} must not contain NUL: ${JSON.stringify(value)}`);
  return value;
}

function checkPrefix(prefix: string | null | undefined): string | null {
  if (prefix === null || prefix === undefined) return null;
  return checkPathArgument(prefix, 'the cache prefix');
}

/** `path` without its root (`/`, `C:\`, `\\server\share\`): what is joined under a prefix. */
function withoutRoot(absolute: string): string {
  return absolute.slice(path.parse(absolute).root.length);
}

/**
 * The cache file of a source file (Python's `importlib.util.cache_from_source`):
 * `<dir>/__pycache__/<file name>.<tag>.jsc`, or `<prefix>/<absolute dir without its root>/<file
 * name>.<tag>.jsc` with a prefix (a relative source path is made absolute against the current
 * folder first, as Python does).
 *
 * @throws ImportArgumentError when `sourcePath` is not a non-empty string naming a file, or the
 *   prefix is empty.
 */
export function cacheFromSource(sourcePath: string, options: CachePathOptions = {}): string {
  checkPathArgument(sourcePath, 'the source path');
  const prefix = checkPrefix(options.prefix);
  const base = path.basename(sourcePath);
  if (
    base === '' ||
    base === '.' ||
    base === '..' ||
    sourcePath.endsWith('/') ||
    sourcePath.endsWith(path.sep)
  ) {
    throw new ImportArgumentError(`the source path does not name a file: ${JSON.stringify(sourcePath)}`);
  }
  const fileName = base + CACHE_SUFFIX;
  const dir = path.dirname(sourcePath);
  if (prefix === null) return path.join(dir, PYCACHE, fileName);
  return path.join(prefix, withoutRoot(path.resolve(dir)), fileName);
}

/**
 * The source file of a cache file (Python's `importlib.util.source_from_cache`), the inverse of
 * {@link cacheFromSource}. Under a prefix (checked first, as Python does) the result is the absolute
 * source path the prefix mirrors; otherwise the file must sit in a `__pycache__` folder.
 *
 * @throws ImportArgumentError unless the file is in a `__pycache__` folder (or under the prefix) and
 *   its name is `<source file name>.<tag>.jsc` with a non-empty source file name.
 */
export function sourceFromCache(cachePath: string, options: CachePathOptions = {}): string {
  checkPathArgument(cachePath, 'the cache path');
  const prefix = checkPrefix(options.prefix);
  const name = path.basename(cachePath);
  if (!name.endsWith(CACHE_SUFFIX) || name.length === CACHE_SUFFIX.length) {
    throw new ImportArgumentError(
      `${JSON.stringify(cachePath)} is not a cache file name: expected <source file name>${CACHE_SUFFIX}`,
    );
  }
  const sourceName = name.slice(0, -CACHE_SUFFIX.length);
  if (prefix !== null) {
    const root = path.resolve(prefix);
    const resolved = path.resolve(cachePath);
    const rootWithSep = root.endsWith(path.sep) ? root : root + path.sep;
    if (resolved.startsWith(rootWithSep)) {
      const relativeDir = path.dirname(resolved.slice(rootWithSep.length));
      // The mirrored folder is absolute: put back the root that cacheFromSource took off.
      return path.join(path.parse(root).root, relativeDir, sourceName);
    }
  }
  const parent = path.dirname(cachePath);
  if (path.basename(parent) !== PYCACHE) {
    throw new ImportArgumentError(
      `${JSON.stringify(cachePath)} is not in a ${PYCACHE} folder` +
        (prefix === null ? '' : ` nor under the cache prefix ${JSON.stringify(prefix)}`),
    );
  }
  return path.join(path.dirname(parent), sourceName);
}
