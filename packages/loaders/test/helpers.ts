// Small helpers shared by the loaders' tests.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

const testDir = path.dirname(fileURLToPath(import.meta.url));

/** The error `fn` throws, typed as `E` (fails the test when it throws nothing). */
export function thrownBy<E = Error & Record<string, unknown>>(fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    return error as E;
  }
  throw new Error('expected an error, nothing was thrown');
}

/** Lets a plain `node` import the TypeScript sources (see compiled-cache/ts-hooks.mjs). */
/**
 * The timeout of a test that starts fresh processes or runs a long property: enough for a loaded
 * 2-core machine (the suite's default of 20 s is not, when turbo runs every package at once).
 */
export const SLOW_UNDER_LOAD = 90_000;

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

/**
 * A fresh folder `test/.work/<prefix>XXXXXX`, made before the calling file's tests and removed after
 * them. Read `.path` inside hooks and tests (it is empty until the tests start).
 */
export function workFolder(prefix: string): { readonly path: string } {
  const folder = { path: '' };
  beforeAll(() => {
    const work = path.join(testDir, '.work');
    mkdirSync(work, { recursive: true });
    folder.path = mkdtempSync(path.join(work, prefix));
  });
  afterAll(() => {
    if (folder.path !== '') rmSync(folder.path, { recursive: true, force: true });
  });
  return folder;
}

/** A writer of archive files: each call makes a new `<n>.zip` in `folder` holding the bytes given. */
export function archivesIn(folder: { readonly path: string }): (bytes: Uint8Array) => string {
  let counter = 0;
  return (bytes) => {
    const file = path.join(folder.path, `${++counter}.zip`);
    writeFileSync(file, bytes);
    return file;
  };
}
