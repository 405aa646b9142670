// Memory over reloads: import the tree's `entry` through one import system (the compiled cache is
// warm), then reload one mid-size plain module `--reloads` times (1,000 by default) with
// `system.reload`, and report how much the heap grew, measured after full collections before and
// after. Runs with `node --expose-gc`.
import { statSync } from 'node:fs';
import { sep } from 'node:path';
import { createImportSystem } from '@importlib/hooks';
import { arg, report, settledMemory, tree } from '../lib/child.mjs';

const MB = 1024 * 1024;
const { ts } = tree();
const reloads = Number(arg('reloads', 1000));
// Reads the compiled cache, never writes it: under --expose-gc (other V8 flags) its V8 data would
// replace the code cache the timed scenarios use, and their next "warm" run would rebuild it.
const system = createImportSystem({ path: [ts], cache: { write: false } });
system.importModule('entry');

/** The plain (not package) module of the tree whose source has the median size. */
function midSizeModule() {
  const candidates = [];
  for (const [name, module] of system.modules) {
    const file = module?.__file__;
    if (typeof file !== 'string' || !file.startsWith(ts + sep) || module.__path__ || name === 'entry')
      continue;
    candidates.push({ name, module, size: statSync(file).size });
  }
  candidates.sort((a, b) => a.size - b.size || (a.name < b.name ? -1 : 1));
  return candidates[candidates.length >> 1];
}

const target = midSizeModule();
const before = await settledMemory();
const t0 = process.hrtime.bigint();
for (let i = 0; i < reloads; i++) system.reload(target.module);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const after = await settledMemory();
const growth = after.heapUsed - before.heapUsed;
report({
  ms,
  modules: system.modules.size,
  target: target.name,
  targetBytes: target.size,
  reloads,
  heapBeforeMb: before.heapUsed / MB,
  heapGrowthMb: growth / MB,
  perStepKb: growth / 1024 / reloads,
  externalGrowthMb: (after.external - before.external) / MB,
});
