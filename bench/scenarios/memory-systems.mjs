// Memory over whole import systems: `--cycles` times (100 by default) create an import system over
// the tree, import its `entry` (the compiled cache is warm) and drop every reference; then collect
// and report how far the heap is above the baseline taken before the first system. What a user of
// ESM cache-busting loses for good, an import system should give back. Runs with `node --expose-gc`.
// `--no-cache` runs every system without the compiled cache (each one transpiles every file).
import { createImportSystem } from '@importlib/hooks';
import { arg, report, settledMemory, tree } from '../lib/child.mjs';

const MB = 1024 * 1024;
const { ts } = tree();
const cycles = Number(arg('cycles', 100));
// Reads the compiled cache, never writes it: under --expose-gc (other V8 flags) its V8 data would
// replace the code cache the timed scenarios use, and their next "warm" run would rebuild it.
const options = { cache: { read: !arg('no-cache', false), write: false } };

/** One system's whole life; returns how many modules it held. Nothing of it escapes. */
function cycle() {
  const system = createImportSystem({ path: [ts], ...options });
  system.importModule('entry');
  return system.modules.size;
}

const before = await settledMemory();
let modules = 0;
let afterFirst = null;
const t0 = process.hrtime.bigint();
for (let i = 0; i < cycles; i++) {
  modules = cycle();
  // The first system also loads and compiles the library's own code paths: a one-time cost.
  if (i === 0) afterFirst = await settledMemory();
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const after = await settledMemory(8);
const growth = after.heapUsed - before.heapUsed;
report({
  ms,
  modules,
  cycles,
  heapBeforeMb: before.heapUsed / MB,
  heapGrowthMb: growth / MB,
  firstSystemMb: (afterFirst.heapUsed - before.heapUsed) / MB,
  perStepKb: (after.heapUsed - afterFirst.heapUsed) / 1024 / Math.max(1, cycles - 1),
  externalGrowthMb: (after.external - before.external) / MB,
});
