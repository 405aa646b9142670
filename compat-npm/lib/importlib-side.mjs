#!/usr/bin/env node
// What importlib gives, the actual side of every comparison. Run as
//
//   node lib/importlib-side.mjs <cache folder> <way>
//
// in a fresh plain Node process per way, with the built packages (`@importlib/hooks` resolves to
// its dist: `turbo run test` builds them first). Not inside vitest: vitest rewrites the `import()`
// calls of the code it transforms into its own module runner, whose interop changes the namespaces
// Node gives, and the hostile way must not pollute the test runner's Object.prototype. Prints
// `{ <pkg>: record }` as JSON on stdout; a fresh import system per package.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createImportSystem } from '@importlib/hooks';
import { specs } from './specs.mjs';
import {
  identityFacts,
  idOf,
  keysOf,
  moduleNameOf,
  probe,
  subsFor,
  tlaFacts,
  WAYS,
  withHostilePrototype,
} from './ways.mjs';

function importlibLoader(root) {
  const nodeModules = join(root, 'node_modules');
  const project = join(root, 'project');
  return async function load(way, spec) {
    const id = idOf(spec.pkg);
    switch (way) {
      case 'require': {
        const m = createImportSystem({ path: [project] }).importModule(`req_${id}`);
        return { value: m.value, subs: m.subs };
      }
      case 'import': {
        const m = createImportSystem({ path: [project] }).importModule(`imp_${id}`);
        return { value: m.value, subs: m.subs };
      }
      case 'import-async': {
        const m = await createImportSystem({ path: [project] }).importModuleAsync(`imp_${id}`);
        return { value: m.value, subs: m.subs };
      }
      case 'path':
      case 'hostile': {
        const run = () => {
          const system = createImportSystem({ path: [nodeModules] });
          const value = system.importModule(moduleNameOf(spec.pkg));
          const keysBefore = keysOf(value);
          const subs = {};
          for (const sub of subsFor(way, spec)) subs[sub.name] = system.importModule(sub.name);
          return { value, keysBefore, subs };
        };
        return way === 'hostile' ? withHostilePrototype(run) : run();
      }
      case 'path-async': {
        const system = createImportSystem({ path: [nodeModules] });
        const value = await system.importModuleAsync(moduleNameOf(spec.pkg));
        const keysBefore = keysOf(value);
        const subs = {};
        for (const sub of subsFor(way, spec)) subs[sub.name] = await system.importModuleAsync(sub.name);
        return { value, keysBefore, subs };
      }
      case 'ts': {
        const system = createImportSystem({ path: [join(nodeModules, spec.pkg)] });
        const value =
          spec.sync === false
            ? await system.importModuleAsync(spec.ts.name)
            : system.importModule(spec.ts.name);
        return { value, subs: {} };
      }
      case 'identity': {
        const system = createImportSystem({ path: [project, nodeModules] });
        const required = system.importModule(`req_${id}`).value;
        const imported = system.importModule(`imp_${id}`).value;
        return identityFacts(required, imported, system.importModule(moduleNameOf(spec.pkg)));
      }
      case 'tla': {
        const system = createImportSystem({ path: [nodeModules] });
        const name = moduleNameOf(spec.pkg);
        return tlaFacts(
          spec,
          () => system.importModule(name),
          () => system.importModuleAsync(name),
        );
      }
      default:
        throw new Error(`unknown way ${way}`);
    }
  };
}

/** Probe every package that applies one way, in this process. */
export async function runWay(root, wayId) {
  const way = WAYS.find((w) => w.id === wayId);
  const load = importlibLoader(root);
  const out = {};
  for (const spec of specs.filter(way.applies)) out[spec.pkg] = await probe(wayId, spec, load, root);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [root, wayId] = process.argv.slice(2);
  const result = await runWay(root, wayId);
  // servers and timers of the probed packages must not keep the child alive
  process.stdout.write(JSON.stringify(result), () => process.exit(0));
}
