// Run the built `importlib` binary as a child process, and make real trees for it under test/.work.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary (turbo builds the package before its tests). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const workRoot = fileURLToPath(new URL('./.work', import.meta.url));

/** What a run of the command gave. */
export interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Options of {@link importlib}. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** Environment without colour settings inherited from the test runner. */
function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.IMPORTLIB_PATH;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Run `importlib args…` (stdout and stderr are pipes, so not a terminal). */
export function importlib(args: readonly string[], options: RunOptions = {}): Promise<Result> {
  return collect(spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cleanEnv(options.env) }));
}

/**
 * Run `importlib args…` on a pseudo-terminal (util-linux `script`), so stdout and stderr are TTYs;
 * what the terminal showed comes back as `stdout`.
 */
export function importlibOnTerminal(args: readonly string[], options: RunOptions = {}): Promise<Result> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return collect(
    spawn('script', ['-qec', command, '/dev/null'], {
      cwd: options.cwd,
      env: cleanEnv({ TERM: 'xterm-256color', COLUMNS: '120', ...options.env }),
    }),
  );
}

function collect(child: ReturnType<typeof spawn>): Promise<Result> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

/** A new folder under test/.work/<label>-XXXX holding `files` (path → text). */
export function tree(label: string, files: Record<string, string>): string {
  mkdirSync(workRoot, { recursive: true });
  const root = mkdtempSync(join(workRoot, `${label}-`));
  write(root, files);
  return root;
}

/** Write `files` under `root`. */
export function write(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

/** The test/.work folder (removed by the test files that used it). */
export const WORK_ROOT = workRoot;
