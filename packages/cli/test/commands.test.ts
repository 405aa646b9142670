// `importlib find`, `freeze`, `zipapp`, `--help` and colours end to end, as child processes over
// trees, bundles and archives made here.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, importlib, importlibOnTerminal, tree } from './helpers.js';

let root: string;

beforeAll(() => {
  root = tree('commands', {
    'src/app/__init__.ts': `export const app = true;\n`,
    'src/app/util.ts': `export const twice = (n: number): number => n * 2;\n`,
    'src/app/cli.ts': `import { twice } from './util.js';\nexport function main(): void {\n  console.log('cli ' + twice(4));\n}\n`,
    'lib/other.ts': `export const other = 1;\n`,
    'space/one/ns/part.ts': `export const part = 1;\n`,
    'tool/__main__.ts': `import { helper } from './helper.js';\nconsole.log('tool ' + helper);\n`,
    'tool/helper.ts': `export const helper: string = 'ran';\n`,
  });
  writeFileSync(join(root, 'not-a-folder.txt'), 'plain file\n');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('importlib find', () => {
  it('names the finder, path entry, loader and origin of a module', async () => {
    const result = await importlib(['find', '-p', join(root, 'lib'), '-p', join(root, 'src'), 'app.util']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('module:    app.util\n');
    expect(result.stdout).toContain(
      `found by:  <PathFinder>, path entry ${join(root, 'src', 'app')} (FileFinder('${join(root, 'src', 'app')}'))\n`,
    );
    expect(result.stdout).toContain(
      `loader:    <SourceFileLoader '${join(root, 'src', 'app', 'util.ts')}'>\n`,
    );
    expect(result.stdout).toContain(`origin:    ${join(root, 'src', 'app', 'util.ts')}\n`);
    expect(result.stdout).toContain('__package__: app\n');
  });

  it('says why the path entries before the one that found it did not', async () => {
    const result = await importlib(['find', '-p', join(root, 'lib'), '-p', join(root, 'src'), 'app']);
    expect(result.stdout).toContain(`  ${join(root, 'lib')} (FileFinder('${join(root, 'lib')}'))\n`);
    expect(result.stdout).toContain(`    trying ${join(root, 'lib', 'app.ts')}\n`);
    expect(result.stdout).toContain('  <BuiltinImporter>\n    does not serve it\n');
  });

  it('says that no path hook claimed an entry that is a plain file', async () => {
    const result = await importlib([
      'find',
      '-p',
      join(root, 'not-a-folder.txt'),
      '-p',
      join(root, 'src'),
      'app',
    ]);
    expect(result.stdout).toContain(`  ${join(root, 'not-a-folder.txt')} (no finder)\n`);
    expect(result.stdout).toMatch(/declined .*only directories are supported/);
  });

  it('reports the compiled file as missing, then fresh once compiled', async () => {
    const args = ['find', '-p', join(root, 'src'), 'app.util'];
    expect((await importlib(args)).stdout).toMatch(/^cached: +.*util\.ts\.importlib-\d+\.jsc \(missing\)$/m);
    await importlib(['compile', '-q', join(root, 'src')]);
    expect((await importlib(args)).stdout).toMatch(/^cached: +.*util\.ts\.importlib-\d+\.jsc \(fresh\)$/m);
  });

  it('reports a namespace package and its portions', async () => {
    const result = await importlib(['find', '-p', join(root, 'space', 'one'), 'ns']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('origin:    None\n');
    expect(result.stdout).toContain(`package:   yes, submodules from ${join(root, 'space', 'one', 'ns')}\n`);
  });

  it('prints the places it asked and one error line with the code for a missing module, exit 1', async () => {
    const result = await importlib(['find', '-p', join(root, 'src'), 'nothere']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('found by:  nothing\n');
    expect(result.stdout).toContain(`    trying ${join(root, 'src', 'nothere.ts')}\n`);
    expect(result.stderr).toBe(
      "importlib find: error: No module named 'nothere' (ERR_IMPORTLIB_NOT_FOUND)\n",
    );
  });

  it('reports a parent that is not a package in one line', async () => {
    const result = await importlib(['find', '-p', join(root, 'src'), 'app.util.deeper']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "importlib find: error: No module named 'app.util.deeper'; 'app.util' is not a package (ERR_IMPORTLIB_NOT_FOUND)\n",
    );
  });

  it('prints the report as JSON with --json', async () => {
    const result = await importlib(['find', '--json', '-p', join(root, 'src'), 'app.util']);
    const report = JSON.parse(result.stdout) as { spec: { origin: string }; steps: { found: boolean }[] };
    expect(report.spec.origin).toBe(join(root, 'src', 'app', 'util.ts'));
    expect(report.steps.at(-1)?.found).toBe(true);
  });
});

describe('importlib freeze', () => {
  it('freezes a package found on --path and lists what it froze', async () => {
    const bundle = join(root, 'app.bundle');
    const result = await importlib(['freeze', 'app', '-p', join(root, 'src'), '-o', bundle]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`froze app (package) from ${join(root, 'src', 'app', '__init__.ts')}\n`);
    expect(result.stdout).toContain(`froze app.util from ${join(root, 'src', 'app', 'util.ts')}\n`);
    expect(result.stdout).toMatch(new RegExp(`^wrote ${bundle}: 3 modules, \\d+ bytes\\n$`, 'm'));
    expect(existsSync(bundle)).toBe(true);
  });

  it('freezes a folder with __main__ into a bundle that importlib run runs', async () => {
    const bundle = join(root, 'tool.bundle');
    await importlib(['freeze', './tool', '-o', bundle], { cwd: root });
    expect(await importlib(['run', bundle])).toEqual({ stdout: 'tool ran\n', stderr: '', code: 0 });
  });

  it('reports a module it cannot find in one line with the code, exit 1, writing nothing', async () => {
    const bundle = join(root, 'none.bundle');
    const result = await importlib(['freeze', 'nothere', '-p', join(root, 'src'), '-o', bundle]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^importlib freeze: error: .*'nothere'.* \(ERR_IMPORTLIB_NOT_FOUND\)\n$/);
    expect(existsSync(bundle)).toBe(false);
  });

  it('needs -o, exit 2', async () => {
    const result = await importlib(['freeze', 'app']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^importlib freeze: error: required option '-o, --output <bundle>' not specified/,
    );
  });
});

describe('importlib zipapp', () => {
  it('packs a folder with __main__ into an archive that importlib run runs', async () => {
    const archive = join(root, 'tool.zip');
    const result = await importlib(['zipapp', join(root, 'tool'), '-o', archive]);
    expect(result).toEqual({ stdout: `wrote ${archive}: 2 entries\n`, stderr: '', code: 0 });
    expect(await importlib(['run', archive])).toEqual({ stdout: 'tool ran\n', stderr: '', code: 0 });
  });

  it('generates the __main__ of -m pkg.mod:fn and puts compiled files in with --compile', async () => {
    const archive = join(root, 'cli.zip');
    const result = await importlib([
      'zipapp',
      join(root, 'src'),
      '-m',
      'app.cli:main',
      '--compile',
      '-o',
      archive,
    ]);
    expect(result.stdout).toMatch(/^wrote .*cli\.zip: \d+ entries, \d+ compiled\n$/);
    const run = await importlib(['run', '-v', archive]);
    expect(run.stdout).toBe('cli 8\n');
    expect(run.stderr).toMatch(
      /# code object from '.*cli\.zip\/app\/__pycache__\/util\.ts\.importlib-\d+\.jsc'/,
    );
  });

  it('writes an executable archive that runs itself with --shebang', async () => {
    const archive = join(root, 'self.pyz');
    // `importlib` on PATH, as an installed package puts it.
    writeFileSync(join(root, 'importlib'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {
      mode: 0o755,
    });
    await importlib(['zipapp', join(root, 'tool'), '--shebang', '-o', archive]);
    expect(readFileSync(archive, 'latin1').startsWith('#!/usr/bin/env -S importlib run\n')).toBe(true);
    expect(statSync(archive).mode & 0o111).not.toBe(0);
    const ran = spawnSync(archive, [], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${root}:${process.env.PATH ?? ''}` },
    });
    expect(ran.stdout).toBe('tool ran\n');
  });

  it('refuses -m for a folder that has a __main__, in one line, exit 1', async () => {
    const result = await importlib([
      'zipapp',
      join(root, 'tool'),
      '-m',
      'tool.helper:x',
      '-o',
      join(root, 'x.zip'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^importlib zipapp: error: .*__main__.* \(ERR_IMPORTLIB_INVALID_ARGUMENT\)\n$/,
    );
  });
});

describe('help and colours', () => {
  it.each(['run', 'compile', 'find', 'freeze', 'zipapp'])(
    'prints help with examples for %s',
    async (command) => {
      const result = await importlib([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: importlib ${command}`);
      expect(result.stdout).toContain('Examples:\n');
      expect(result.stdout).toContain(`importlib ${command} `);
    },
  );

  it('lists every command in the top-level help', async () => {
    const result = await importlib(['--help']);
    for (const command of ['run', 'compile', 'find', 'freeze', 'zipapp']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('prints the help on stderr and exits 2 without a command', async () => {
    const result = await importlib([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: importlib [options] [command]');
  });

  it('reports an unknown command in one line, exit 2', async () => {
    const result = await importlib(['bogus']);
    expect(result).toEqual({
      stdout: '',
      stderr: "importlib bogus: error: unknown command 'bogus' (ERR_IMPORTLIB_CLI_USAGE)\n",
      code: 2,
    });
  });

  it('colours an error on a terminal', async () => {
    const result = await importlibOnTerminal(['run', '-m', 'nothere'], { cwd: root });
    expect(result.stdout).toContain('\u001b[31merror:\u001b[39m');
  });

  it('never colours with NO_COLOR, even on a terminal', async () => {
    const result = await importlibOnTerminal(['run', '-m', 'nothere'], { cwd: root, env: { NO_COLOR: '1' } });
    expect(result.stdout).toContain('importlib run: error:');
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('does not colour when the output is not a terminal', async () => {
    const result = await importlib(['run', '-m', 'nothere'], { cwd: root });
    expect(result.stderr).not.toContain('\u001b[');
  });
});
