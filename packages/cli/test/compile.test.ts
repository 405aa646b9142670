// `importlib compile` (compileall) end to end, as a child process over real trees: what it writes,
// what it skips, failures, invalidation modes, workers, and its output on a pipe and on a terminal.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { decodeCompiled } from '@importlib/loaders';

import { importlib, importlibOnTerminal, tree } from './helpers.js';

const roots: string[] = [];

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A tree of sources (one broken when `broken`), with folders compile must not enter. */
function sources(broken = false): string {
  const root = tree('compile', {
    'main.ts': `import { a } from './pkg/a.js';\nconsole.log(a);\n`,
    'pkg/__init__.ts': `export {};\n`,
    'pkg/a.ts': `export const a: number = 1;\n`,
    'pkg/b.js': `exports.b = 2;\n`,
    'pkg/data.json': `{"not": "compiled"}\n`,
    'node_modules/dep/index.js': `exports.dep = 1;\n`,
    '.hidden/skip.ts': `export const skip = 1;\n`,
    ...(broken ? { 'pkg/broken.ts': `export const = ;\n` } : {}),
  });
  roots.push(root);
  return root;
}

const compiledIn = (folder: string): string[] =>
  existsSync(join(folder, '__pycache__')) ? readdirSync(join(folder, '__pycache__')).sort() : [];

describe('importlib compile', () => {
  it('compiles every source of a tree, lists each on a pipe, and prints the summary', async () => {
    const root = sources();
    const result = await importlib(['compile', root]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Listing '${join(root, 'pkg')}'...\n`);
    expect(result.stdout).toContain(`Compiling '${join(root, 'pkg', 'a.ts')}'...\n`);
    expect(result.stdout.endsWith('compiled 4, skipped 0 (up to date), failed 0\n')).toBe(true);
    expect(compiledIn(join(root, 'pkg'))).toEqual([
      expect.stringMatching(/^__init__\.ts\.importlib-\d+\.jsc$/),
      expect.stringMatching(/^a\.ts\.importlib-\d+\.jsc$/),
      expect.stringMatching(/^b\.js\.importlib-\d+\.jsc$/),
    ]);
  });

  it('does not enter node_modules, __pycache__ or dot-folders', async () => {
    const root = sources();
    await importlib(['compile', root]);
    expect(compiledIn(join(root, 'node_modules', 'dep'))).toEqual([]);
    expect(compiledIn(join(root, '.hidden'))).toEqual([]);
  });

  it.runIf(process.platform !== 'win32')(
    'ends on a link loop, does not enter links to folders, and never opens a FIFO',
    async () => {
      const root = sources();
      symlinkSync(root, join(root, 'pkg', 'loop')); // pkg/loop -> the root: a cycle
      symlinkSync(join(root, 'pkg'), join(root, 'linked')); // pkg again, through a link
      execFileSync('mkfifo', [join(root, 'pkg', 'pipe.ts')]); // reading it would block for ever
      const result = await importlib(['compile', root]);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain('pipe.ts');
      expect(result.stdout.endsWith('compiled 4, skipped 0 (up to date), failed 0\n')).toBe(true);
    },
  );

  it('writes the files the import then reads instead of transpiling', async () => {
    const root = sources();
    await importlib(['compile', root]);
    const result = await importlib(['run', '-v', join(root, 'main.ts')]);
    expect(result.stderr).toContain(
      `# code object from '${join(root, 'pkg', '__pycache__')}/a.ts.importlib-`,
    );
  });

  it('skips up-to-date files on a second run', async () => {
    const root = sources();
    await importlib(['compile', root]);
    const result = await importlib(['compile', root]);
    expect(result.stdout).not.toContain('Compiling');
    expect(result.stdout).toContain('compiled 0, skipped 4 (up to date), failed 0\n');
  });

  it('recompiles up-to-date files with --force', async () => {
    const root = sources();
    await importlib(['compile', root]);
    const result = await importlib(['compile', '--force', root]);
    expect(result.stdout).toContain('compiled 4, skipped 0 (up to date), failed 0\n');
  });

  it('lists failures with their error code, compiles the rest, and exits 1', async () => {
    const root = sources(true);
    const result = await importlib(['compile', root]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('compiled 4, skipped 0 (up to date), failed 1\n');
    expect(result.stderr).toMatch(
      new RegExp(`^failed: ${join(root, 'pkg', 'broken.ts')}: .*\\(ERR_IMPORTLIB_SYNTAX\\)$`, 'm'),
    );
  });

  it('counts a path that does not exist as a failure', async () => {
    const root = sources();
    const result = await importlib(['compile', join(root, 'nope')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`failed: ${join(root, 'nope')}: can't list`);
  });

  it('writes hash-based files with --invalidation-mode checked-hash', async () => {
    const root = sources();
    await importlib(['compile', '--invalidation-mode', 'checked-hash', root]);
    const [file] = compiledIn(join(root, 'pkg')).filter((name) => name.startsWith('a.ts'));
    const path = join(root, 'pkg', '__pycache__', file as string);
    expect(decodeCompiled(readFileSync(path), { name: 'pkg.a', path }).invalidation).toBe('checked-hash');
  });

  it('refuses an unknown invalidation mode, exit 2', async () => {
    const result = await importlib(['compile', '--invalidation-mode', 'sometimes', '.']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^importlib compile: error: option .* argument 'sometimes' is invalid.*\(ERR_IMPORTLIB_CLI_USAGE\)\n$/,
    );
  });

  it('compiles the same files on worker threads with -j', async () => {
    const root = sources();
    const result = await importlib(['compile', '-j', '3', root]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('compiled 4, skipped 0 (up to date), failed 0\n');
    expect(compiledIn(join(root, 'pkg'))).toHaveLength(3);
  });

  it('prints only the summary with --quiet', async () => {
    const root = sources();
    const result = await importlib(['compile', '-q', root]);
    expect(result.stdout).toBe('compiled 4, skipped 0 (up to date), failed 0\n');
  });

  it('draws a progress bar on a terminal instead of the file lines', async () => {
    const root = sources();
    const result = await importlibOnTerminal(['compile', root]);
    expect(result.stdout).toContain('compiling');
    expect(result.stdout).toContain('\u2588'); // the bar's filled cells
    expect(result.stdout).not.toContain('Compiling ');
    expect(result.stdout).toContain('failed 0');
  });
});
