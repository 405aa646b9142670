/**
 * From a specifier written in module code (`'./x'`, `'../pkg/y.js'`, `'node:fs'`, `'lodash/fp'`) to
 * the module name the import system imports. The rules:
 *
 * - `node:x` and bare Node builtin ids go to the builtin importer under their `node:` names
 *   (`nodeBuiltinName`: `fs` → `node:fs`, `fs/promises` → `node:fs.promises`), as Node itself gives a
 *   bare builtin id precedence. A project folder called `events` is reached with a path (`./events`).
 * - A path specifier means what it means in JavaScript: a file relative to the importing file's
 *   folder. In a package `a.b`, `./x` is `a.b.x` and `../x` is `a.x`; in a top-level module (a file
 *   directly on a path entry) `./x` is the top-level `x`, and climbing above the entry is an error.
 *   `./dir/index` and `./dir/__init__` name the package `dir` itself; a source ending (`.js`, `.ts`,
 *   …) is dropped; a dot inside a file name is written `%2E` (`./app.module` → `app%2Emodule`).
 * - A bare specifier `a/b` means `a.b`. If no finder claims it, the caller falls back to Node's own
 *   resolution from the importing file, with the specifier as written (npm dependencies).
 */
import { encodeSegment, ErrorCodes, ImportError } from '@importlib/core';

import { nodeBuiltinName } from './builtin-loader.js';
import { isPackageMarker } from './layout.js';

/** Endings dropped from the last segment of a specifier (TypeScript's `.js`-for-`.ts` convention too). */
export const SOURCE_ENDINGS = /\.(?:[cm]?[jt]sx?|json)$/;
/** The endings {@link SOURCE_ENDINGS} matches, for the `./name` fast path (a lookup, not a regex). */
const SOURCE_ENDING_SET = new Set(
  ['', 'c', 'm']
    .flatMap((c) => ['j', 't'].flatMap((j) => ['', 'x'].map((x) => `.${c}${j}s${x}`)))
    .concat('.json'),
);

/** What a specifier refers to. */
export type Target =
  | { kind: 'builtin'; name: string }
  | { kind: 'relative'; name: string }
  | { kind: 'bare'; name: string | null };

/**
 * Work out what `specifier`, written in the module `importer` (whose package is `pkg`, file `file`),
 * refers to. Throws an `ImportError` (code `ERR_IMPORTLIB_BAD_SPECIFIER`) for a path that climbs
 * above the path entry.
 */
export function resolveSpecifier(specifier: string, importer: string, pkg: string, file: string): Target {
  const builtin = specifier.startsWith('.') ? null : nodeBuiltinName(specifier);
  if (builtin !== null) return { kind: 'builtin', name: builtin };
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) {
    return { kind: 'relative', name: relativeName(specifier, importer, pkg, file) };
  }
  return { kind: 'bare', name: bareName(specifier) };
}

function relativeName(specifier: string, importer: string, pkg: string, file: string): string {
  // Fast path for the common `./name`: one segment, no dots to climb (most imports in real code).
  if (specifier.startsWith('./') && specifier.indexOf('/', 2) === -1 && specifier.length > 2) {
    let stem = specifier.slice(2);
    const dot = stem.lastIndexOf('.');
    if (dot !== -1 && SOURCE_ENDING_SET.has(stem.slice(dot))) stem = stem.slice(0, dot);
    if (stem !== '' && stem !== '.' && stem !== '..' && !isPackageMarker(stem)) {
      const segment = encodeSegment(stem);
      return pkg === '' ? segment : `${pkg}.${segment}`;
    }
  }
  const parts = specifier.split('/');
  let up = 0;
  const rest: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (rest.length) rest.pop();
      else up++;
    } else {
      rest.push(part);
    }
  }
  const base = pkg === '' ? [] : pkg.split('.');
  if (up > base.length) {
    throw new ImportError(
      `cannot import '${specifier}' from '${importer}' (${file}): it climbs above the path entry the module lives in`,
      { moduleName: importer, path: file },
      ErrorCodes.BAD_SPECIFIER,
    );
  }
  const segments = dropPackageFile([...base.slice(0, base.length - up), ...moduleSegments(rest)]);
  if (!segments.length) {
    throw new ImportError(
      `cannot import '${specifier}' from '${importer}' (${file}): it names the path entry itself, not a module`,
      { moduleName: importer, path: file },
      ErrorCodes.BAD_SPECIFIER,
    );
  }
  return segments.join('.');
}

/** Turn path segments into module-name segments: the last one loses its source ending. */
function moduleSegments(parts: string[]): string[] {
  const last = parts.length - 1;
  return parts.map((part, i) => encodeSegment(i === last ? part.replace(SOURCE_ENDINGS, '') : part));
}

/** `dir/index` and `dir/__init__` name the package `dir` itself (a top-level `index` stays a module). */
function dropPackageFile(segments: string[]): string[] {
  const tail = segments[segments.length - 1];
  if (segments.length > 1 && tail !== undefined && isPackageMarker(tail)) segments.pop();
  return segments;
}

/**
 * The module name of a bare specifier, or `null` when it cannot be one (then only Node's resolution
 * can serve it). A single-segment name keeps its dots encoded (`chart.js` is an npm package name, not a
 * file ending); a deeper one drops a source ending from its last segment (`pkg/util.js` → `pkg.util`).
 */
function bareName(specifier: string): string | null {
  const parts = specifier.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) return null;
  if (parts.length === 1) return encodeSegment(specifier);
  const segments = dropPackageFile(moduleSegments(parts));
  return segments.includes('') ? null : segments.join('.');
}
