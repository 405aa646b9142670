/**
 * Trimming the import machinery's own frames from the stack trace of a failed import, as CPython's
 * `remove_importlib_frames` does for `PyImport_ImportModuleLevelObject`.
 *
 * Must not import anything but `@importlib/*` packages below compat and node built-ins.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ImportError } from '@importlib/core';

let markers: readonly string[] | undefined;

/** The `src/` and `dist/` folders of the importlib packages, as paths and as `file:` URLs. */
function importlibMarkers(): readonly string[] {
  if (markers) return markers;
  const require = createRequire(import.meta.url);
  const roots = [dirname(dirname(fileURLToPath(import.meta.url)))];
  for (const name of ['core', 'loaders', 'finders', 'hooks']) {
    try {
      roots.push(dirname(require.resolve(`@importlib/${name}/package.json`)));
    } catch {
      // Not resolvable from here: its frames stay (nothing is trimmed that is not known to be ours).
    }
  }
  const found: string[] = [];
  for (const root of roots) {
    for (const folder of ['src', 'dist']) {
      const path = join(root, folder) + sep;
      found.push(path, pathToFileURL(path).href);
    }
  }
  markers = found;
  return markers;
}

function isImportlibFrame(line: string): boolean {
  return importlibMarkers().some((marker) => line.includes(marker));
}

/**
 * Remove the import machinery's frames from `error.stack` (CPython's `remove_importlib_frames`): all
 * of them for an `ImportError`; for any other error only those that lie beneath other code (the
 * machinery's calls into module code, finders and loaders), so an error raised by the machinery
 * itself keeps the frames that raised it. Does nothing for a value that is not an `Error`.
 */
export function removeImportlibFrames(error: unknown): void {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return;
  const lines = error.stack.split('\n');
  const first = lines.findIndex((line) => /^\s+at /.test(line));
  if (first === -1) return;
  const frames = lines.slice(first);
  const ours = frames.map(isImportlibFrame);
  const firstForeign = ours.indexOf(false);
  const kept = frames.filter((_, index) => {
    if (!ours[index]) return true;
    if (error instanceof ImportError) return false;
    return firstForeign === -1 || index < firstForeign;
  });
  if (kept.length === frames.length) return;
  try {
    error.stack = [...lines.slice(0, first), ...kept].join('\n');
  } catch {
    // A frozen error keeps its stack.
  }
}
