/**
 * `importlib compile`: fill the compiled cache of whole trees without running anything (Python's
 * `compileall`). The work is `compileTrees` (../compile.ts); this file is its options and help.
 */
import { Option, type Command } from 'commander';

import type { InvalidationMode } from '@importlib/loaders';

import { compileTrees, summaryText } from '../compile.js';
import { CliUsageError } from '../output.js';
import type { CommandContext } from './command.js';

const INVALIDATION_MODES = ['timestamp', 'checked-hash', 'unchecked-hash'] as const;

/** Commander's parser for `-j`: a whole number of workers, 0 meaning one per CPU. */
function workersOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new CliUsageError(`-j needs a whole number of workers (0 = one per CPU), not '${value}'`);
  return n;
}

interface CompileCommandOptions {
  force?: boolean;
  quiet?: boolean;
  workers: number;
  invalidationMode?: InvalidationMode;
  cachePrefix?: string;
  exclude?: string;
}

/** Add `compile` to `program`. */
export function registerCompile(program: Command, context: CommandContext): void {
  program
    .command('compile')
    .summary('fill the compiled cache for whole trees (compileall)')
    .description(
      "Compile every TypeScript and JavaScript source under the given files and folders into the compiled cache (Python's compileall), without running anything. __pycache__, node_modules and dot-folders are not entered. Shows a progress bar on a terminal, one line per compiled file otherwise; ends with a summary and the failures; exits 1 when anything failed.",
    )
    .argument('<paths...>', 'files and folders to compile')
    .option('-f, --force', 'rewrite compiled files even when up to date')
    .option('-q, --quiet', 'print only failures and the summary')
    .option('-j, --workers <n>', 'compile on n worker threads (0 = one per CPU)', workersOption, 1)
    .addOption(
      new Option(
        '--invalidation-mode <mode>',
        'how the compiled files are checked against their source (PEP 552); default timestamp, or checked-hash when SOURCE_DATE_EPOCH is set',
      ).choices(INVALIDATION_MODES),
    )
    .option('--cache-prefix <dir>', "keep compiled files under this folder (Python's pycache_prefix)")
    .option('-x, --exclude <regex>', 'skip files and folders whose path matches')
    .addHelpText(
      'after',
      `
Examples:
  importlib compile src
  importlib compile -j 0 --invalidation-mode checked-hash src lib
  importlib compile -q -f -x 'fixtures' src`,
    )
    .action(async (paths: string[], options: CompileCommandOptions) => {
      const { io } = context;
      let exclude: RegExp | null = null;
      if (options.exclude !== undefined) {
        try {
          exclude = new RegExp(options.exclude);
        } catch (error) {
          throw new CliUsageError(`-x needs a regular expression: ${(error as Error).message}`);
        }
      }
      const summary = await compileTrees(
        paths,
        {
          force: options.force ?? false,
          quiet: options.quiet ?? false,
          workers: options.workers,
          ...(options.invalidationMode ? { invalidationMode: options.invalidationMode } : {}),
          prefix: options.cachePrefix ?? null,
          exclude,
        },
        io,
      );
      const { out, err } = summaryText(summary, io);
      io.stderr.write(err);
      io.stdout.write(out);
      context.exitCode = summary.failed.length ? 1 : 0;
    });
}
