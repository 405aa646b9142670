// The background writer of compiled files: after a system's first INLINE_COMPILED_WRITES compiled
// files, the rest are written by a worker thread while the import goes on. What a user relies on:
// every file ends up on disk, whole and valid, by flushCompiledWrites() or by the time the process
// exits (naturally or through process.exit()), and nothing is left behind.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

import { createImportSystem } from '@importlib/hooks';
import {
  cacheFromSource,
  compiledWriteStats,
  decodeCompiled,
  flushCompiledWrites,
  INLINE_COMPILED_WRITES,
} from '@importlib/loaders';

import { workFolder } from './helpers.js';

const work = workFolder('background-writes-');

/** More modules than a system writes inline, in two packages; `entry` imports them all. */
const COUNT = INLINE_COMPILED_WRITES * 3;

function makeTree(): { root: string; sources: string[] } {
  const root = mkdtempSync(join(work.path, 'tree-'));
  const sources: string[] = [];
  const lines: string[] = [];
  for (const pkg of ['alpha', 'beta']) {
    mkdirSync(join(root, pkg));
    writeFileSync(join(root, pkg, '__init__.ts'), 'export const ready: boolean = true;\n');
    sources.push(join(root, pkg, '__init__.ts'));
  }
  for (let i = 0; i < COUNT; i++) {
    const pkg = i % 2 ? 'alpha' : 'beta';
    const file = join(root, pkg, `m${i}.ts`);
    writeFileSync(file, `export const value: number = ${i};\nexport type Id = { id: number };\n`);
    sources.push(file);
    lines.push(`import { value as v${i} } from './${pkg}/m${i}';`);
  }
  lines.push(`export const total: number = ${Array.from({ length: COUNT }, (_, i) => `v${i}`).join(' + ')};`);
  writeFileSync(join(root, 'entry.ts'), lines.join('\n') + '\n');
  sources.push(join(root, 'entry.ts'));
  return { root, sources };
}

const expectedTotal = (COUNT * (COUNT - 1)) / 2;

const totalOf = (module: unknown): unknown => (module as { total?: unknown }).total;

/** Every source's compiled file exists and decodes, and no temporary file is left beside them. */
function expectEveryCompiledFile(sources: readonly string[]): void {
  for (const source of sources) {
    const cached = cacheFromSource(source);
    const decoded = decodeCompiled(readFileSync(cached), { name: null, path: cached });
    expect(decoded.js.length).toBeGreaterThan(0);
    expect(decoded.v8).not.toBeNull();
  }
  for (const pkg of ['alpha', 'beta']) {
    const pycache = join(sources[0]!, '..', '..', pkg, '__pycache__');
    expect(readdirSync(pycache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }
}

describe('compiled files written in the background', () => {
  it('are all on disk, whole, after flushCompiledWrites()', () => {
    const { root, sources } = makeTree();
    const system = createImportSystem({ path: [root], nodeFallback: false });
    expect(totalOf(system.importModule('entry'))).toBe(expectedTotal);
    flushCompiledWrites();
    expect(compiledWriteStats().pending).toBe(0);
    expectEveryCompiledFile(sources);
  });

  it('are read back by the next system, which transpiles nothing', () => {
    const { root, sources } = makeTree();
    createImportSystem({ path: [root], nodeFallback: false }).importModule('entry');
    flushCompiledWrites();
    const second = createImportSystem({ path: [root], nodeFallback: false });
    const fromCache: string[] = [];
    second.addTracer((event) => {
      if (event.type === 'verbose' && event.message.startsWith('# code object from'))
        fromCache.push(event.message);
    });
    expect(totalOf(second.importModule('entry'))).toBe(expectedTotal);
    expect(fromCache).toHaveLength(sources.length);
  });

  it('are written inline, in order, while the system is traced', () => {
    const { root, sources } = makeTree();
    const system = createImportSystem({ path: [root], nodeFallback: false });
    const created: string[] = [];
    system.addTracer((event) => {
      if (event.type === 'verbose' && event.message.startsWith('# created')) created.push(event.message);
    });
    system.importModule('entry');
    expect(created).toHaveLength(sources.length);
    for (const source of sources) expect(statSync(cacheFromSource(source)).size).toBeGreaterThan(0);
  });

  it('are written inline with cache.background off', () => {
    const { root, sources } = makeTree();
    const before = compiledWriteStats().pending;
    createImportSystem({ path: [root], nodeFallback: false, cache: { background: false } }).importModule(
      'entry',
    );
    expect(compiledWriteStats().pending).toBe(before);
    // No flush: every file is already there.
    for (const source of sources) expect(statSync(cacheFromSource(source)).size).toBeGreaterThan(0);
  });
});

// A fresh process: the exit hook must wait for the queue, whether the program ends by itself or
// calls process.exit() right after its import.
const registerUrl = pathToFileURL(
  fileURLToPath(new URL('../../loaders/test/compiled-cache/register.mjs', import.meta.url)),
).href;

function runChild(root: string, exit: 'natural' | 'process.exit'): void {
  const program = [
    "import { createImportSystem } from '@importlib/hooks';",
    `const system = createImportSystem({ path: [${JSON.stringify(root)}], nodeFallback: false });`,
    "if (system.importModule('entry').total !== " + expectedTotal + ") throw new Error('wrong total');",
    exit === 'process.exit' ? 'process.exit(0);' : '',
  ].join('\n');
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  const out = spawnSync(
    process.execPath,
    ['--conditions=@importlib/source', '--import', registerUrl, '--input-type=module', '-e', program],
    { env, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' },
  );
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
}

describe('the process exit', () => {
  it('waits for every queued compiled file when the program ends by itself', () => {
    const { root, sources } = makeTree();
    runChild(root, 'natural');
    expectEveryCompiledFile(sources);
  });

  it('waits for every queued compiled file under process.exit()', () => {
    const { root, sources } = makeTree();
    runChild(root, 'process.exit');
    expectEveryCompiledFile(sources);
  });
});
