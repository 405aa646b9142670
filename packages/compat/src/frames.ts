/**
 * Trimming the import machinery's own frames from the stack trace of a failed import, as CPython's
 * `remove_importlib_frames` does for `PyImport_ImportModuleLevelObject`.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ImportError, type ImportSystem } from '@importlib/core';

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

/** A frame with no file: V8's `gen.next (<anonymous>)` frame of a generator, among others. */
function isAnonymousFrame(line: string): boolean {
  return /\(<anonymous>\)\s*$/.test(line) || /^\s+at <anonymous>\s*$/.test(line);
}

/**
 * Which frames are the machinery's: those in its files, and the file-less frames next to them (the
 * `.next` frame of one of its generators follows the generator's own frame, so a file-less frame
 * belongs with the nearest frame inside it, or outside it when it is the innermost).
 */
function classify(frames: readonly string[]): boolean[] {
  const ours: (boolean | null)[] = frames.map((line) =>
    isAnonymousFrame(line) ? null : isImportlibFrame(line),
  );
  let inner: boolean | null = null;
  const result = ours.map((value) => {
    if (value !== null) inner = value;
    return value ?? inner;
  });
  let outer: boolean | null = null;
  for (let index = result.length - 1; index >= 0; index--) {
    if (result[index] === null) result[index] = outer;
    else outer = result[index] as boolean;
  }
  return result.map((value) => value === true);
}

/**
 * Remove the import machinery's frames from `error.stack` (CPython's `remove_importlib_frames`): all
 * of them for an `ImportError`; for any other error only those that lie beneath other code (the
 * machinery's calls into module code, finders and loaders), so an error raised by the machinery
 * itself keeps the frames that raised it. At most `limit` frames are kept. Does nothing for a value
 * that is not an `Error`.
 */
function removeImportlibFrames(error: unknown, limit = Infinity): void {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return;
  const lines = error.stack.split('\n');
  const first = lines.findIndex((line) => /^\s+at /.test(line));
  if (first === -1) return;
  const frames = lines.slice(first);
  const ours = classify(frames);
  const firstForeign = ours.indexOf(false);
  const kept = frames
    .filter((_, index) => {
      if (!ours[index]) return true;
      if (error instanceof ImportError) return false;
      return firstForeign === -1 || index < firstForeign;
    })
    .slice(0, limit);
  if (kept.length === frames.length) return;
  try {
    error.stack = [...lines.slice(0, first), ...kept].join('\n');
  } catch {
    // A frozen error keeps its stack.
  }
}

/** How many more frames an error made during {@link callTrimmed} records, for trimming to remove. */
const EXTRA_FRAMES = 60;

/**
 * Run `fn` (an import), trimming the machinery's frames from the stack of what it throws (see
 * {@link removeImportlibFrames}) unless a tracer listens (`-v`). While `fn` runs, errors record
 * `Error.stackTraceLimit` + 60 frames (restored afterwards), so that once the machinery's frames are
 * gone the trace still reaches the caller; it is cut back to the limit after trimming.
 */
export function callTrimmed<T>(system: ImportSystem, fn: () => T): T {
  const limit = Error.stackTraceLimit;
  const raise = typeof limit === 'number' && Number.isFinite(limit);
  if (raise) Error.stackTraceLimit = limit + EXTRA_FRAMES;
  try {
    return fn();
  } catch (error) {
    if (!system.tracing) removeImportlibFrames(error, raise ? limit : Infinity);
    throw error;
  } finally {
    if (raise) Error.stackTraceLimit = limit;
  }
}
