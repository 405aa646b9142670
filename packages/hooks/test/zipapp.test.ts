// Zip apps (Python's zipapp): buildZipApp packs a folder, runZipApp runs the archive's __main__.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import { ImportArgumentError, ModuleNotFoundError, type ImportEvent } from '@importlib/core';
import { buildZipApp, createImportSystem, runZipApp } from '@importlib/hooks';
import { readZipDirectory, writeZip, zipCompiledEntryName, ZipImportError } from '@importlib/loaders';

import { tree, workFolder } from './helpers.js';

const work = workFolder('zipapp-');

const LOG = '__zipappLog';
const logged = (): unknown[] => (globalThis as Record<string, unknown>)[LOG] as unknown[];

afterAll(() => {
  delete (globalThis as Record<string, unknown>)[LOG];
});

beforeEach(() => {
  (globalThis as Record<string, unknown>)[LOG] = [];
});

/** A new source folder holding `files`. */
function source(files: Record<string, string>): string {
  return tree(work.path, files, 'src-');
}

let counter = 0;
const output = (): string => join(work.path, `app${++counter}.pyz`);

const push = (what: string): string => `(globalThis as any).${LOG}.push(${what});\n`;

describe('buildZipApp and runZipApp', () => {
  it('packs a folder with a __main__ module and runs it as __main__', async () => {
    const dir = source({
      '__main__.ts': `import { greet } from './lib/greet';\n${push('greet((exports as any).__name__)')}`,
      'lib/greet.ts': 'export const greet = (name: string): string => `hello from ${name}`;\n',
    });
    const app = buildZipApp(dir, { output: output() }).output;
    await runZipApp(app, { nodeFallback: false });
    expect(logged()).toEqual(['hello from __main__']);
  });

  it('generates a __main__ that imports pkg.mod and calls fn for an entry point pkg.mod:fn', async () => {
    const dir = source({
      'pkg/__init__.ts': '',
      'pkg/cli.ts': `export function start(): void {\n${push("'started'")}}\n`,
    });
    const result = buildZipApp(dir, { output: output(), main: 'pkg.cli:start' });
    expect(readZipDirectory(result.output).isFile('__main__.js')).toBe(true);
    await runZipApp(result.output, { nodeFallback: false });
    expect(logged()).toEqual(['started']);
  });

  it('waits for an async entry point before the run settles', async () => {
    const dir = source({
      'app.ts': `export async function main(): Promise<void> {\n  await new Promise((r) => setTimeout(r, 5));\n${push("'finished'")}}\n`,
    });
    const app = buildZipApp(dir, { output: output(), main: 'app:main' }).output;
    await runZipApp(app, { nodeFallback: false });
    expect(logged()).toEqual(['finished']);
  });

  it('passes argv to the app as process.argv', async () => {
    const dir = source({ '__main__.ts': push('process.argv.slice(2)') });
    const app = buildZipApp(dir, { output: output() }).output;
    await runZipApp(app, { argv: ['--flag', 'value'], nodeFallback: false });
    expect(logged()).toEqual([['--flag', 'value']]);
  });

  it('writes a shebang line first and makes the archive executable, and it still runs', async () => {
    const dir = source({ '__main__.ts': push("'ran with a shebang'") });
    const app = buildZipApp(dir, { output: output(), shebang: '/usr/bin/env importlib' }).output;
    expect(readFileSync(app).subarray(0, 24).toString()).toBe('#!/usr/bin/env importlib');
    expect(statSync(app).mode & 0o100).toBe(0o100);
    await runZipApp(app, { nodeFallback: false });
    expect(logged()).toEqual(['ran with a shebang']);
  });

  it('precompiles every source into the archive with compile: true, and runs without transpiling', async () => {
    const dir = source({
      '__main__.ts': `import { value } from './dep';\n${push('value')}`,
      'dep.ts': 'export const value: number = 7;\n',
    });
    const result = buildZipApp(dir, { output: output(), compile: true });
    expect(result.compiled).toBe(2);
    const directory = readZipDirectory(result.output);
    expect(directory.isFile(zipCompiledEntryName('dep.ts'))).toBe(true);
    const system = createImportSystem({ nodeFallback: false, cache: { write: false } });
    const messages: string[] = [];
    system.addTracer((event: ImportEvent) => {
      if (event.type === 'verbose') messages.push(event.message);
    });
    await runZipApp(result.output, { system });
    expect(logged()).toEqual([7]);
    const fromArchive = (entry: string): string =>
      `# code object from '${result.output}/${zipCompiledEntryName(entry)}'`;
    expect(messages).toContain(fromArchive('__main__.ts'));
    expect(messages).toContain(fromArchive('dep.ts'));
  });

  it('leaves the folder’s own __pycache__ out of the archive', () => {
    const dir = source({ '__main__.ts': '', '__pycache__/__main__.ts.importlib-1.jsc': 'stale' });
    const directory = readZipDirectory(buildZipApp(dir, { output: output() }).output);
    expect([...directory.files()].map((entry) => entry.name)).toEqual(['__main__.ts']);
  });

  it('packs dot-folders and node_modules, which only the other tools skip', () => {
    const dir = source({ '__main__.ts': '', '.config/app.json': '{}', 'node_modules/dep/index.js': '' });
    const app = buildZipApp(dir, { output: output() }).output;
    expect([...readZipDirectory(app).files()].map((entry) => entry.name).sort()).toEqual([
      '.config/app.json',
      '__main__.ts',
      'node_modules/dep/index.js',
    ]);
  });

  it.runIf(process.platform !== 'win32')(
    'packs what a link to a file holds, and ends on a link loop without a FIFO or a linked folder',
    () => {
      const dir = source({ '__main__.ts': '', 'lib/x.ts': 'export const x = 1;\n' });
      symlinkSync(join(dir, 'lib', 'x.ts'), join(dir, 'alias.ts'));
      symlinkSync(dir, join(dir, 'lib', 'loop')); // lib/loop -> the folder: a cycle, not entered
      execFileSync('mkfifo', [join(dir, 'pipe.ts')]); // reading it would block for ever
      const app = buildZipApp(dir, { output: output() }).output;
      const directory = readZipDirectory(app);
      expect([...directory.files()].map((entry) => entry.name).sort()).toEqual([
        '__main__.ts',
        'alias.ts',
        'lib/x.ts',
      ]);
    },
  );

  it('applies the filter to relative paths', () => {
    const dir = source({ '__main__.ts': '', 'notes.md': '', 'lib/x.ts': '' });
    const app = buildZipApp(dir, { output: output(), filter: (file) => !file.endsWith('.md') }).output;
    expect([...readZipDirectory(app).files()].map((entry) => entry.name).sort()).toEqual([
      '__main__.ts',
      'lib/x.ts',
    ]);
  });
});

describe('zip apps that cannot be built or run', () => {
  it('refuses a folder without __main__ and without an entry point', () => {
    const dir = source({ 'lib.ts': '' });
    expect(() => buildZipApp(dir, { output: output() })).toThrow(ImportArgumentError);
  });

  it('refuses an entry point when the folder has its own __main__', () => {
    const dir = source({ '__main__.ts': '', 'app.ts': 'export function main() {}\n' });
    expect(() => buildZipApp(dir, { output: output(), main: 'app:main' })).toThrow(/has its own __main__/);
  });

  it('refuses an entry point not written pkg.mod:fn', () => {
    const dir = source({ 'app.ts': '' });
    expect(() => buildZipApp(dir, { output: output(), main: 'app.main' })).toThrow(ImportArgumentError);
  });

  it('refuses a source folder that does not exist', () => {
    expect(() => buildZipApp(join(work.path, 'nowhere'), { output: output() })).toThrow(ImportArgumentError);
  });

  it('writes nothing when a source does not parse with compile: true', () => {
    const dir = source({ '__main__.ts': 'export const = ;\n' });
    const target = output();
    expect(() => buildZipApp(dir, { output: target, compile: true })).toThrow(/ERR_IMPORTLIB_SYNTAX|cannot/);
    expect(() => statSync(target)).toThrow();
  });

  it('rejects a file that is not an archive with a ZipImportError', async () => {
    const file = join(work.path, 'not-an-app.txt');
    writeFileSync(file, 'plain text');
    await expect(runZipApp(file)).rejects.toBeInstanceOf(ZipImportError);
  });

  it('rejects an archive without __main__ with ModuleNotFoundError', async () => {
    const app = output();
    writeZip(app, [{ name: 'lib.ts', data: '' }]);
    await expect(runZipApp(app, { nodeFallback: false })).rejects.toBeInstanceOf(ModuleNotFoundError);
  });
});
