// Frozen bundles in real processes: V8 takes the bundle's code cache in a fresh process with the
// same runtime, and a process with other V8 flags never hands it to V8 (inside one process V8's own
// compilation cache could hide either).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runNode, SLOW_UNDER_LOAD } from './helpers.js';

/** Run the probe to the end in a fresh `node [extraFlags]`; its JSON line. */
async function probe(args: string[], extraFlags: string[] = []): Promise<Record<string, unknown>> {
  return JSON.parse(await runNode('frozen-child.mjs', args, extraFlags)) as Record<string, unknown>;
}

describe('frozen bundles in fresh processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'importlib-frozen-proc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'hands V8 the bundle’s code cache, and V8 takes it',
    async () => {
      const file = path.join(dir, 'probe.frozen');
      const made = await probe(['freeze', file]);
      const ran = await probe(['run', file]);
      expect(ran).toEqual({ v8Usable: true, hasV8: true, cachedDataRejected: false, result: made.result });
    },
    SLOW_UNDER_LOAD,
  );

  it('keeps a code cache made under other V8 flags away from V8, and runs the code', async () => {
    const file = path.join(dir, 'probe.frozen');
    const made = await probe(['freeze', file], ['--max-lazy']);
    const ran = await probe(['run', file]);
    expect(ran).toEqual({ v8Usable: false, hasV8: false, cachedDataRejected: null, result: made.result });
  });
});
