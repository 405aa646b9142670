#!/usr/bin/env node
// The benchmark: generate the trees, run every scenario in fresh processes, round-robin, several
// times, and print medians with ratios to plain `require` (the baseline) and to the floor.
//
//   node bench/run.mjs                 N = 500 and 2,000, 5 runs each
//   node bench/run.mjs --quick         N = 200, 2 runs (1 for a scenario slower than 3 s), the
//                                      syscall pass for baseline and importlib warm only
//   node bench/run.mjs --n 8000        any N (repeat --n or give a comma list)
//   node bench/run.mjs --npm rxjs      a published package's TypeScript sources (rxjs src/, ~230
//                                      modules) imported by importlib cold and warm, against Node
//                                      requiring the package's compiled build (5 runs; --runs K);
//                                      the package comes from the compat-npm cache (fetched if needed)
//   other options: --runs K, --seed S, --js-suffix F (share of imports written './x.js', default
//   0.5), --only id,id (scenario ids), --skip-strace, --regenerate
//
// Besides the timed scenarios, two memory scenarios (memory-reload, memory-systems) run in children
// with --expose-gc and get a table of their own: heap growth in MB, not times.
//
// Writes the same numbers as JSON to bench-results/<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTree, repoRoot, treeDir } from './generate.mjs';
import { runChild } from './lib/child-process.mjs';
import {
  addRatios,
  median,
  formatMemory,
  formatSyscalls,
  formatTimes,
  summarize,
  summarizeMemory,
} from './lib/report.mjs';
import { MEMORY_COUNTS, npmScenarios, scenarios } from './lib/scenarios.mjs';
import { straceUnavailable, traceScenario } from './lib/syscalls.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    n: { type: 'string', multiple: true },
    runs: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'js-suffix': { type: 'string', default: '0.5' },
    only: { type: 'string' },
    'skip-strace': { type: 'boolean', default: false },
    regenerate: { type: 'boolean', default: false },
    npm: { type: 'string' },
  },
});

const sizes = opts.n?.length
  ? opts.n.flatMap((s) => s.split(',')).map(Number)
  : opts.quick
    ? [200]
    : [500, 2000];
const runs = Number(opts.runs ?? (opts.quick ? 2 : 5));
const seed = Number(opts.seed);
const jsSuffix = Number(opts['js-suffix']);
const only = opts.only ? new Set(opts.only.split(',')) : null;
const traced = opts.quick ? new Set(['require', 'importlib-warm']) : null; // null: every scenario marked strace
if (sizes.some((n) => !Number.isInteger(n) || n < 8) || !(runs >= 1) || !(jsSuffix >= 0 && jsSuffix <= 1)) {
  console.error(
    'usage: node bench/run.mjs [--quick] [--n N ...] [--runs K] [--seed S] [--js-suffix F] [--only ids]',
  );
  process.exit(2);
}

/** In --quick, a scenario whose first run took longer than this runs only once. */
const QUICK_SLOW_MS = 3000;
const log = (line) => process.stderr.write(line + '\n');
const straceWhy = opts['skip-strace'] ? 'syscall pass skipped (--skip-strace)' : straceUnavailable();

/** Scenarios grouped (cold then warm of one loader stay together), in catalogue order. */
function groupsOf(list) {
  const groups = new Map();
  for (const s of list) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  return [...groups.values()];
}

function runOnce(s, cwd, state, args = s.args) {
  try {
    s.prepare?.();
  } catch (error) {
    state.error = `prepare failed: ${error.message}`;
    return;
  }
  const result = runChild({ script: s.script, args, nodeArgs: s.nodeArgs, env: s.env, cwd });
  if (result.error) state.error = result.error;
  return result;
}

/**
 * The timed rounds over `groups`: a warm-up pass (thrown away) for single scenarios, then `runs`
 * rounds, round-robin (each round starts one group later). Results go into `states`.
 */
function runRounds(groups, states, cwd) {
  // Warm-up pass, thrown away: fills the OS file cache, writes the floor's code cache, and tells
  // which scenarios cannot run here at all. A cold/warm group gets none: its cold run needs none
  // (and is the slowest of all), and its warm run reads the cache the cold run just before it left.
  for (const group of groups) {
    const s = group[0];
    if (group.length > 1) continue;
    const result = runOnce(s, cwd, states.get(s.id), s.warmupArgs);
    if (result?.error) log(`   ${s.id}: unavailable: ${result.error}`);
  }

  for (let round = 0; round < runs; round++) {
    const start = round % groups.length;
    const order = [...groups.slice(start), ...groups.slice(0, start)];
    const line = [];
    for (const group of order) {
      for (const s of group) {
        const state = states.get(s.id);
        if (state.error) continue; // a scenario that failed once is reported, not retried
        if (opts.quick && state.runs.length && state.runs[0].ms > QUICK_SLOW_MS) continue;
        const result = runOnce(s, cwd, state);
        if (result && !result.error) {
          state.runs.push(result);
          line.push(`${s.id} ${result.ms.toFixed(0)}`);
        } else {
          log(`   ${s.id}: unavailable: ${state.error}`);
        }
      }
    }
    log(`   round ${round + 1}/${runs}: ${line.join(', ')} (ms)`);
  }
}

function benchTree(n) {
  const root = treeDir(n, seed, jsSuffix);
  const t0 = performance.now();
  const manifest = ensureTree({ n, seed, jsSuffix, out: root, force: opts.regenerate });
  log(
    `\n== N=${n}: ${manifest.modules} modules (${manifest.packages} packages), ${manifest.imports} imports, ` +
      `${manifest.cycles} cycles; tree ready in ${Math.round(performance.now() - t0)} ms (${root})`,
  );
  const cwd = join(root, 'ts');
  const counts = opts.quick ? MEMORY_COUNTS.quick : MEMORY_COUNTS.full;
  const list = scenarios(root, counts).filter((s) => !only || only.has(s.id));
  const states = new Map(list.map((s) => [s.id, { runs: [], error: null }]));
  const groups = groupsOf(list);

  runRounds(groups, states, cwd);

  const timed = list.filter((s) => s.kind !== 'memory');
  const rows = addRatios(timed.map((s) => summarize(s, states.get(s.id), manifest.modules)));
  const memory = list.filter((s) => s.kind === 'memory').map((s) => summarizeMemory(s, states.get(s.id)));

  const toTrace = list.filter((x) => x.strace && (!traced || traced.has(x.id)));
  let syscalls = toTrace.length ? straceWhy : [];
  if (toTrace.length && !straceWhy) {
    syscalls = [];
    for (const s of toTrace) {
      const state = states.get(s.id);
      if (!state.runs.length) {
        syscalls.push({ id: s.id, label: s.label, error: state.error ?? 'not run' });
        continue;
      }
      log(`   strace: ${s.id}`);
      syscalls.push({ id: s.id, label: s.label, ...traceScenario(s, { cwd, root }) });
    }
  }
  return { n, seed, jsSuffix, tree: root, manifest, scenarios: rows, memory, syscalls };
}

/** The published packages `--npm` knows: where their TypeScript sources are and their entry. */
const NPM_PACKAGES = { rxjs: { entry: 'src', sources: 'src' } };

/** `--npm <name>`: the package's TS sources through importlib, cold and warm, against `require`. */
async function benchNpm(name) {
  const known = NPM_PACKAGES[name];
  if (!known) {
    console.error(`--npm: one of ${Object.keys(NPM_PACKAGES).join(', ')}`);
    process.exit(2);
  }
  const { ensureDeps } = await import('../compat-npm/lib/setup.mjs');
  const dir = join(ensureDeps({ log }), 'node_modules', name);
  log(`\n== npm ${name}: ${dir}`);
  const list = npmScenarios({ name, dir, entry: known.entry, sources: join(dir, known.sources) }).filter(
    (s) => !only || only.has(s.id),
  );
  const states = new Map(list.map((s) => [s.id, { runs: [], error: null }]));
  runRounds(groupsOf(list), states, dir);
  const expected = median(states.get('require')?.runs.map((r) => r.modules) ?? []) ?? NaN;
  const rows = addRatios(list.map((s) => summarize(s, states.get(s.id), expected)));
  return { npm: name, dir, scenarios: rows };
}

const started = new Date();
const results = [];
if (opts.npm) {
  const result = await benchNpm(opts.npm);
  results.push(result);
  console.log(`\nnpm ${opts.npm} (medians of ${runs} runs, fresh process each; modules: require's count)\n`);
  console.log(formatTimes(result.scenarios) + '\n');
}
for (const n of opts.npm ? [] : sizes) {
  const result = benchTree(n);
  results.push(result);
  console.log(
    `\nN = ${n} (${result.manifest.modules} modules; medians of ${runs} runs, fresh process each)\n`,
  );
  if (result.scenarios.length) console.log(formatTimes(result.scenarios) + '\n');
  if (result.memory.length) console.log(formatMemory(result.memory) + '\n');
  if (result.syscalls.length) console.log(formatSyscalls(result.syscalls));
}

const report = {
  date: started.toISOString(),
  node: process.version,
  v8: process.versions.v8,
  platform: `${process.platform} ${os.release()} ${process.arch}`,
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}`,
  options: {
    sizes: opts.npm ? [] : sizes,
    npm: opts.npm ?? null,
    runs,
    seed,
    jsSuffix,
    quick: opts.quick,
    only: only ? [...only] : null,
  },
  trees: results,
};
const outDir = join(repoRoot, 'bench-results');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
console.log(
  `\nx require: median / plain require's median; x req wall: whole-process wall time / require's; ` +
    `x floor: / the floor's (vm + V8 code cache).`,
);
console.log(
  `memory: heap used after full collections, end minus start (median); KB / step per reload, or per ` +
    `system after the first; first system: what the first one leaves (one-time).`,
);
console.log(`JSON: ${outFile}`);
