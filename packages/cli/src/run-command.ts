/**
 * `importlib run`: run a module (`-m`), a file, a folder with `__main__`, a zip app or a frozen bundle
 * as `__main__` (Python's `python -m mod` / `python path`), with `-v` / `-vv` tracing and the
 * `--importtime` table or chart.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, resolve } from 'node:path';
import { inspect } from 'node:util';

import { ImportError, type ImportSystem, type ModuleType } from '@importlib/core';
import { createImportSystem, runModule, runPath } from '@importlib/hooks';

import { importTimeHtml } from './importtime-html.js';
import { CliUsageError, errorLine, type OutputStream } from './output.js';
import { ImportTimeRecorder, verboseTracer } from './trace.js';

/** How `--importtime` reports. */
export type ImportTimeMode = { kind: 'table'; cached: boolean } | { kind: 'html'; file: string };

/** What `importlib run` was asked to do, once the command line is parsed. */
export interface RunRequest {
  /** `-m`: the module to run. */
  module?: string | undefined;
  /** The file, folder, zip app or frozen bundle to run (when no `module`). */
  target?: string | undefined;
  /** The program's own arguments. */
  args: string[];
  /** Extra path entries, after the program's own first entry (like `PYTHONPATH`). */
  path: string[];
  /** `-v` count. */
  verbose: number;
  importtime: ImportTimeMode | null;
  /** Write compiled files (off with `--no-cache`, Python's `-B`). */
  writeCache: boolean;
}

/** The split of `run`'s arguments: the command's own options, then the target and the program's arguments. */
export interface RunArgs {
  own: string[];
  module?: string;
  target?: string;
  args: string[];
}

const VALUE_OPTIONS = new Set(['-p', '--path']);

/**
 * Split `run`'s arguments the way Python reads its command line: options up to the target; `-m mod`
 * or the first argument that is not an option is the target and ends the options (everything after
 * it belongs to the program). `--importtime=2` and `--importtime=html FILE` become the hidden
 * `--importtime-cached` and `--importtime-html FILE` options.
 */
export function splitRunArgs(tokens: readonly string[]): RunArgs {
  const own: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const rest = (from: number): string[] => tokens.slice(from);
    if (token === '--') {
      const [target, ...args] = rest(i + 1);
      return target === undefined ? { own, args } : { own, target, args };
    }
    if (token === '-m') {
      const module = tokens[i + 1];
      if (module === undefined) throw new CliUsageError('-m needs a module name (importlib run -m pkg.mod)');
      return { own, module, args: rest(i + 2) };
    }
    if (/^-m[^-]/.test(token)) return { own, module: token.slice(2), args: rest(i + 1) };
    if (token === '--importtime=html') {
      const file = tokens[i + 1];
      if (file === undefined || file.startsWith('-')) {
        throw new CliUsageError(
          '--importtime=html needs the HTML file to write (--importtime=html out.html)',
        );
      }
      own.push('--importtime-html', file);
      i++;
    } else if (token === '--importtime=2') {
      own.push('--importtime-cached');
    } else if (token === '--importtime=1') {
      own.push('--importtime');
    } else if (token.startsWith('--importtime=')) {
      throw new CliUsageError(
        `unknown --importtime mode '${token.slice(13)}' (use --importtime, --importtime=2 or --importtime=html FILE)`,
      );
    } else if (VALUE_OPTIONS.has(token)) {
      own.push(token);
      if (i + 1 < tokens.length) own.push(tokens[++i] as string);
    } else if (token.startsWith('-') && token !== '-') {
      own.push(token);
    } else {
      return { own, target: token, args: rest(i + 1) };
    }
  }
  return { own, args: [] };
}

/** The streams and environment a command runs with. */
export interface CommandIO {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** `entries`, then those of `IMPORTLIB_PATH` (like `PYTHONPATH`), each made absolute against `io.cwd`. */
export function pathEntries(entries: readonly string[], io: CommandIO): string[] {
  const fromEnv = (io.env.IMPORTLIB_PATH ?? '').split(delimiter).filter(Boolean);
  return [...entries, ...fromEnv].map((entry) => resolve(io.cwd, entry));
}

/** The system for a run: the program's first path entry, `--path` entries, then `IMPORTLIB_PATH`. */
function systemFor(request: RunRequest, io: CommandIO): ImportSystem {
  const extra = pathEntries(request.path, io);
  // `python -m` puts the current directory first; `python file` the file's folder (added by
  // runCommand once it knows no path hook claims the file); `python folder` (and a zip app) the
  // folder itself, which runPath adds.
  const first = request.module ? [io.cwd] : [];
  return createImportSystem({
    path: [...first, ...extra],
    cache: { write: request.writeCache },
    traceFiles: request.verbose >= 2,
  });
}

/**
 * Run the request: resolves to the exit code once the program's main body has finished (its timers
 * may keep the process alive after that). A user mistake (no such module, file or `__main__`) is one
 * line on stderr and exit code 1 (2 for a missing file); an error thrown by the program is its stack
 * (mapped to the TypeScript source) and exit code 1.
 */
export async function runCommand(request: RunRequest, io: CommandIO): Promise<number> {
  // Deep enough that an import error's stack reaches the importing module's frame through the
  // import machinery's own frames (Node keeps 10).
  if (Error.stackTraceLimit < 50) Error.stackTraceLimit = 50;
  const system = systemFor(request, io);
  const line = (text: string): void => void io.stderr.write(`${text}\n`);
  if (request.verbose > 0) {
    system.addTracer(verboseTracer(request.verbose >= 2 ? 2 : 1, line));
  }
  const label = request.module ? `-m ${request.module}` : (request.target ?? '');
  if (request.importtime) {
    const mode = request.importtime;
    const recorder = new ImportTimeRecorder(
      mode.kind === 'table' ? { write: line, cached: mode.cached } : {},
    );
    system.addTracer(recorder.tracer);
    if (mode.kind === 'html') {
      // At exit, so imports made later by timers and callbacks are in the chart too.
      const file = resolve(io.cwd, mode.file);
      process.once('exit', () => {
        writeFileSync(file, importTimeHtml(recorder.roots, { title: `import time: importlib run ${label}` }));
      });
    }
  }

  let running: Promise<ModuleType>;
  if (request.module) {
    running = runModule(system, request.module, { argv: request.args, keep: true });
  } else if (request.target) {
    const target = resolve(io.cwd, request.target);
    if (!existsSync(target)) {
      io.stderr.write(
        errorLine('run', new CliUsageError(`can't open '${target}': no such file or directory`), io.stderr),
      );
      return 2;
    }
    if (system.pathFinder.finderFor(target) === null) system.path.unshift(dirname(target));
    running = runPath(system, target, { argv: request.args, keep: true });
  } else {
    throw new CliUsageError('nothing to run: give a file, a folder, a zip app, a bundle or -m module');
  }
  try {
    await running;
    return 0;
  } catch (error) {
    if (isTargetError(error, request)) {
      io.stderr.write(errorLine('run', error, io.stderr));
      return 1;
    }
    io.stderr.write(`${inspect(error, { colors: false })}\n`);
    return 1;
  }
}

/** Whether `error` is about the target itself (a user mistake), not thrown by the program's code. */
function isTargetError(error: unknown, request: RunRequest): boolean {
  if (!(error instanceof ImportError) || error.moduleName === null) return false;
  const names = request.module ? [request.module, `${request.module}.__main__`] : ['__main__'];
  if (!names.includes(error.moduleName)) return false;
  // A syntax error in the target is the program's: show where it is.
  return error.code === 'ERR_IMPORTLIB_NOT_FOUND' || error.code === 'ERR_IMPORTLIB_IMPORT';
}
