/**
 * The `importlib` command line, parsed with commander: this file builds the program and hands each
 * command (`commands/<name>.ts`: `run`, `compile`, `find`, `freeze`, `zipapp`) the program to add
 * itself to. {@link main} takes the arguments and the streams, so it runs the same in a test as in
 * the binary.
 */
import { createRequire } from 'node:module';

import { Command, CommanderError } from 'commander';

import type { CommandContext, PrepareArgs, RegisterCommand } from './commands/command.js';
import { registerCompile } from './commands/compile.js';
import { registerFind } from './commands/find.js';
import { registerFreeze } from './commands/freeze.js';
import { registerRun } from './commands/run.js';
import { registerZipapp } from './commands/zipapp.js';
import { CliUsageError, errorLine, painter } from './output.js';
import type { CommandIO } from './run-command.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The commands, in the order `importlib --help` lists them. */
const COMMANDS: Readonly<Record<string, RegisterCommand>> = {
  run: registerRun,
  compile: registerCompile,
  find: registerFind,
  freeze: registerFreeze,
  zipapp: registerZipapp,
};

/** The program without its commands: name, version, help, and output through `io`. */
function createProgram(io: CommandIO, commandName: () => string): Command {
  const paint = painter(io.stdout, io.env);
  return new Command('importlib')
    .description(
      "Python's import system for TypeScript and JavaScript: run, trace, profile, compile, find, freeze, zipapp.",
    )
    .version(version, '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text) =>
        void io.stderr.write(
          errorLine(
            commandName() || 'importlib',
            new CliUsageError(text.replace(/^error: /, '').trim()),
            io.stderr,
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
}

/**
 * Run the `importlib` command with `args` (without `node` and the script) and return its exit code:
 * 0 on success, 1 when the program or a compile failed or a module was not found, 2 for a usage
 * mistake. `run` resolves once the program's main body has finished.
 */
export async function main(args: readonly string[], io: Partial<CommandIO> = {}): Promise<number> {
  const context: CommandContext = {
    io: {
      stdout: io.stdout ?? process.stdout,
      stderr: io.stderr ?? process.stderr,
      env: io.env ?? process.env,
      cwd: io.cwd ?? process.cwd(),
    },
    exitCode: 0,
  };
  let commandName = '';
  const program = createProgram(context.io, () => commandName);
  const prepare = new Map<string, PrepareArgs>();
  for (const [name, register] of Object.entries(COMMANDS)) {
    const prepareArgs = register(program, context);
    if (prepareArgs) prepare.set(name, prepareArgs);
  }

  const [command, ...rest] = args;
  if (command === undefined) {
    program.outputHelp({ error: true }); // no command: a usage mistake (exit 2), the help on stderr
    return 2;
  }
  let argv = args;
  const prepareArgs = prepare.get(command);
  if (prepareArgs) {
    const prepared = prepareArgs(rest);
    if (typeof prepared === 'number') return prepared;
    argv = [command, ...prepared];
  }
  commandName = command.startsWith('-') ? '' : command;
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
    context.io.stderr.write(errorLine(commandName || 'importlib', error, context.io.stderr));
    return error instanceof CliUsageError ? 2 : 1;
  }
  return context.exitCode;
}
