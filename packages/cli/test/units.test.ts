// The pieces of the command in process: the importtime recorder (with a fake clock), the -v tracer,
// and how `run` splits its own options from the program's arguments.
import { describe, expect, it } from 'vitest';

import { rmSync } from 'node:fs';

import type { ImportEvent, ModuleSpec } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';

import { IMPORT_TIME_HEADER, ImportTimeRecorder, verboseTracer } from '../src/trace.js';
import { splitRunArgs } from '../src/run-command.js';
import { tree } from './helpers.js';

/** A recorder whose clock advances by the given milliseconds before each event. */
function recorded(steps: [number, ImportEvent][], cached = false) {
  let now = 0;
  const lines: string[] = [];
  const recorder = new ImportTimeRecorder({ write: (line) => lines.push(line), cached, now: () => now });
  for (const [advance, event] of steps) {
    now += advance;
    recorder.tracer(event);
  }
  return { recorder, lines };
}

describe('ImportTimeRecorder', () => {
  const start = (name: string): ImportEvent => ({ type: 'import-start', name });
  const end = (name: string, ok = true): ImportEvent => ({ type: 'import-end', name, ok });

  it('prints the header, then each import when it ends, self = cumulative minus nested', () => {
    const { lines } = recorded([
      [0, start('a')],
      [1, start('a.b')],
      [2, end('a.b')],
      [3, end('a')],
    ]);
    expect(lines).toEqual([
      IMPORT_TIME_HEADER,
      'import time:      2000 |       2000 |   a.b',
      'import time:      4000 |       6000 | a',
    ]);
  });

  it('builds the tree the chart draws, failed imports marked', () => {
    const { recorder } = recorded([
      [0, start('a')],
      [1, start('a.b')],
      [1, end('a.b', false)],
      [1, end('a')],
      [1, start('c')],
      [1, end('c')],
    ]);
    expect(recorder.roots).toEqual([
      {
        name: 'a',
        selfUs: 2000,
        cumulativeUs: 3000,
        ok: true,
        children: [{ name: 'a.b', selfUs: 1000, cumulativeUs: 1000, ok: false, children: [] }],
      },
      { name: 'c', selfUs: 1000, cumulativeUs: 1000, ok: true, children: [] },
    ]);
  });

  it('closes an import that ends out of order (concurrent async imports) by name', () => {
    const { recorder } = recorded([
      [0, start('x')],
      [1, start('y')],
      [1, end('x')],
      [1, end('y')],
    ]);
    expect(recorder.roots.map((node) => [node.name, node.cumulativeUs])).toEqual([['x', 2000]]);
    expect(recorder.roots[0]?.children.map((node) => [node.name, node.cumulativeUs])).toEqual([['y', 2000]]);
  });

  it('prints cached lines at the current depth only when asked', () => {
    const events: [number, ImportEvent][] = [
      [0, start('a')],
      [0, { type: 'cached', name: 'b' }],
      [1, end('a')],
    ];
    expect(recorded(events, true).lines).toContain('import time: cached    | cached     |   b');
    expect(recorded(events, false).lines.join('\n')).not.toContain('cached');
  });
});

describe('verboseTracer', () => {
  const spec = {} as ModuleSpec;

  it("prints Python's -v lines, prefixing # to messages that lack it", () => {
    const lines: string[] = [];
    const trace = verboseTracer(1, (line) => lines.push(line));
    trace({ type: 'loaded', name: 'a', loader: '<L>', spec });
    trace({ type: 'verbose', level: 1, message: "# code object from 'x'" });
    trace({ type: 'verbose', level: 1, message: 'possible namespace for /p' });
    trace({ type: 'verbose', level: 2, message: 'trying /p/a.ts' });
    trace({ type: 'trying', name: 'a', where: '/p' });
    expect(lines).toEqual(["import 'a' # <L>", "# code object from 'x'", '# possible namespace for /p']);
  });

  it('adds the level-2 messages and trying lines at -vv', () => {
    const lines: string[] = [];
    const trace = verboseTracer(2, (line) => lines.push(line));
    trace({ type: 'verbose', level: 2, message: 'trying /p/a.ts' });
    trace({ type: 'trying', name: 'a', where: '/p' });
    expect(lines).toEqual(['# trying /p/a.ts', "# trying /p for 'a'"]);
  });
});

describe('splitRunArgs', () => {
  it('ends the options at the target; the rest is the program', () => {
    expect(splitRunArgs(['-v', 'app.ts', '-v', '--x'])).toEqual({
      own: ['-v'],
      target: 'app.ts',
      args: ['-v', '--x'],
    });
  });

  it('ends the options after -m and its module', () => {
    expect(splitRunArgs(['-p', 'lib', '-m', 'pkg.mod', 'a'])).toEqual({
      own: ['-p', 'lib'],
      module: 'pkg.mod',
      args: ['a'],
    });
  });

  it('turns --importtime=2 and --importtime=html FILE into the hidden options', () => {
    expect(splitRunArgs(['--importtime=2', '--importtime=html', 'out.html', 'x.ts']).own).toEqual([
      '--importtime-cached',
      '--importtime-html',
      'out.html',
    ]);
  });

  it('takes the target after --', () => {
    expect(splitRunArgs(['--', '-weird.ts', 'a'])).toEqual({ own: [], target: '-weird.ts', args: ['a'] });
  });
});

describe('the find-and-load probes the tracers see (_verbose_message)', () => {
  it('wrap each find-and-load, nested ones inside, a failure ending with ok: false', () => {
    const root = tree('probes', {
      'a.js': `require('./b.js');\ntry { require('./missing.js'); } catch {}\n`,
      'b.js': `exports.b = 1;\n`,
    });
    const system = createImportSystem({ path: [root], cache: { write: false } });
    const events: string[] = [];
    system.addTracer((event) => {
      if (event.type === 'import-start') events.push(`start ${event.name}`);
      if (event.type === 'import-end') events.push(`end ${event.name} ${event.ok}`);
    });
    system.importModule('a');
    rmSync(root, { recursive: true, force: true });
    expect(events).toEqual([
      'start a',
      'start b',
      'end b true',
      'start missing',
      'end missing false',
      'end a true',
    ]);
  });
});
