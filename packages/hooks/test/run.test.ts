// runModule / runPath (Python's runpy) over real trees: modules, packages with __main__, folders,
// plain script files, top-level await, argv, failures, and what is restored afterwards.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ErrorCodes, ImportError, ModuleNotFoundError, type ModuleSpec } from '@importlib/core';
import { createImportSystem, runModule, runPath } from '@importlib/hooks';

import { rejectionOf, workFolder, writeTree } from './helpers.js';

const work = workFolder('run-');
let root: string;

// Module code reports what it saw by pushing to this global array (it runs in this realm).
const LOG = '__runTestLog';
const logged = (): unknown[] => (globalThis as Record<string, unknown>)[LOG] as unknown[];

const files: Record<string, string> = {
  'app/__init__.ts': `export const ready = true;\n`,
  'app/util.ts': `export const twice = (n: number): number => n * 2;\n`,
  'app/cli.ts': [
    `import { twice } from './util.js';`,
    `import * as main from '__main__';`,
    `(globalThis as any).${LOG}.push({ registered: main, argv: process.argv.slice(2) });`,
    `export const answer: number = twice(21);`,
  ].join('\n'),
  'app/boom.ts': [
    `export function fail(): never {`,
    `  throw new Error('the program failed');`,
    `}`,
    `fail();`,
  ].join('\n'),
  'app/waits.ts': [
    `await new Promise((resolve) => setTimeout(resolve, 5));`,
    `export const waited = true;`,
  ].join('\n'),
  'tool/__init__.ts': `export const pkg = 'tool';\n`,
  'tool/__main__.ts': `export const ranFrom: string = 'tool.__main__';\n`,
  'nomain/__init__.ts': `export const x = 1;\n`,
  'space/part.ts': `export const y = 1;\n`,
  'folderapp/__main__.ts': [
    `import { helper } from './helper.js';`,
    `export const result: string = helper();`,
  ].join('\n'),
  'folderapp/helper.ts': `export const helper = (): string => 'helped';\n`,
  'emptyfolder/readme.txt': 'no __main__ here\n',
  'scripts/hello.ts': [
    `const greeting: string = 'hello';`,
    `(globalThis as any).${LOG}.push(process.argv.slice(2));`,
    `export { greeting };`,
  ].join('\n'),
  'scripts/plain': `exports.kind = 'no suffix';\n`,
};

beforeAll(() => {
  root = work.path;
  writeTree(root, files);
});

afterAll(() => {
  delete (globalThis as Record<string, unknown>)[LOG];
});

beforeEach(() => {
  (globalThis as Record<string, unknown>)[LOG] = [];
});

const newSystem = () => createImportSystem({ path: [root], cache: { write: false } });

describe('runModule (runpy.run_module)', () => {
  it('runs the module in a fresh module named __main__, with its spec and file', async () => {
    const module = await runModule(newSystem(), 'app.cli');
    expect(module.__name__).toBe('__main__');
    expect(module.answer).toBe(42);
    expect(module.__file__).toBe(join(root, 'app', 'cli.ts'));
    expect((module.__spec__ as ModuleSpec).name).toBe('app.cli');
    expect(module.__package__).toBe('app');
  });

  it('imports the parent package but does not register the module under its own name', async () => {
    const system = newSystem();
    await runModule(system, 'app.cli');
    expect(system.modules.has('app')).toBe(true);
    expect(system.modules.has('app.cli')).toBe(false);
  });

  it('registers the running module as __main__ while it runs and removes it afterwards', async () => {
    const system = newSystem();
    const module = await runModule(system, 'app.cli');
    expect((logged()[0] as { registered: unknown }).registered).toBe(module);
    expect(system.modules.has('__main__')).toBe(false);
  });

  it('restores a __main__ that was registered before the run', async () => {
    const system = newSystem();
    const before = { previous: true };
    system.modules.set('__main__', before);
    await runModule(system, 'app.cli');
    expect(system.modules.get('__main__')).toBe(before);
  });

  it('leaves the module registered as __main__ with keep', async () => {
    const system = newSystem();
    const module = await runModule(system, 'app.cli', { keep: true });
    expect(system.modules.get('__main__')).toBe(module);
  });

  it('runs under another name with runName', async () => {
    const module = await runModule(newSystem(), 'app.util', { runName: 'custom' });
    expect(module.__name__).toBe('custom');
  });

  it('gives the program its arguments in process.argv and restores process.argv afterwards', async () => {
    const before = process.argv;
    await runModule(newSystem(), 'app.cli', { argv: ['--flag', 'value'] });
    expect((logged()[0] as { argv: string[] }).argv).toEqual(['--flag', 'value']);
    expect(process.argv).toBe(before);
  });

  it('runs a package through its __main__ submodule', async () => {
    const module = await runModule(newSystem(), 'tool');
    expect(module.ranFrom).toBe('tool.__main__');
    expect((module.__spec__ as ModuleSpec).name).toBe('tool.__main__');
  });

  it('refuses a package without __main__ with ModuleNotFoundError naming the package', async () => {
    const error = (await rejectionOf(runModule(newSystem(), 'nomain'))) as ModuleNotFoundError;
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.message).toMatch(/'nomain' is a package and cannot be directly executed/);
    expect(error.moduleName).toBe('nomain.__main__');
  });

  it('refuses a missing module with ModuleNotFoundError (ERR_IMPORTLIB_NOT_FOUND)', async () => {
    const error = (await rejectionOf(runModule(newSystem(), 'app.nothere'))) as ModuleNotFoundError;
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.code).toBe(ErrorCodes.NOT_FOUND);
    expect(error.moduleName).toBe('app.nothere');
  });

  it('refuses a namespace package without __main__ as a package that cannot be executed', async () => {
    const error = (await rejectionOf(runModule(newSystem(), 'space'))) as ModuleNotFoundError;
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.message).toMatch(/'space' is a package and cannot be directly executed/);
  });

  it('refuses a relative name', async () => {
    const error = (await rejectionOf(runModule(newSystem(), '.cli'))) as ImportError;
    expect(error).toBeInstanceOf(ImportError);
    expect(error.message).toMatch(/Relative module names not supported/);
  });

  it('waits for top-level await before resolving', async () => {
    const module = await runModule(newSystem(), 'app.waits');
    expect(module.waited).toBe(true);
  });

  it('rejects with what the code throws, its stack pointing at the TypeScript source line', async () => {
    const error = (await rejectionOf(runModule(newSystem(), 'app.boom'))) as Error;
    expect(error.message).toBe('the program failed');
    expect(error.stack).toContain(`${join(root, 'app', 'boom.ts')}:2:`);
  });

  it('removes __main__ from modules after the code failed', async () => {
    const system = newSystem();
    await rejectionOf(runModule(system, 'app.boom'));
    expect(system.modules.has('__main__')).toBe(false);
  });
});

describe('runPath (runpy.run_path)', () => {
  it("runs a folder's __main__ with the folder first on the path", async () => {
    const module = await runPath(newSystem(), join(root, 'folderapp'));
    expect(module.result).toBe('helped');
    expect(module.__file__).toBe(join(root, 'folderapp', '__main__.ts'));
  });

  it('removes the folder from the path afterwards', async () => {
    const system = newSystem();
    await runPath(system, join(root, 'folderapp'));
    expect(system.path).toEqual([root]);
  });

  it('leaves the folder first on the path with keep', async () => {
    const system = newSystem();
    await runPath(system, join(root, 'folderapp'), { keep: true });
    expect(system.path[0]).toBe(join(root, 'folderapp'));
  });

  it('refuses a folder without __main__ with an error naming the folder', async () => {
    const system = newSystem();
    const error = (await rejectionOf(runPath(system, join(root, 'emptyfolder')))) as ImportError;
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.message).toContain(`can't find '__main__' module in '${join(root, 'emptyfolder')}'`);
    expect(system.path).toEqual([root]);
  });

  it('runs a TypeScript file as a script, without a spec', async () => {
    const module = await runPath(newSystem(), join(root, 'scripts', 'hello.ts'), { argv: ['a'] });
    expect(module.greeting).toBe('hello');
    expect(module.__spec__).toBeNull();
    expect(module.__file__).toBe(join(root, 'scripts', 'hello.ts'));
    expect(logged()).toEqual([['a']]);
  });

  it('runs a file without a known suffix as JavaScript source', async () => {
    const module = await runPath(newSystem(), join(root, 'scripts', 'plain'));
    expect(module.kind).toBe('no suffix');
  });

  it('refuses a missing file with ImportError naming it', async () => {
    const missing = join(root, 'scripts', 'missing.ts');
    const error = (await rejectionOf(runPath(newSystem(), missing))) as ImportError;
    expect(error).toBeInstanceOf(ImportError);
    expect(error.path).toBe(missing);
  });
});
