/**
 * `importlib freeze`: write a frozen bundle of modules (found by name on `--path`, or every module of
 * a folder or file). The work is `freeze` of `@importlib/hooks`; this file is its options, help and
 * report.
 */
import { resolve } from 'node:path';

import { Option, type Command } from 'commander';

import { freeze, isPathTarget } from '@importlib/hooks';

import { collect, type CommandContext } from './command.js';

interface FreezeCommandOptions {
  output: string;
  path: string[];
  v8Cache: 'compile' | 'run' | 'none';
  filenames: boolean;
}

/** Add `freeze` to `program`. */
export function registerFreeze(program: Command, context: CommandContext): void {
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
    .action((targets: string[], options: FreezeCommandOptions) => {
      const { cwd, stdout } = context.io;
      const result = freeze(
        targets.map((target) => (isPathTarget(target) ? resolve(cwd, target) : target)),
        {
          output: resolve(cwd, options.output),
          path: (options.path.length ? options.path : ['.']).map((entry) => resolve(cwd, entry)),
          v8Cache: options.v8Cache === 'none' ? false : options.v8Cache,
          filenames: options.filenames,
        },
      );
      for (const module of result.modules) {
        stdout.write(
          `froze ${module.name}${module.isPackage ? ' (package)' : ''}${module.filename ? ` from ${module.filename}` : ''}\n`,
        );
      }
      stdout.write(`wrote ${result.output}: ${result.modules.length} modules, ${result.size} bytes\n`);
    });
}
