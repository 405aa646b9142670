/**
 * How the command writes: colours only on a terminal and never with `NO_COLOR`, one-line errors for
 * user mistakes (the message and the typed error's code), and the CLI's own usage error.
 */
import { styleText } from 'node:util';

/** The code of {@link CliUsageError}. */
export const USAGE_ERROR_CODE = 'ERR_IMPORTLIB_CLI_USAGE';

/**
 * A mistake in how the command was called: a missing or unknown target, a bad option value. Printed
 * as one line, exit code 2.
 */
export class CliUsageError extends Error {
  readonly code = USAGE_ERROR_CODE;

  override get name(): string {
    return 'CliUsageError';
  }
}

/** A writable stream as far as the command needs one. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Whether to colour what goes to `stream`: a terminal, and `NO_COLOR` unset or empty (no-color.org). */
function useColor(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

type Style = Parameters<typeof styleText>[0];

/** A styler for one stream: `paint('red', text)` colours only when {@link useColor} says so. */
export function painter(
  stream: OutputStream,
  env?: NodeJS.ProcessEnv,
): (style: Style, text: string) => string {
  const color = useColor(stream, env);
  // useColor decides; styleText must not second-guess it from process.stdout and `CI` (Node 20.20+).
  return (style, text) => (color ? styleText(style, text, { validateStream: false }) : text);
}

/** The code of a typed error (`ERR_IMPORTLIB_...`), or `null`. */
export function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** One line for a user mistake: `importlib <command>: error: <message> (<code>)`. */
export function errorLine(command: string, error: unknown, stream: OutputStream): string {
  const paint = painter(stream);
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  return `${paint('bold', `importlib ${command}:`)} ${paint('red', 'error:')} ${message}${code ? ` ${paint('dim', `(${code})`)}` : ''}\n`;
}
