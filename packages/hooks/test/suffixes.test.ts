// The one documented suffix order of the file finder, and getSuffixes() reporting it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import type { ModuleType } from '@importlib/core';
import { createImportSystem, getSuffixes } from '@importlib/hooks';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'importlib-suffixes-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('getSuffixes', () => {
  it('lists extensions, then sources, then compiled-only files, then JSON', () => {
    const kinds = getSuffixes().map((s) => s.kind);
    expect(kinds[0]).toBe('extension');
    expect(kinds.lastIndexOf('source')).toBeLessThan(kinds.indexOf('compiled'));
    expect(kinds.indexOf('compiled')).toBeLessThan(kinds.indexOf('json'));
    expect(getSuffixes().map((s) => s.suffix)).toEqual([
      '.node',
      '.ts',
      '.tsx',
      '.mts',
      '.cts',
      '.js',
      '.jsx',
      '.mjs',
      '.cjs',
      '.jsc',
      '.json',
    ]);
  });

  it('is the order the file finder really uses: a .ts source beats a .js one and JSON of the same name', () => {
    const dir = tree({
      'm.ts': 'export const from = "ts";',
      'm.js': 'exports.from = "js";',
      'm.json': '{"from":"json"}',
    });
    const system = createImportSystem({ path: [dir], cache: { read: false, write: false } });
    expect((system.importModule('m') as ModuleType).from).toBe('ts');
  });

  it('falls back to JSON when there is no source of that name', () => {
    const dir = tree({ 'data.json': '{"from":"json"}' });
    const system = createImportSystem({ path: [dir], cache: { read: false, write: false } });
    expect(system.importModule('data')).toEqual({ from: 'json' });
  });
});
