// `importlib run` end to end, as a child process: files, modules, packages, folders, zip apps and
// frozen bundles made here; path entries; exit codes; one-line errors for user mistakes; stacks that
// point at the TypeScript source for the program's own errors.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeZip } from '@importlib/loaders';

import { importlib, tree } from './helpers.js';

let root: string;
let lib: string;

// A module that prints what it saw: its __name__, file, arguments.
const SHOW = `console.log('name=' + exports.__name__ + ' argv=' + JSON.stringify(process.argv.slice(2)));\n`;

beforeAll(() => {
  root = tree('run', {
    'main.ts': [
      `import { twice } from './app/util.js';`,
      `console.log('main twice=' + twice(21) + ' argv=' + JSON.stringify(process.argv.slice(2)));`,
    ].join('\n'),
    'app/__init__.ts': `export const name = 'app';\n`,
    'app/util.ts': `export const twice = (n: number): number => n * 2;\n`,
    'app/show.js': SHOW,
    'app/boom.ts': [
      `function fail(): never {`,
      `  throw new Error('the program failed');`,
      `}`,
      `fail();`,
    ].join('\n'),
    'app/imports_missing.ts': `import './not_there.js';\n`,
    'app/exits.ts': `process.exitCode = 3;\n`,
    'app/waits.ts': [
      `await new Promise((resolve) => setTimeout(resolve, 5));`,
      `console.log('after await');`,
    ].join('\n'),
    'app/later.ts': [
      `setTimeout(() => {`,
      `  const { twice } = require('./util.js');`,
      `  console.log('later ' + twice(2));`,
      `}, 5);`,
    ].join('\n'),
    'tool/__init__.ts': `export const x = 1;\n`,
    'tool/__main__.js': SHOW,
    'nomain/__init__.ts': `export const x = 1;\n`,
    'folderapp/__main__.ts': [
      `import { helper } from './helper.js';`,
      `console.log('folder app ' + helper());`,
    ].join('\n'),
    'folderapp/helper.ts': `export const helper = (): string => 'helped';\n`,
    'emptyfolder/readme.txt': 'nothing to run\n',
    'bundled/__main__.ts': [
      `import { value } from './part.js';`,
      `console.log('frozen main ' + value);`,
    ].join('\n'),
    'bundled/part.ts': `export const value: number = 7;\n`,
  });
  lib = tree('run-lib', { 'extra.ts': `export const extra = 'from lib';\n` });
  writeZip(join(root, 'app.zip'), [
    {
      name: '__main__.ts',
      data: `import { zipped } from './inside.js';\nconsole.log('zip app ' + zipped);\n`,
    },
    { name: 'inside.ts', data: `export const zipped: string = 'inside';\n` },
  ]);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(lib, { recursive: true, force: true });
});

describe('importlib run: targets', () => {
  it('runs a TypeScript file with its folder first on the path, passing its arguments', async () => {
    const result = await importlib(['run', join(root, 'main.ts'), '--port', '8080']);
    expect(result).toEqual({ stdout: 'main twice=42 argv=["--port","8080"]\n', stderr: '', code: 0 });
  });

  it('runs a module with -m as __main__, the current folder first on the path', async () => {
    const result = await importlib(['run', '-m', 'app.show', 'a', '-v'], { cwd: root });
    expect(result).toEqual({ stdout: 'name=__main__ argv=["a","-v"]\n', stderr: '', code: 0 });
  });

  it("runs a package's __main__ module with -m", async () => {
    const result = await importlib(['run', '-m', 'tool'], { cwd: root });
    expect(result.stdout).toBe('name=__main__ argv=[]\n');
    expect(result.code).toBe(0);
  });

  it('runs a folder with a __main__ module', async () => {
    const result = await importlib(['run', join(root, 'folderapp')]);
    expect(result).toEqual({ stdout: 'folder app helped\n', stderr: '', code: 0 });
  });

  it('runs a zip app', async () => {
    const result = await importlib(['run', join(root, 'app.zip')]);
    expect(result).toEqual({ stdout: 'zip app inside\n', stderr: '', code: 0 });
  });

  it('runs a frozen bundle made by importlib freeze', async () => {
    const bundle = join(root, 'bundled.bundle');
    const frozen = await importlib(['freeze', join(root, 'bundled'), '-o', bundle]);
    expect(frozen.code).toBe(0);
    const result = await importlib(['run', bundle]);
    expect(result).toEqual({ stdout: 'frozen main 7\n', stderr: '', code: 0 });
  });

  it('adds --path entries and IMPORTLIB_PATH entries to the path', async () => {
    const script = tree('run-path', {
      'uses.ts': `import { extra } from 'extra';\nimport { twice } from 'app/util';\nconsole.log(extra + ' ' + twice(1));\n`,
    });
    const result = await importlib(['run', '--path', lib, join(script, 'uses.ts')], {
      env: { IMPORTLIB_PATH: root },
    });
    expect(result).toEqual({ stdout: 'from lib 2\n', stderr: '', code: 0 });
    rmSync(script, { recursive: true, force: true });
  });

  it('waits for top-level await in the main module', async () => {
    const result = await importlib(['run', '-m', 'app.waits'], { cwd: root });
    expect(result.stdout).toBe('after await\n');
  });

  it('keeps the path and modules for code that runs after the main body (timers)', async () => {
    const result = await importlib(['run', '-m', 'app.later'], { cwd: root });
    expect(result).toEqual({ stdout: 'later 4\n', stderr: '', code: 0 });
  });

  it('writes the compiled cache of imported modules, and none with --no-cache', async () => {
    const fresh = tree('run-cache', {
      'main.ts': `import { v } from './dep.js';\nconsole.log(v);\n`,
      'dep.ts': `export const v = 1;\n`,
    });
    await importlib(['run', '--no-cache', join(fresh, 'main.ts')]);
    expect(existsSync(join(fresh, '__pycache__'))).toBe(false);
    await importlib(['run', join(fresh, 'main.ts')]);
    expect(existsSync(join(fresh, '__pycache__'))).toBe(true);
    rmSync(fresh, { recursive: true, force: true });
  });
});

describe('importlib run: exit codes and errors', () => {
  it('exits with the code the program set', async () => {
    const result = await importlib(['run', '-m', 'app.exits'], { cwd: root });
    expect(result.code).toBe(3);
  });

  it('exits 1 on an uncaught error, with the stack pointing at the .ts source line', async () => {
    const result = await importlib(['run', '-m', 'app.boom'], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: the program failed');
    expect(result.stderr).toContain(`${join(root, 'app', 'boom.ts')}:2:`);
  });

  it("shows a program's own failed import with its stack, not as a user mistake", async () => {
    const result = await importlib(['run', '-m', 'app.imports_missing'], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No module named 'app.not_there'");
    expect(result.stderr).toContain(join(root, 'app', 'imports_missing.ts'));
  });

  it('reports a missing module in one line with its error code, exit 1', async () => {
    const result = await importlib(['run', '-m', 'app.nothere'], { cwd: root });
    expect(result).toEqual({
      stdout: '',
      stderr: "importlib run: error: No module named 'app.nothere' (ERR_IMPORTLIB_NOT_FOUND)\n",
      code: 1,
    });
  });

  it('reports a package without __main__ in one line', async () => {
    const result = await importlib(['run', '-m', 'nomain'], { cwd: root });
    expect(result.stderr).toBe(
      "importlib run: error: No module named 'nomain.__main__'; 'nomain' is a package and cannot be directly executed (add a __main__ module to it) (ERR_IMPORTLIB_NOT_FOUND)\n",
    );
    expect(result.code).toBe(1);
  });

  it('reports a folder without __main__ in one line', async () => {
    const folder = join(root, 'emptyfolder');
    const result = await importlib(['run', folder]);
    expect(result.stderr).toBe(
      `importlib run: error: can't find '__main__' module in '${folder}' (add a __main__.ts or __main__.js to it) (ERR_IMPORTLIB_NOT_FOUND)\n`,
    );
    expect(result.code).toBe(1);
  });

  it('reports a missing file in one line, exit 2', async () => {
    const missing = join(root, 'missing.ts');
    const result = await importlib(['run', missing]);
    expect(result.stderr).toBe(
      `importlib run: error: can't open '${missing}': no such file or directory (ERR_IMPORTLIB_CLI_USAGE)\n`,
    );
    expect(result.code).toBe(2);
  });

  it('reports a run without a target, exit 2', async () => {
    const result = await importlib(['run']);
    expect(result.stderr).toMatch(/^importlib run: error: nothing to run: .* \(ERR_IMPORTLIB_CLI_USAGE\)\n$/);
    expect(result.code).toBe(2);
  });

  it('reports an unknown option in one line, exit 2', async () => {
    const result = await importlib(['run', '--bogus', 'main.ts'], { cwd: root });
    expect(result.stderr).toBe("importlib run: error: unknown option '--bogus' (ERR_IMPORTLIB_CLI_USAGE)\n");
    expect(result.code).toBe(2);
  });

  it('reports an unknown --importtime mode in one line, exit 2', async () => {
    const result = await importlib(['run', '--importtime=3', 'main.ts'], { cwd: root });
    expect(result.stderr).toMatch(
      /^importlib run: error: unknown --importtime mode '3' .*\(ERR_IMPORTLIB_CLI_USAGE\)\n$/,
    );
    expect(result.code).toBe(2);
  });
});
