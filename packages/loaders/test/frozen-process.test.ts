// Frozen bundles in real processes: V8 takes the bundle's code cache in a fresh process with the
// same runtime, and a process with other V8 flags never hands it to V8 (inside one process V8's own
// compilation cache could hide either).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Lets a plain `node` import the TypeScript sources (the compiled-cache tests' loader hooks). */
const childFlags = [
  '--conditions=@importlib/source',
  '--import',
  pathToFileURL(path.join(here, 'compiled-cache', 'register.mjs')).href,
];

/** Run the probe to the end in a fresh `node [extraFlags]`; its JSON line. */
function probe(args: string[], extraFlags: string[] = []): Promise<Record<string, unknown>> {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...extraFlags, ...childFlags, path.join(here, 'frozen-child.mjs'), ...args],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, unknown>)
        : reject(new Error(`exit ${code}:\n${err}`)),
    );
  });
}

describe('frozen bundles in fresh processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'importlib-frozen-proc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands V8 the bundle’s code cache, and V8 takes it', async () => {
    const file = path.join(dir, 'probe.frozen');
    const made = await probe(['freeze', file]);
    const ran = await probe(['run', file]);
    expect(ran).toEqual({ v8Usable: true, hasV8: true, cachedDataRejected: false, result: made.result });
  });

  it('keeps a code cache made under other V8 flags away from V8, and runs the code', async () => {
    const file = path.join(dir, 'probe.frozen');
    const made = await probe(['freeze', file], ['--max-lazy']);
    const ran = await probe(['run', file]);
    expect(ran).toEqual({ v8Usable: false, hasV8: false, cachedDataRejected: null, result: made.result });
  });
});
