/**
 * `importlib run`: a module, file, folder, zip app or frozen bundle as `__main__` (Python's
 * `python -m` / `python path`). The work is `runCommand` (run-command.ts); this file is its options
 * and help, and the split of the command line into our options, the target and the program's own
 * arguments.
 */
import { Option, type Command } from 'commander';

import { CliUsageError, errorLine } from '../output.js';
import { runCommand, splitRunArgs, type ImportTimeMode, type RunArgs } from '../run-command.js';
import { collect, type CommandContext, type PrepareArgs } from './command.js';

/** Commander's parser for a counted flag (`-v`, `-vv`). */
const increase = (_: string, previous: number): number => previous + 1;

interface RunOptions {
  path: string[];
  verbose: number;
  importtime?: boolean;
  importtimeCached?: boolean;
  importtimeHtml?: string;
  cache: boolean;
}

/** Add `run` to `program`; the returned function splits its arguments before commander sees them. */
export function registerRun(program: Command, context: CommandContext): PrepareArgs {
  let runArgs: RunArgs = { own: [], args: [] };

  program
    .command('run')
    .summary('run a module, file, folder, zip app or frozen bundle as __main__')
    .description(
      "Run a module (-m pkg.mod), a file, a folder with a __main__ module, a zip app or a frozen bundle as __main__ (Python's python -m / python path). Everything after the target goes to the program (process.argv.slice(2)). Its exit code is the program's: an uncaught error prints its stack (pointing at the .ts source) and exits 1.",
    )
    .usage('[options] (-m module | file | folder | app.zip | bundle) [args...]')
    .option('-m <module>', 'run this module as __main__ (ends the options, like python -m)')
    .option(
      '-p, --path <entry>',
      "add a path entry, after the program's own (repeatable; like PYTHONPATH)",
      collect,
      [],
    )
    .option(
      '-v, --verbose',
      'print every decision of the import system on stderr (-vv: also each file tried)',
      increase,
      0,
    )
    .option(
      '--importtime',
      "print Python's -X importtime table on stderr; --importtime=2 adds cached modules; --importtime=html FILE writes an interactive chart",
    )
    .addOption(new Option('--importtime-cached').hideHelp())
    .addOption(new Option('--importtime-html <file>').hideHelp())
    .option('--no-cache', 'do not write compiled files (python -B)')
    .addHelpText(
      'after',
      `
Examples:
  importlib run app/main.ts --port 8080
  importlib run -m app.cli build --out dist
  importlib run -p lib -vv -m app
  importlib run --importtime=2 examples/app/main.ts
  importlib run --importtime=html imports.html -m app`,
    )
    .action(async (options: RunOptions) => {
      const importtime: ImportTimeMode | null = options.importtimeHtml
        ? { kind: 'html', file: options.importtimeHtml }
        : options.importtime || options.importtimeCached
          ? { kind: 'table', cached: options.importtimeCached === true }
          : null;
      context.exitCode = await runCommand(
        {
          module: runArgs.module,
          target: runArgs.target,
          args: runArgs.args,
          path: options.path,
          verbose: options.verbose,
          importtime,
          writeCache: options.cache,
        },
        context.io,
      );
    });

  return (args) => {
    const { stderr } = context.io;
    try {
      runArgs = splitRunArgs(args);
    } catch (error) {
      stderr.write(errorLine('run', error, stderr));
      return 2;
    }
    if (!runArgs.module && !runArgs.target && !runArgs.own.some((a) => a === '-h' || a === '--help')) {
      const nothing = new CliUsageError(
        'nothing to run: give a file, a folder, a zip app, a bundle or -m module (see importlib run --help)',
      );
      stderr.write(errorLine('run', nothing, stderr));
      return 2;
    }
    return runArgs.own;
  };
}
