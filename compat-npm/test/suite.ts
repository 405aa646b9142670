// One test per package for one import way: importlib's record (lib/ways.mjs `probe`) must equal
// the record plain Node gave (lib/node-baseline.mjs). Each way has its own test file, so vitest's
// summary says "N of M pass" per way, and a failure names the package, its version and the way.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImportSystem } from '@importlib/hooks';
import { describe, expect, test } from 'vitest';
import { baselineFile } from '../lib/node-baseline.mjs';
import { depsDirFor, pinnedVersions } from '../lib/setup.mjs';
import { specs } from '../lib/specs.mjs';
import {
  differences,
  identityFacts,
  idOf,
  moduleNameOf,
  probe,
  subsFor,
  tlaFacts,
  WAYS,
  withHostilePrototype,
} from '../lib/ways.mjs';

type Spec = (typeof specs)[number];
type Loaded = { value: unknown; subs: Record<string, unknown>; keysBefore?: string[] | null };
type Module = Record<string, unknown>;

const root = depsDirFor();
const nodeModules = join(root, 'node_modules');
const project = join(root, 'project');
const versions = pinnedVersions() as Record<string, string>;

/** importlib's loader for each way: a fresh system per package and way. */
async function load(way: string, spec: Spec): Promise<Loaded> {
  const id = idOf(spec.pkg);
  switch (way) {
    case 'require': {
      const m = createImportSystem({ path: [project] }).importModule(`req_${id}`) as Module;
      return { value: m.value, subs: m.subs as Record<string, unknown> };
    }
    case 'import': {
      const m = createImportSystem({ path: [project] }).importModule(`imp_${id}`) as Module;
      return { value: m.value, subs: m.subs as Record<string, unknown> };
    }
    case 'import-async': {
      const m = (await createImportSystem({ path: [project] }).importModuleAsync(`imp_${id}`)) as Module;
      return { value: m.value, subs: m.subs as Record<string, unknown> };
    }
    case 'path':
    case 'hostile': {
      const run = (): Loaded => {
        const system = createImportSystem({ path: [nodeModules] });
        const value = system.importModule(moduleNameOf(spec.pkg));
        const keysBefore = keysOfValue(value);
        const subs: Record<string, unknown> = {};
        for (const sub of subsFor(way, spec)) subs[sub.name] = system.importModule(sub.name);
        return { value, keysBefore, subs };
      };
      return way === 'hostile' ? withHostilePrototype(async () => run()) : run();
    }
    case 'path-async': {
      const system = createImportSystem({ path: [nodeModules] });
      const value = await system.importModuleAsync(moduleNameOf(spec.pkg));
      const keysBefore = keysOfValue(value);
      const subs: Record<string, unknown> = {};
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
      const required = (system.importModule(`req_${id}`) as Module).value;
      const imported = (system.importModule(`imp_${id}`) as Module).value;
      return identityFacts(required, imported, system.importModule(moduleNameOf(spec.pkg))) as Loaded;
    }
    case 'tla': {
      const system = createImportSystem({ path: [nodeModules] });
      const name = moduleNameOf(spec.pkg);
      return tlaFacts(
        spec,
        () => system.importModule(name),
        () => system.importModuleAsync(name),
      ) as Promise<Loaded>;
    }
    default:
      throw new Error(`unknown way ${way}`);
  }
}

function keysOfValue(value: unknown): string[] | null {
  return value !== null && (typeof value === 'object' || typeof value === 'function')
    ? Object.keys(value).sort()
    : null;
}

let expectedAll: Record<string, Record<string, unknown>> | undefined;
function expected(way: string, pkg: string): Record<string, unknown> {
  if (!expectedAll) {
    const file = baselineFile(root);
    if (!existsSync(file))
      throw new Error(`no Node baseline at ${file}: run through vitest (test/global-setup.ts)`);
    expectedAll = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  }
  return expectedAll[way]![pkg] as Record<string, unknown>;
}

/** Define the tests of one way: one per package it applies to. */
export function defineWaySuite(wayId: string): void {
  const way = WAYS.find((w) => w.id === wayId)!;
  describe(`${way.id}: ${way.title}`, () => {
    for (const spec of specs.filter(way.applies)) {
      const version = spec.fixture ? 'fixture' : spec.builtin ? 'builtin' : versions[spec.pkg];
      test(`${spec.pkg}@${version} [items ${spec.items.join(', ') || '-'}]`, async () => {
        const want = expected(way.id, spec.pkg);
        expect(
          want.loadError,
          `plain Node could not load ${spec.pkg} (fix the spec): ${want.loadError}`,
        ).toBeUndefined();
        const got = (await probe(way.id, spec, load, root)) as Record<string, unknown>;
        expect(
          got.loadError,
          `importlib could not import ${spec.pkg} (${way.id}): ${got.loadError}`,
        ).toBeUndefined();
        expect(got, differences(got, want).join('; ')).toEqual(want);
      });
    }
  });
}
