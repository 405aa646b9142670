/**
 * `importlib zipapp`: pack a folder into a runnable zip app (Python's `zipapp`). The work is
 * `buildZipApp` of `@importlib/hooks`; this file is its options, help and report.
 */
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { buildZipApp } from '@importlib/hooks';

import type { CommandContext } from './command.js';

/** What `zipapp --shebang` puts after `#!`: env runs `importlib run <the archive>`. */
const DEFAULT_SHEBANG = '/usr/bin/env -S importlib run';

interface ZipappCommandOptions {
  output: string;
  main?: string;
  compile?: boolean;
  shebang?: string | true;
}

/** Add `zipapp` to `program`. */
export function registerZipapp(program: Command, context: CommandContext): void {
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
    .action((dir: string, options: ZipappCommandOptions) => {
      const { cwd, stdout } = context.io;
      const result = buildZipApp(resolve(cwd, dir), {
        output: resolve(cwd, options.output),
        ...(options.main ? { main: options.main } : {}),
        compile: options.compile ?? false,
        ...(options.shebang ? { shebang: options.shebang === true ? DEFAULT_SHEBANG : options.shebang } : {}),
      });
      stdout.write(
        `wrote ${result.output}: ${result.entries} entries${result.compiled ? `, ${result.compiled} compiled` : ''}\n`,
      );
    });
}
