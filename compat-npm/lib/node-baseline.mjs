#!/usr/bin/env node
// What plain Node gives, the expected side of every comparison. Run as
//
//   node lib/node-baseline.mjs <cache folder> <way>
//
// in a fresh process per way (packages that extend themselves, like dayjs plugins, must not leak
// from one way into the next); prints `{ <pkg>: record }` as JSON on stdout. `baseline(root)`
// runs every way's child in parallel and caches the answer in the cache folder, keyed by the files
// that decide it and the Node version.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { specs } from './specs.mjs';
import {
  identityFacts,
  idOf,
  keysOf,
  probe,
  subsFor,
  tlaFacts,
  WAYS,
  withHostilePrototype,
  writeProject,
} from './ways.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Node's loader for each way, from the project folder of the cache. */
function nodeLoader(root) {
  const project = join(root, 'project');
  const nodeModules = join(root, 'node_modules');
  const req = createRequire(join(project, 'index.cjs'));
  // import() resolves from the file it is written in: this one resolves from the project folder
  const importerFile = join(project, '_import.mjs');
  if (!existsSync(importerFile))
    writeFileSync(importerFile, 'export default (specifier) => import(specifier);\n');
  let importFromProject;
  const importer = async (specifier) => {
    importFromProject ??= (await import(pathToFileURL(importerFile).href)).default;
    return importFromProject(specifier);
  };
  const subTarget = (sub) => sub.node ?? join(nodeModules, sub.file);
  const subUrl = (sub) => sub.node ?? pathToFileURL(join(nodeModules, sub.file)).href;

  return async function load(way, spec) {
    const id = idOf(spec.pkg);
    switch (way) {
      case 'require': {
        const m = req(join(project, `req_${id}.cjs`));
        return { value: m.value, subs: m.subs };
      }
      case 'import':
      case 'import-async': {
        const m = await import(pathToFileURL(join(project, `imp_${id}.mjs`)).href);
        return { value: m.value, subs: m.subs };
      }
      case 'path':
      case 'hostile': {
        const run = () => {
          const value = req(spec.pkg);
          const keysBefore = keysOf(value);
          const subs = {};
          for (const sub of subsFor(way, spec)) subs[sub.name] = req(subTarget(sub));
          return { value, keysBefore, subs };
        };
        return way === 'hostile' ? withHostilePrototype(run) : run();
      }
      case 'path-async': {
        const value = await importer(spec.pkg);
        const keysBefore = keysOf(value);
        const subs = {};
        for (const sub of subsFor(way, spec)) subs[sub.name] = await importer(subUrl(sub));
        return { value, keysBefore, subs };
      }
      case 'ts':
        return { value: spec.sync === false ? await importer(spec.pkg) : req(spec.pkg), subs: {} };
      case 'identity': {
        const required = req(join(project, `req_${id}.cjs`)).value;
        const imported = (await import(pathToFileURL(join(project, `imp_${id}.mjs`)).href)).value;
        return identityFacts(required, imported, createRequire(join(root, 'index.cjs'))(spec.pkg));
      }
      case 'tla':
        return tlaFacts(
          spec,
          () => req(spec.pkg),
          () => importer(spec.pkg),
        );
      default:
        throw new Error(`unknown way ${way}`);
    }
  };
}

/** Probe every package that applies one way, in this process. */
export async function runWay(root, wayId) {
  const way = WAYS.find((w) => w.id === wayId);
  const load = nodeLoader(root);
  const out = {};
  for (const spec of specs.filter(way.applies)) out[spec.pkg] = await probe(wayId, spec, load, root);
  return out;
}

/** The key of a cached baseline: the files that decide it, and the Node version. */
function baselineKey() {
  const hash = createHash('sha256').update(process.version);
  for (const file of ['specs.mjs', 'ways.mjs', 'node-baseline.mjs'])
    hash.update(readFileSync(join(here, file)));
  return hash.digest('hex').slice(0, 16);
}

/** The file a baseline for the current files is cached in. */
export const baselineFile = (root) => join(root, `baseline-${baselineKey()}.json`);

function runChild(root, wayId) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--no-warnings', fileURLToPath(import.meta.url), root, wayId],
      { maxBuffer: 64 * 1024 * 1024, timeout: 180_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`Node baseline for '${wayId}' failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

/**
 * Node's records for every way: `{ <way>: { <pkg>: record } }`, computed in one child process per
 * way, or read from `<root>/baseline-<key>.json` when the same files already computed them.
 */
export async function baseline(root) {
  writeProject(root, specs);
  const file = baselineFile(root);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const entries = await Promise.all(WAYS.map(async (way) => [way.id, await runChild(root, way.id)]));
  const result = Object.fromEntries(entries);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(result));
  renameSync(tmp, file);
  for (const old of readdirSync(root)) {
    if (/^baseline-[0-9a-f]{16}\.json$/.test(old) && join(root, old) !== file)
      rmSync(join(root, old), { force: true });
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [root, wayId] = process.argv.slice(2);
  const result = await runWay(root, wayId);
  // servers and timers of the probed packages must not keep the child alive
  process.stdout.write(JSON.stringify(result), () => process.exit(0));
}
