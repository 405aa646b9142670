// The floor: what running the precompiled tree costs with no module resolution at all. Each file is
// read and run with `vm.Script` in this realm (the CommonJS wrapper, as Node does), with the V8 code
// cache produced by a warm-up run (`--write-cache`) unless `--no-code-cache`; every `require` is
// answered from the precomputed table in floor.json (specifier -> file index), and that table is
// read inside the timed region.
//
//   node floor.mjs --tree <dir> [--no-code-cache | --write-cache]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { arg, measure, tree } from '../lib/child.mjs';

const { root, cjs } = tree();
const writeCache = arg('write-cache', false) === true;
const useCache = !writeCache && arg('no-code-cache', false) !== true;
const cacheDir = join(root, 'floor-cache');
const cacheFile = (i) => join(cacheDir, `${i}.v8`);

let loadedCount = 0;
let rejected = 0;
let cached = 0;
const scripts = [];

function loadAll() {
  const { files, requires } = JSON.parse(readFileSync(join(root, 'floor.json'), 'utf8'));
  const modules = new Array(files.length);
  const load = (i) => {
    const existing = modules[i];
    if (existing) return existing.exports;
    const filename = join(cjs, files[i]);
    const module = { exports: {}, id: filename, filename, loaded: false };
    modules[i] = module;
    const source = readFileSync(filename, 'utf8');
    let cachedData;
    if (useCache) {
      try {
        cachedData = readFileSync(cacheFile(i));
      } catch {
        cachedData = undefined;
      }
    }
    const script = new vm.Script(
      `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
      {
        filename,
        cachedData,
      },
    );
    if (cachedData) {
      if (script.cachedDataRejected) rejected++;
      else cached++;
    }
    if (writeCache) scripts[i] = script;
    const table = requires[i];
    const require = (specifier) => {
      const target = table[specifier];
      if (target === undefined) throw new Error(`floor: no table entry for '${specifier}' in ${files[i]}`);
      return load(target);
    };
    script
      .runInThisContext()
      .call(module.exports, module.exports, require, module, filename, dirname(filename));
    module.loaded = true;
    loadedCount++;
    return module.exports;
  };
  load(0);
}

measure(
  loadAll,
  () => loadedCount,
  () => {
    if (writeCache) {
      mkdirSync(cacheDir, { recursive: true });
      scripts.forEach((script, i) => writeFileSync(cacheFile(i), script.createCachedData()));
    }
    return { codeCache: useCache ? { used: cached, rejected } : writeCache ? 'written' : 'off' };
  },
);
