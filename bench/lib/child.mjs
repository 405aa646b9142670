// What every scenario does around its one import, inside the fresh child process: time it with
// process.hrtime.bigint(), mark its start and end for the system-call counter, and print one JSON
// line `{ ms, modules, rssPeakKb, ... }` as the last line of stdout. The memory scenarios use
// `settledMemory` (the heap after full collections) and `report` instead.
import { accessSync } from 'node:fs';
import { setImmediate } from 'node:timers';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/** The marker paths: the syscall counter counts only calls between these two `access` calls. */
export const MARK_START = '/__importlib_bench__/start';
export const MARK_END = '/__importlib_bench__/end';

function mark(path) {
  try {
    accessSync(path);
  } catch {
    // never exists: the failed access() is the mark
  }
}

/** `--name value` from the child's arguments; `--flag` alone gives true. */
export function arg(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const next = args[i + 1];
  return next === undefined || next.startsWith('--') ? true : next;
}

/** The tree folder (holding ts/, cjs/, floor.json) the runner passed. */
export function tree() {
  const dir = arg('tree');
  if (typeof dir !== 'string') throw new Error('usage: node <scenario>.mjs --tree <tree folder>');
  const root = resolve(dir);
  return { root, ts: join(root, 'ts'), cjs: join(root, 'cjs') };
}

/** How many entries of Node's CommonJS cache lie under `dir`. */
export function requireCacheCount(dir) {
  const cache = createRequire(import.meta.url).cache;
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  return Object.keys(cache).filter((k) => k.startsWith(prefix)).length;
}

/**
 * Run `load` once, timed, and print the result line. `count()` (after the clock stops) says how
 * many modules the import created; `extra()` adds scenario facts to the line.
 */
export function measure(load, count, extra = () => ({})) {
  mark(MARK_START);
  const t0 = process.hrtime.bigint();
  load();
  const t1 = process.hrtime.bigint();
  mark(MARK_END);
  const line = {
    ms: Number(t1 - t0) / 1e6,
    modules: count(),
    rssPeakKb: process.resourceUsage().maxRSS,
    ...extra(),
  };
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** {@link measure} of `system.importModule('entry')`, counting the modules the import added. */
export function measureImport(system) {
  const before = new Set(system.modules.keys());
  measure(
    () => system.importModule('entry'),
    () => [...system.modules.keys()].filter((name) => !before.has(name)).length,
  );
}

/**
 * The heap after full garbage collections (the child runs with `--expose-gc`): `passes` of `gc()`,
 * each followed by a turn of the event loop so FinalizationRegistry callbacks and other weak
 * clean-ups run before the next pass. Returns `process.memoryUsage()` after the last.
 */
export async function settledMemory(passes = 4) {
  if (typeof globalThis.gc !== 'function') throw new Error('memory scenarios need node --expose-gc');
  for (let i = 0; i < passes; i++) {
    globalThis.gc();
    await new Promise(setImmediate);
  }
  return process.memoryUsage();
}

/** Print a memory scenario's result line (`{ ms, modules, rssPeakKb, ... }` like `measure`). */
export function report(line) {
  process.stdout.write(JSON.stringify({ ...line, rssPeakKb: process.resourceUsage().maxRSS }) + '\n');
}
