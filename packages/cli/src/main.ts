/**
 * The `importlib` command line: `run`, `compile`, `find` (and `freeze`, `zipapp`), parsed with
 * commander. {@link main} takes the arguments and the streams, so it runs the same in a test as in
 * the binary.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

import { Command, CommanderError, Option } from 'commander';

import { ModuleNotFoundError } from '@importlib/core';
import { buildZipApp, createImportSystem, freeze, isPathTarget } from '@importlib/hooks';
import type { InvalidationMode } from '@importlib/loaders';

import { compileTrees, summaryText } from './compile.js';
import { explainFind, formatFindReport } from './find.js';
import { CliUsageError, errorLine, painter } from './output.js';
import {
  pathEntries,
  runCommand,
  splitRunArgs,
  type CommandIO,
  type ImportTimeMode,
  type RunArgs,
} from './run-command.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** What `zipapp --shebang` puts after `#!`: env runs `importlib run <the archive>`. */
const DEFAULT_SHEBANG = '/usr/bin/env -S importlib run';

const INVALIDATION_MODES = ['timestamp', 'checked-hash', 'unchecked-hash'] as const;

/** Turn the raw `-v` count / option values into what the commands take. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];
const increase = (_: string, previous: number): number => previous + 1;

function workersOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new CliUsageError(`-j needs a whole number of workers (0 = one per CPU), not '${value}'`);
  return n;
}

/**
 * Run the `importlib` command with `args` (without `node` and the script) and return its exit code:
 * 0 on success, 1 when the program or a compile failed or a module was not found, 2 for a usage
 * mistake. `run` resolves once the program's main body has finished.
 */
export async function main(args: readonly string[], io: Partial<CommandIO> = {}): Promise<number> {
  const full: CommandIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  const paint = painter(full.stdout, full.env);
  let exitCode = 0;
  let commandName = '';
  let runArgs: RunArgs = { own: [], args: [] };

  const program = new Command('importlib')
    .description(
      "Python's import system for TypeScript and JavaScript: run, trace, profile, compile, find, freeze, zipapp.",
    )
    .version(version, '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void full.stdout.write(text),
      writeErr: (text) => void full.stderr.write(text),
      outputError: (text) =>
        void full.stderr.write(
          errorLine(
            commandName || 'importlib',
            new CliUsageError(text.replace(/^error: /, '').trim()),
            full.stderr,
          ),
        ),
    })
    .configureHelp({ styleTitle: (title) => paint('bold', title) })
    .addHelpText(
      'after',
      `
Examples:
  importlib run app/main.ts                 run a TypeScript file as __main__
  importlib run -m app.cli --verbose        run a module (python -m), its own arguments after it
  importlib run -v app.zip                  run a zip app, printing every import decision
  importlib run --importtime -m app         the -X importtime table on stderr
  importlib compile src -j 4                fill the compiled cache of a tree with 4 workers
  importlib find app.util -p src            which finder and loader serve app.util, and why not the others
  importlib freeze app -p src -o app.bundle freeze a package (run it: importlib run app.bundle)
  importlib zipapp app -o app.zip           pack a folder with a __main__ into a zip app

Colours only on a terminal, never with NO_COLOR. IMPORTLIB_PATH adds path entries (like PYTHONPATH).`,
    );

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
    .action(
      async (options: {
        path: string[];
        verbose: number;
        importtime?: boolean;
        importtimeCached?: boolean;
        importtimeHtml?: string;
        cache: boolean;
      }) => {
        const importtime: ImportTimeMode | null = options.importtimeHtml
          ? { kind: 'html', file: options.importtimeHtml }
          : options.importtime || options.importtimeCached
            ? { kind: 'table', cached: options.importtimeCached === true }
            : null;
        exitCode = await runCommand(
          {
            module: runArgs.module,
            target: runArgs.target,
            args: runArgs.args,
            path: options.path,
            verbose: options.verbose,
            importtime,
            writeCache: options.cache,
          },
          full,
        );
      },
    );

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
    .action(
      async (
        paths: string[],
        options: {
          force?: boolean;
          quiet?: boolean;
          workers: number;
          invalidationMode?: InvalidationMode;
          cachePrefix?: string;
          exclude?: string;
        },
      ) => {
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
          full,
        );
        const { out, err } = summaryText(summary, full);
        full.stderr.write(err);
        full.stdout.write(out);
        exitCode = summary.failed.length ? 1 : 0;
      },
    );

  program
    .command('find')
    .summary('which finder and loader would serve a module, and why the others did not')
    .description(
      'Find a module as an import would (its parent package is imported) and report the finder and path entry that found it, its loader, spec, compiled file and its state, and what every place asked before it said. Exits 1 when nothing finds it.',
    )
    .argument('<name>', 'the full module name, e.g. app.util')
    .option('-p, --path <entry>', 'a path entry (repeatable; default: the current folder)', collect, [])
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Examples:
  importlib find app.util
  importlib find -p src -p lib app.util
  importlib find --json node:fs`,
    )
    .action((name: string, options: { path: string[]; json?: boolean }) => {
      const entries = pathEntries(options.path.length ? options.path : ['.'], full);
      const system = createImportSystem({ path: entries, cache: { write: false }, traceFiles: true });
      const report = explainFind(system, name);
      if (options.json) {
        const { spec } = report;
        full.stdout.write(
          `${JSON.stringify(
            {
              ...report,
              spec: spec && {
                name: spec.name,
                loader: String(spec.loader),
                origin: spec.origin,
                submoduleSearchLocations: spec.submoduleSearchLocations && [...spec.submoduleSearchLocations],
                parent: spec.parent,
              },
            },
            null,
            2,
          )}\n`,
        );
      } else {
        full.stdout.write(formatFindReport(report));
      }
      if (!report.spec) {
        const notFound = new ModuleNotFoundError(`No module named '${name}'`, { moduleName: name });
        full.stderr.write(errorLine('find', notFound, full.stderr));
        exitCode = 1;
      }
    });

  program
    .command('freeze')
    .summary('freeze modules into a bundle (frozen modules)')
    .description(
      'Write a frozen bundle: each target is a module name found on --path (a package brings everything under it) or a folder or file whose modules are all frozen. Run the bundle with importlib run (its __main__ module), or serve it with createImportSystem({ frozen: [bundle] }).',
    )
    .argument('<targets...>', 'module names, folders or files')
    .requiredOption('-o, --output <bundle>', 'the bundle file to write')
    .option(
      '-p, --path <entry>',
      'where module names are found (repeatable; default: the current folder)',
      collect,
      [],
    )
    .addOption(
      new Option(
        '--v8-cache <when>',
        'the V8 code cache to store: after compiling, after a run at freeze time, or none',
      )
        .choices(['compile', 'run', 'none'])
        .default('compile'),
    )
    .option(
      '--no-filenames',
      "do not record the source files (__file__ unset, stack frames name '<frozen name>')",
    )
    .addHelpText(
      'after',
      `
Examples:
  importlib freeze app -p src -o app.bundle
  importlib freeze ./tool -o tool.bundle && importlib run tool.bundle
  importlib freeze --v8-cache run app.main app.util -p src -o app.bundle`,
    )
    .action(
      (
        targets: string[],
        options: { output: string; path: string[]; v8Cache: 'compile' | 'run' | 'none'; filenames: boolean },
      ) => {
        const result = freeze(
          targets.map((target) => (isPathTarget(target) ? resolve(full.cwd, target) : target)),
          {
            output: resolve(full.cwd, options.output),
            path: (options.path.length ? options.path : ['.']).map((entry) => resolve(full.cwd, entry)),
            v8Cache: options.v8Cache === 'none' ? false : options.v8Cache,
            filenames: options.filenames,
          },
        );
        for (const module of result.modules) {
          full.stdout.write(
            `froze ${module.name}${module.isPackage ? ' (package)' : ''}${module.filename ? ` from ${module.filename}` : ''}\n`,
          );
        }
        full.stdout.write(`wrote ${result.output}: ${result.modules.length} modules, ${result.size} bytes\n`);
      },
    );

  program
    .command('zipapp')
    .summary('pack a folder into a runnable zip app')
    .description(
      "Pack a folder into a zip app (Python's zipapp): an archive with a __main__ module at its root, run with importlib run app.zip (or directly, with --shebang). __pycache__ folders are left out.",
    )
    .argument('<dir>', 'the folder to pack')
    .requiredOption('-o, --output <archive>', 'the archive to write')
    .option(
      '-m, --main <pkg.mod:fn>',
      'generate a __main__ that calls fn() of pkg.mod (the folder must have no __main__)',
    )
    .option(
      '--compile',
      "put each source's compiled file in the archive, so the app starts without transpiling",
    )
    .option(
      '--shebang [interpreter]',
      `start the archive with #!<interpreter> and make it executable (default: ${DEFAULT_SHEBANG})`,
    )
    .addHelpText(
      'after',
      `
Examples:
  importlib zipapp app -o app.zip && importlib run app.zip
  importlib zipapp src -m app.cli:main --compile -o cli.zip
  importlib zipapp app --shebang -o app.pyz && ./app.pyz`,
    )
    .action(
      (
        dir: string,
        options: { output: string; main?: string; compile?: boolean; shebang?: string | true },
      ) => {
        const result = buildZipApp(resolve(full.cwd, dir), {
          output: resolve(full.cwd, options.output),
          ...(options.main ? { main: options.main } : {}),
          compile: options.compile ?? false,
          ...(options.shebang
            ? { shebang: options.shebang === true ? DEFAULT_SHEBANG : options.shebang }
            : {}),
        });
        full.stdout.write(
          `wrote ${result.output}: ${result.entries} entries${result.compiled ? `, ${result.compiled} compiled` : ''}\n`,
        );
      },
    );

  const argv = [...args];
  if (argv.length === 0) {
    program.outputHelp({ error: true }); // no command: a usage mistake (exit 2), the help on stderr
    return 2;
  }
  if (argv[0] === 'run') {
    try {
      runArgs = splitRunArgs(argv.slice(1));
    } catch (error) {
      full.stderr.write(errorLine('run', error, full.stderr));
      return 2;
    }
    argv.splice(1, argv.length - 1, ...runArgs.own);
    if (!runArgs.module && !runArgs.target && !runArgs.own.some((a) => a === '-h' || a === '--help')) {
      full.stderr.write(
        errorLine(
          'run',
          new CliUsageError(
            'nothing to run: give a file, a folder, a zip app, a bundle or -m module (see importlib run --help)',
          ),
          full.stderr,
        ),
      );
      return 2;
    }
  }
  commandName = argv[0] && !argv[0].startsWith('-') ? argv[0] : '';
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    full.stderr.write(errorLine(commandName || 'importlib', error, full.stderr));
    return error instanceof CliUsageError ? 2 : 1;
  }
  return exitCode;
}
