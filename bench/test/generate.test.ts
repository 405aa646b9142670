// The benchmark's smoke test (the benchmark itself is `pnpm bench`, never part of the tests): a tiny
// generated tree is valid, deterministic for a seed, and its CommonJS version runs under plain
// `require` with `entry` reaching every module; the baseline and floor scenarios still run on it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTree, planTree, renderTree } from '../generate.mjs';
import { runChild } from '../lib/child-process.mjs';

const scenarios = fileURLToPath(new URL('../scenarios/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'importlib-bench-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('the tree generator', () => {
  const a = join(work, 'a');
  const manifest = generateTree({ n: 30, seed: 7, out: a });

  it('gives exactly n modules, with packages, cycles and both import endings', () => {
    expect(manifest.modules).toBe(30);
    expect(manifest.packages).toBeGreaterThanOrEqual(2);
    expect(manifest.cycles).toBeGreaterThanOrEqual(1);
    const ts = filesUnder(join(a, 'ts'));
    const sources = [...ts.values()].join('\n');
    expect(sources).toMatch(/from '\.\.?\/[\w/.]+\.js';/);
    expect(sources).toMatch(/from '\.\.?\/[\w/.]*\w';/);
    for (const [path, text] of ts) {
      if (!/\.ts$/.test(path) || /(^|\/)(__init__|index|entry)\.ts$/.test(path)) continue;
      const lines = text.trimEnd().split('\n').length;
      expect(lines, path).toBeGreaterThanOrEqual(40);
      expect(lines, path).toBeLessThanOrEqual(80);
      expect(text.match(/^import (?!type)/gm)?.length ?? 0, path).toBeLessThanOrEqual(5); // 2-4, +1 closing a cycle
    }
  });

  it('is deterministic for a seed, and a different seed gives a different tree', () => {
    const b = join(work, 'b');
    generateTree({ n: 30, seed: 7, out: b });
    expect(filesUnder(b)).toEqual(filesUnder(a));
    const other = renderTree(planTree({ n: 30, seed: 8 }));
    expect(other).not.toEqual(renderTree(planTree({ n: 30, seed: 7 })));
  });

  it('runs as CommonJS under plain require, and entry reaches every module', () => {
    const script = `
      const cjs = ${JSON.stringify(join(a, 'cjs'))};
      require(cjs + '/entry.js');
      console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.startsWith(cjs + '/')).map((k) => k.slice(cjs.length + 1))));
    `;
    const loaded: string[] = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    const floor = JSON.parse(readFileSync(join(a, 'floor.json'), 'utf8'));
    expect(loaded).toHaveLength(30);
    expect([...loaded].sort()).toEqual([...floor.files].sort());
  });

  it('keeps the baseline and floor scenarios running', () => {
    const run = (name: string, ...args: string[]) =>
      runChild({ script: join(scenarios, `${name}.mjs`), args: ['--tree', a, ...args], cwd: join(a, 'ts') });
    expect(run('require')).toMatchObject({ modules: 30 });
    expect(run('floor', '--write-cache')).toMatchObject({ modules: 30, codeCache: 'written' });
    expect(run('floor')).toMatchObject({ modules: 30, codeCache: { used: 30, rejected: 0 } });
    expect(run('floor', '--no-code-cache')).toMatchObject({ modules: 30, codeCache: 'off' });
  });
});
