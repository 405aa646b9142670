/**
 * `importlib find`: which finder and loader would serve a module, and what every place asked before
 * said. The search is `explainFind` (../find.ts); this file is its options, help and output.
 */
import type { Command } from 'commander';

import { ModuleNotFoundError } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';

import { explainFind, formatFindReport, type FindReport } from '../find.js';
import { errorLine } from '../output.js';
import { pathEntries } from '../run-command.js';
import { collect, type CommandContext } from './command.js';

/** The report as `--json` prints it: the spec reduced to plain, printable fields. */
function reportJson(report: FindReport): string {
  const { spec } = report;
  return `${JSON.stringify(
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
  )}\n`;
}

/** Add `find` to `program`. */
export function registerFind(program: Command, context: CommandContext): void {
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
      const { io } = context;
      const entries = pathEntries(options.path.length ? options.path : ['.'], io);
      const system = createImportSystem({ path: entries, cache: { write: false }, traceFiles: true });
      const report = explainFind(system, name);
      io.stdout.write(options.json ? reportJson(report) : formatFindReport(report));
      if (!report.spec) {
        const notFound = new ModuleNotFoundError(`No module named '${name}'`, { moduleName: name });
        io.stderr.write(errorLine('find', notFound, io.stderr));
        context.exitCode = 1;
      }
    });
}
