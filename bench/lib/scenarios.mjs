// The catalogue of scenarios: which child script runs with which arguments and environment, and
// what is done before each run (emptying a cache for a cold run, writing the floor's code cache).
// A `group` runs as one block in a round (cold then warm: the cold run leaves the cache the warm
// run reads).
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
const script = (name) => join(scenarioDir, `${name}.mjs`);

function emptyDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Delete every `__pycache__` folder under `dir` (importlib's compiled cache). */
export function removePycache(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = join(dir, entry.name);
    if (entry.name === '__pycache__') rmSync(sub, { recursive: true, force: true });
    else removePycache(sub);
  }
}

/** How many reloads and import systems the memory scenarios go through (`--quick` gives fewer). */
export const MEMORY_COUNTS = { full: { reloads: 1000, systems: 100 }, quick: { reloads: 250, systems: 20 } };

/**
 * Every scenario for one tree folder. Fields: id, group, label, what (one line for the README and
 * the JSON), script, args, nodeArgs (before the script), env (added to the child's), prepare()
 * before every run, warmupArgs (of the first run, whose result is thrown away), strace (whether the
 * syscall pass counts it), kind ('time', or 'memory': reported in the memory table, not timed).
 * `counts` is one of MEMORY_COUNTS.
 */
export function scenarios(root, counts = MEMORY_COUNTS.full) {
  const ts = join(root, 'ts');
  const jitiCache = join(root, 'caches', 'jiti');
  const tsxTmp = join(root, 'caches', 'tsx-tmp');
  const base = ['--tree', root];
  return [
    {
      id: 'require',
      group: 'require',
      label: 'node require (CJS, baseline)',
      what: 'plain Node `require` of the tree precompiled to CommonJS',
      script: script('require'),
      args: base,
      strace: true,
    },
    {
      id: 'floor',
      group: 'floor',
      label: 'floor: vm + code cache',
      what: 'precompiled files run with vm.Script and V8 code cache, requires from a precomputed table',
      script: script('floor'),
      args: base,
      warmupArgs: [...base, '--write-cache'],
      strace: true,
    },
    {
      id: 'floor-nocache',
      group: 'floor-nocache',
      label: 'floor: vm, no code cache',
      what: 'the floor without the V8 code cache',
      script: script('floor'),
      args: [...base, '--no-code-cache'],
    },
    {
      id: 'jiti-cold',
      group: 'jiti',
      label: 'jiti cold',
      what: 'jiti 2 of the TypeScript tree, its file cache emptied first',
      script: script('jiti'),
      args: [...base, '--cache-dir', jitiCache],
      prepare: () => emptyDir(jitiCache),
    },
    {
      id: 'jiti-warm',
      group: 'jiti',
      label: 'jiti warm',
      what: 'jiti 2 with its file cache filled by the run before',
      script: script('jiti'),
      args: [...base, '--cache-dir', jitiCache],
      strace: true,
    },
    {
      id: 'tsx-cold',
      group: 'tsx',
      label: 'tsx cold',
      what: 'tsx 4 (CommonJS hooks) of the TypeScript tree, its cache (TMPDIR/tsx-<uid>) emptied first',
      script: script('tsx'),
      args: base,
      env: { TMPDIR: tsxTmp },
      prepare: () => emptyDir(tsxTmp),
    },
    {
      id: 'tsx-warm',
      group: 'tsx',
      label: 'tsx warm',
      what: 'tsx 4 with its cache filled by the run before',
      script: script('tsx'),
      args: base,
      env: { TMPDIR: tsxTmp },
      prepare: () => existsSync(tsxTmp) || mkdirSync(tsxTmp, { recursive: true }),
      strace: true,
    },
    {
      id: 'importlib-cold',
      group: 'importlib',
      label: 'importlib cold',
      what: 'createImportSystem({ path: [tree] }).importModule("entry"), every __pycache__ deleted first',
      script: script('importlib'),
      args: base,
      prepare: () => removePycache(ts),
    },
    {
      id: 'importlib-warm',
      group: 'importlib',
      label: 'importlib warm',
      what: 'the same with the compiled cache (__pycache__) the run before wrote',
      script: script('importlib'),
      args: base,
      strace: true,
    },
    {
      id: 'importlib-zip-warm',
      group: 'importlib-zip',
      label: 'importlib warm from a zip',
      what: 'createImportSystem({ path: [tree.zip] }).importModule("entry"): the tree zipped (sources only) by the warm-up run, which also fills the transpile cache kept beside the archive',
      script: script('zip'),
      args: base,
      warmupArgs: [...base, '--zip'],
      strace: true,
    },
    {
      id: 'importlib-frozen',
      group: 'importlib-frozen',
      label: 'importlib frozen bundle',
      what: 'createImportSystem({ frozen: [bundle] }).importModule("entry"), the tree frozen into one file (V8 caches from a warm-up run; the warm-up run freezes); reading the bundle is timed',
      script: script('frozen'),
      args: base,
      warmupArgs: [...base, '--freeze'],
      strace: true,
    },
    {
      id: 'esbuild-bundle',
      group: 'esbuild-bundle',
      label: 'esbuild one-file bundle',
      what: 'plain Node `require` of the TypeScript tree bundled by esbuild 0.28 into one CommonJS file (modules scope-hoisted; the warm-up run bundles)',
      script: script('esbuild-bundle'),
      args: base,
      warmupArgs: [...base, '--build'],
      strace: true,
    },
    {
      id: 'memory-reload',
      group: 'memory-reload',
      kind: 'memory',
      label: `importlib: ${counts.reloads} reloads`,
      what: `heap growth over system.reload() of one mid-size module ${counts.reloads} times, after importing entry (warm cache)`,
      script: script('memory-reload'),
      args: [...base, '--reloads', String(counts.reloads)],
      nodeArgs: ['--expose-gc'],
    },
    {
      id: 'memory-systems',
      group: 'memory-systems',
      kind: 'memory',
      label: `importlib: ${counts.systems} systems`,
      what: `heap growth after ${counts.systems} times createImportSystem + importModule("entry") + drop (warm cache)`,
      script: script('memory-systems'),
      args: [...base, '--cycles', String(counts.systems)],
      nodeArgs: ['--expose-gc'],
    },
  ];
}

/**
 * The npm scenarios (`run.mjs --npm rxjs`): a published package's TypeScript sources imported by
 * importlib, cold and warm, against plain Node requiring the package's own compiled build. `dir` is
 * the package folder (in the compat-npm cache), `entry` the module of its sources (`src`: src/index.ts),
 * `sources` the folder whose `__pycache__` folders a cold run deletes.
 */
export function npmScenarios({ name, dir, entry, sources }) {
  const base = ['--package-dir', dir];
  return [
    {
      id: 'require',
      group: 'require',
      label: `node require (${name} compiled build)`,
      what: `plain Node \`require('${name}')\`: the package's own compiled CommonJS build`,
      script: script('npm-require'),
      args: base,
    },
    {
      id: 'importlib-cold',
      group: 'importlib',
      label: `importlib cold (${name} TS sources)`,
      what: `createImportSystem({ path: [<${name} folder>] }).importModule('${entry}'), every __pycache__ under the sources deleted first`,
      script: script('npm-importlib'),
      args: [...base, '--entry', entry],
      prepare: () => removePycache(sources),
    },
    {
      id: 'importlib-warm',
      group: 'importlib',
      label: `importlib warm (${name} TS sources)`,
      what: 'the same with the compiled cache the run before wrote',
      script: script('npm-importlib'),
      args: [...base, '--entry', entry],
    },
  ];
}
