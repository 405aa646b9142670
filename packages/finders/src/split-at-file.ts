/**
 * The walk Python's `zipimporter` makes over a path entry, shared by the zip and frozen-bundle path
 * hooks: from the entry up to the first path that exists, which must be a regular file (the archive
 * or bundle); the names below it say where inside that file the entry points.
 */
import { statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Split `entry` (made absolute) at its first existing ancestor-or-self: `app.zip/lib/x` gives file
 * `…/app.zip` and inner `['lib', 'x']`. `null` when that path is not a regular file (a folder) or
 * nothing on the way exists.
 */
export function splitAtFile(entry: string): { file: string; stats: Stats; inner: string[] } | null {
  let at = resolve(entry);
  const inner: string[] = [];
  for (;;) {
    let stats: Stats | undefined;
    try {
      stats = statSync(at, { throwIfNoEntry: false });
    } catch {
      stats = undefined; // ENOTDIR and the like: keep walking up
    }
    if (stats !== undefined) return stats.isFile() ? { file: at, stats, inner } : null;
    const parent = dirname(at);
    if (parent === at) return null;
    inner.unshift(basename(at));
    at = parent;
  }
}
