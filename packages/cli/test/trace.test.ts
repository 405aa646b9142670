// Tracing (docs/conformance.md#tracing: `_verbose_message`, `-X importtime`) through the command:
// `-v` / `-vv` lines in Python's wording and the `-X importtime` table (`--importtime`,
// `--importtime=2`), on stderr, over a real tree.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { importlib, tree, type Result } from './helpers.js';

let root: string;

beforeAll(() => {
  root = tree('trace', {
    'main.ts': [
      `import { b } from './pkg/b.js';`,
      `import { c } from './pkg/c.js';`,
      `import { b as again } from './pkg/b.js';`,
      `console.log(b + c + again);`,
    ].join('\n'),
    'pkg/__init__.ts': `export const p = 1;\n`,
    'pkg/b.ts': `import { leaf } from './leaf.js';\nexport const b: number = leaf + 1;\n`,
    'pkg/c.ts': `import { leaf } from './leaf.js';\nexport const c: number = leaf + 2;\n`,
    'pkg/leaf.ts': `let spin = 0;\nfor (let i = 0; i < 200000; i++) spin += i;\nexport const leaf: number = spin > 0 ? 1 : 0;\n`,
  });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const run = (...flags: string[]): Promise<Result> => importlib(['run', ...flags, join(root, 'main.ts')]);

interface Row {
  self: number;
  cumulative: number;
  depth: number;
  name: string;
}

/** The table's rows (after the header), parsed. */
function table(stderr: string): Row[] {
  return stderr
    .split('\n')
    .filter((line) => /^import time: +\d/.test(line))
    .map((line) => {
      const match = /^import time: +(\d+) \| +(\d+) \| ( *)(\S+)$/.exec(line);
      if (!match) throw new Error(`not a table line: ${line}`);
      return {
        self: Number(match[1]),
        cumulative: Number(match[2]),
        depth: (match[3] as string).length / 2,
        name: match[4] as string,
      };
    });
}

describe('-v and -vv (_verbose_message)', () => {
  it("prints import 'name' # <loader> after each load, in load order, on stderr only", async () => {
    const result = await run('-v');
    expect(result.stdout).toBe('7\n');
    const imports = result.stderr.split('\n').filter((line) => line.startsWith('import '));
    expect(imports).toEqual([
      `import 'pkg' # <SourceFileLoader '${join(root, 'pkg', '__init__.ts')}'>`,
      `import 'pkg.leaf' # <SourceFileLoader '${join(root, 'pkg', 'leaf.ts')}'>`,
      `import 'pkg.b' # <SourceFileLoader '${join(root, 'pkg', 'b.ts')}'>`,
      `import 'pkg.c' # <SourceFileLoader '${join(root, 'pkg', 'c.ts')}'>`,
    ]);
  });

  it("prints # code object from '<compiled file>' when a module comes from the compiled cache", async () => {
    await run();
    const result = await run('-v');
    expect(result.stderr).toContain(
      `# code object from '${join(root, 'pkg', '__pycache__')}/leaf.ts.importlib-`,
    );
  });

  it('prints no trying lines at -v', async () => {
    const result = await run('-v');
    expect(result.stderr).not.toMatch(/^# trying /m);
  });

  it('adds trying <file> lines for each file considered at -vv', async () => {
    const result = await run('-vv');
    expect(result.stderr).toContain(`# trying ${join(root, 'pkg', 'leaf.node')}\n`);
    expect(result.stderr).toContain(`# trying ${join(root, 'pkg', 'leaf.ts')}\n`);
  });

  it('adds the # <compiled> matches <source> lines at -vv', async () => {
    await run();
    const result = await run('-vv');
    expect(result.stderr).toMatch(
      new RegExp(
        `^# ${join(root, 'pkg', '__pycache__')}/b\\.ts\\.importlib-\\d+\\.jsc matches ${join(root, 'pkg', 'b.ts')}$`,
        'm',
      ),
    );
  });
});

describe('--importtime (-X importtime)', () => {
  it('prints the header once, before the first line', async () => {
    const result = await run('--importtime');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('import time: self [us] | cumulative | imported package');
    expect(lines.filter((line) => line.includes('self [us]'))).toHaveLength(1);
  });

  it('prints one line per find-and-load, children before their parent, indented two spaces a level', async () => {
    const rows = table((await run('--importtime')).stderr);
    // pkg.b's find-and-load imports its parent pkg first, then runs b, which imports pkg.leaf.
    expect(rows.map((row) => [row.depth, row.name])).toEqual([
      [1, 'pkg'],
      [1, 'pkg.leaf'],
      [0, 'pkg.b'],
      [0, 'pkg.c'],
    ]);
  });

  it('gives self = cumulative minus the cumulative time of the nested imports', async () => {
    const rows = table((await run('--importtime')).stderr);
    // Post-order: a row's children are the rows one level deeper printed since the last row at its level.
    rows.forEach((row, index) => {
      let nested = 0;
      for (let i = index - 1; i >= 0 && (rows[i] as Row).depth > row.depth; i--) {
        if ((rows[i] as Row).depth === row.depth + 1) nested += (rows[i] as Row).cumulative;
      }
      expect(row.self, row.name).toBe(row.cumulative - nested);
    });
    const b = rows.find((row) => row.name === 'pkg.b') as Row;
    expect(b.cumulative).toBeGreaterThan(b.self);
  });

  it('prints cached lines for modules served from the registry with --importtime=2, and none without', async () => {
    const two = await run('--importtime=2');
    expect(two.stderr).toMatch(/^import time: cached {4}\| cached {5}\| {3}pkg\.leaf$/m);
    expect((await run('--importtime')).stderr).not.toContain('cached');
  });

  it('prints the table on stderr only', async () => {
    const result = await run('--importtime');
    expect(result.stdout).toBe('7\n');
  });
});
