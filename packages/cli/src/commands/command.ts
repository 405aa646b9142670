/**
 * What every command file hands `main`: a function that adds the command to the commander program,
 * and the context its action runs in (the streams, and the exit code it leaves for `main`).
 */
import type { Command } from 'commander';

import type { CommandIO } from '../run-command.js';

/** The streams a command writes to, and the exit code `main` returns once its action has run. */
export interface CommandContext {
  readonly io: CommandIO;
  /** 0 unless the action sets it (a failed compile, a module not found, the program's own code). */
  exitCode: number;
}

/**
 * Rewrites a command's own arguments (those after its name) before commander parses them, for a
 * command whose arguments commander cannot split alone (`run`: everything after the target belongs
 * to the program); or returns the exit code to stop with, after writing why.
 */
export type PrepareArgs = (args: readonly string[]) => readonly string[] | number;

/** Adds one command (options, help, action) to `program`; returns its {@link PrepareArgs}, if any. */
export type RegisterCommand = (program: Command, context: CommandContext) => PrepareArgs | void;

/** Commander's argument parser for a repeatable option: each value is appended to the list. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
