/**
 * `importlib compile` (Python's `compileall`): fill the compiled cache for whole trees, on one thread
 * or on `-j N` worker threads, with a progress bar on a terminal.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

import cliProgress from 'cli-progress';

import { ImportSystem } from '@importlib/core';
import {
  compileFile,
  LoaderContext,
  SOURCE_SUFFIXES,
  walkTree,
  type InvalidationMode,
} from '@importlib/loaders';

import type { CommandIO } from './run-command.js';
import { errorCode, painter } from './output.js';

/** Options of {@link compileTrees}. */
export interface CompileOptions {
  /** Rewrite compiled files that are up to date (`-f`). */
  force?: boolean;
  /** Print only failures and the summary (`-q`). */
  quiet?: boolean;
  /** Worker threads; 0 means one per CPU; 1 compiles on the main thread. @default 1 */
  workers?: number;
  /** @default 'timestamp', or 'checked-hash' when `SOURCE_DATE_EPOCH` is set (as Python does) */
  invalidationMode?: InvalidationMode;
  /** Keep compiled files under this folder (Python's `pycache_prefix`). */
  prefix?: string | null;
  /** Skip files and folders whose path matches (`-x`). */
  exclude?: RegExp | null;
}

/** One file that could not be compiled. */
export interface CompileFailure {
  file: string;
  message: string;
  code: string | null;
}

/** What {@link compileTrees} did. */
export interface CompileSummary {
  compiled: string[];
  /** Up to date already. */
  skipped: string[];
  failed: CompileFailure[];
}

/** The message a worker (or the main thread) gives back for one file. */
export interface CompileOutcome {
  file: string;
  status: 'compiled' | 'fresh' | 'failed';
  message?: string;
  code?: string | null;
}

/** What a worker needs to compile: the settled options. */
export interface CompileSettings {
  force: boolean;
  invalidationMode: InvalidationMode;
  prefix: string | null;
}

/** Compile one file with `context`; never throws (a failure is an outcome). */
export function compileOne(file: string, context: LoaderContext, settings: CompileSettings): CompileOutcome {
  try {
    const result = compileFile(file, context, { force: settings.force });
    return { file, status: result.status };
  } catch (error) {
    return {
      file,
      status: 'failed',
      message: (error as Error).message ?? String(error),
      code: errorCode(error),
    };
  }
}

/** The loader context a compile uses: a system of its own, with the cache options asked for. */
export function compileContext(settings: CompileSettings): LoaderContext {
  return new LoaderContext(new ImportSystem(), {
    cache: { invalidationMode: settings.invalidationMode, prefix: settings.prefix, background: false },
  });
}

/** A source file the walk found: a source suffix, and not a dot-file (hidden, as dot-folders are). */
const isSource = (path: string): boolean =>
  !basename(path).startsWith('.') && SOURCE_SUFFIXES.some((suffix) => path.endsWith(suffix));

/**
 * The source files under `paths` (files are taken as they are, folders walked), sorted per folder.
 * The walk is the layout's (`walkTree`): `__pycache__`, `node_modules` and dot-folders are not
 * entered (`node_modules` is served by Node's resolution, not the compiled cache), nor are links to
 * folders (as `compileall`), and only regular files are taken. A path that cannot be read is a failure.
 */
export function listSources(
  paths: readonly string[],
  exclude: RegExp | null,
  failures: CompileFailure[],
  onFolder?: (folder: string) => void,
): string[] {
  const files: string[] = [];
  const unlistable = (path: string, error: unknown): void => {
    failures.push({ file: path, message: `can't list '${path}': ${(error as Error).message}`, code: null });
  };
  for (const top of paths) {
    const path = resolve(top);
    if (exclude?.test(path)) continue;
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (error) {
      unlistable(path, error);
      continue;
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    const found = walkTree(path, {
      exclude: exclude && ((entry) => exclude.test(entry)),
      onFolder,
      onError: unlistable,
    });
    for (const file of found) if (isSource(file.path)) files.push(file.path);
  }
  return files;
}

/**
 * Compile every source under `paths` into the compiled cache. Progress goes to `io.stderr` as a bar
 * on a terminal, or as one `Compiling '<file>'...` line per compiled file on `io.stdout` otherwise
 * (nothing with `quiet`).
 */
export async function compileTrees(
  paths: readonly string[],
  options: CompileOptions,
  io: CommandIO,
): Promise<CompileSummary> {
  const settings: CompileSettings = {
    force: options.force ?? false,
    invalidationMode: options.invalidationMode ?? (io.env.SOURCE_DATE_EPOCH ? 'checked-hash' : 'timestamp'),
    prefix: options.prefix ? resolve(io.cwd, options.prefix) : null,
  };
  const summary: CompileSummary = { compiled: [], skipped: [], failed: [] };
  const quiet = options.quiet ?? false;
  const bar = !quiet && io.stderr.isTTY === true;
  const files = listSources(
    paths.map((path) => resolve(io.cwd, path)),
    options.exclude ?? null,
    summary.failed,
    bar || quiet ? undefined : (folder) => void io.stdout.write(`Listing '${folder}'...\n`),
  );
  const progress = bar
    ? new cliProgress.SingleBar(
        {
          stream: io.stderr as NodeJS.WritableStream,
          format: 'compiling {bar} {value}/{total} files | {file}',
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  progress?.start(files.length, 0, { file: '' });
  const record = (outcome: CompileOutcome): void => {
    if (outcome.status === 'compiled') {
      summary.compiled.push(outcome.file);
      if (!bar && !quiet) io.stdout.write(`Compiling '${outcome.file}'...\n`);
    } else if (outcome.status === 'fresh') {
      summary.skipped.push(outcome.file);
    } else {
      summary.failed.push({ file: outcome.file, message: outcome.message ?? '', code: outcome.code ?? null });
    }
    progress?.increment(1, { file: outcome.file });
  };

  const requested = options.workers ?? 1;
  const workers = Math.min(requested === 0 ? availableParallelism() : requested, files.length);
  if (workers <= 1) {
    const context = compileContext(settings);
    for (const file of files) record(compileOne(file, context, settings));
  } else {
    await inWorkers(files, workers, settings, record);
  }
  progress?.stop();
  return summary;
}

/**
 * Hand the files to `count` worker threads in batches (a batch shrinks as the queue empties, so the
 * workers finish together), to whichever worker is free.
 */
async function inWorkers(
  files: readonly string[],
  count: number,
  settings: CompileSettings,
  record: (outcome: CompileOutcome) => void,
): Promise<void> {
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolvePromise, reject) => {
      const worker = new Worker(new URL('./compile-worker.js', import.meta.url), { workerData: settings });
      const feed = (): void => {
        if (next >= files.length) {
          void worker.terminate().then(() => resolvePromise());
          return;
        }
        const size = Math.max(1, Math.min(32, Math.floor((files.length - next) / (count * 4))));
        worker.postMessage(files.slice(next, next + size));
        next += size;
      };
      worker.on('message', (outcomes: CompileOutcome[]) => {
        for (const outcome of outcomes) record(outcome);
        feed();
      });
      worker.on('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: count }, one));
}

/** The summary lines: counts, then each failure. */
export function summaryText(summary: CompileSummary, io: CommandIO): { out: string; err: string } {
  const paint = painter(io.stdout, io.env);
  const failedCount = summary.failed.length;
  const out =
    `${paint('green', `compiled ${summary.compiled.length}`)}, skipped ${summary.skipped.length} (up to date), ` +
    `${failedCount ? paint('red', `failed ${failedCount}`) : 'failed 0'}\n`;
  const errPaint = painter(io.stderr, io.env);
  const err = summary.failed
    .map((f) => `${errPaint('red', 'failed:')} ${f.file}: ${f.message}${f.code ? ` (${f.code})` : ''}\n`)
    .join('');
  return { out, err };
}
