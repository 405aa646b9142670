// Small helpers shared by the loaders' tests.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const testDir = path.dirname(fileURLToPath(import.meta.url));

/** Run `fn` and return what it threw; fail the test when it does not throw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Lets a plain `node` import the TypeScript sources (see compiled-cache/ts-hooks.mjs). */
export const childFlags = [
  '--conditions=@importlib/source',
  '--import',
  pathToFileURL(path.join(testDir, 'compiled-cache', 'register.mjs')).href,
];

/** The environment of a child `node`: this one's, without `NODE_OPTIONS`. */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return env;
}

/**
 * Run `node [extraFlags] <childFlags> <script> ...args` to the end (`script` relative to the test
 * folder); its stdout. Rejects with its stderr when it exits with an error.
 */
export function runNode(script: string, args: string[], extraFlags: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...extraFlags, ...childFlags, path.join(testDir, script), ...args],
      {
        env: childEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${script} exited with ${code}:\n${err}`)),
    );
  });
}
