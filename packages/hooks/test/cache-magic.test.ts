// The compiled cache's magic number covers what changes the transpiled code for the same source: the
// transpiler's version, this package's transform revision, and the transpile options.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import type { ImportEvent, ModuleType } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';
import {
  getMagic,
  getTranspilerId,
  magicForOptions,
  TRANSFORM_REVISION,
  transpileOptionsKey,
} from '@importlib/loaders';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'importlib-magic-'));
  made.push(dir);
  writeFileSync(join(dir, 'm.ts'), 'export const answer: number = 42;\n');
  return dir;
}

function compiledFile(dir: string): Buffer {
  const [file] = readdirSync(join(dir, '__pycache__'));
  return readFileSync(join(dir, '__pycache__', file as string));
}

describe('the magic number of compiled files', () => {
  it("includes this package's transform revision, so a change of the transpiled output invalidates old files", () => {
    expect(getTranspilerId()).toMatch(new RegExp(`^swc-\\d+\\.\\d+\\.\\d+\\+r${TRANSFORM_REVISION}$`));
  });

  it('is the default magic for the default transpile options, and another one for other options', () => {
    expect(transpileOptionsKey({})).toBe('');
    expect(transpileOptionsKey({ decorators: '2022-03', jsx: 'automatic' })).toBe('');
    expect([...magicForOptions('')]).toEqual([...getMagic()]);
    expect([...magicForOptions(transpileOptionsKey({ decorators: 'legacy' }))]).not.toEqual([...getMagic()]);
  });

  it('makes a system with other transpile options rebuild a compiled file rather than run it', () => {
    const dir = project();
    createImportSystem({ path: [dir], transpile: { decorators: 'legacy' } }).importModule('m');
    expect([...compiledFile(dir).subarray(0, 4)]).toEqual([...magicForOptions('decorators=legacy')]);

    const events: ImportEvent[] = [];
    const system = createImportSystem({ path: [dir] });
    system.addTracer((event) => events.push(event));
    expect((system.importModule('m') as ModuleType).answer).toBe(42);
    const messages = events.flatMap((e) => (e.type === 'verbose' ? [e.message] : []));
    expect(messages.some((m) => /bad magic number/.test(m))).toBe(true);
    expect([...compiledFile(dir).subarray(0, 4)]).toEqual([...getMagic()]);
  });
});
