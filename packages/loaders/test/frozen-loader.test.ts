// FrozenLoader: running modules from a bundle in a real ImportSystem (with a tiny meta-path finder
// of the test's own), V8 caches from the bundle, excluded and invalid entries, async bodies and stack
// traces that point at the original file.
import vm from 'node:vm';

import { describe, expect, it } from 'vitest';

import { ImportError, ImportSystem, ModuleSpec, ModuleType, type MetaPathFinder } from '@importlib/core';

import {
  encodeBundle,
  FROZEN_ORIGIN,
  FrozenBundle,
  FrozenLoader,
  programOf,
  type FrozenRecord,
} from '../src/frozen/index.js';
import { compileBody } from '../src/module-body.js';
import { transpile } from '../src/transpile.js';
import { thrownBy } from './helpers.js';

/** A frozen record made from TypeScript source, as `freeze` makes them. */
function frozen(
  name: string,
  source: string,
  options: { isPackage?: boolean; filename?: string } = {},
): FrozenRecord {
  const filename = options.filename ?? `/src/${name.replaceAll('.', '/')}.ts`;
  const { code, map } = transpile(source, filename, {}, name);
  const { isAsync } = compileBody(code, filename, { moduleName: name });
  return { name, isPackage: options.isPackage ?? false, isAsync, js: code, map, origname: name, filename };
}

/** Serves every name the loader has, ignoring the path (as Python's FrozenImporter). */
class TestFrozenFinder implements MetaPathFinder {
  constructor(readonly loader: FrozenLoader) {}

  findSpec(name: string): ModuleSpec | null {
    const found = this.loader.lookup(name);
    if (!found) return null;
    const { entry } = found;
    return new ModuleSpec(name, this.loader, {
      origin: FROZEN_ORIGIN,
      isPackage: entry.isPackage,
      loaderState: { filename: entry.filename, origname: entry.origname },
    });
  }
}

function systemOf(
  records: FrozenRecord[],
  options: {
    runtimeKey?: Uint8Array;
    v8?: Uint8Array;
    onCompiled?: (bundle: FrozenBundle, script: vm.Script) => void;
  } = {},
): ImportSystem {
  const system = new ImportSystem();
  const bytes = encodeBundle(records, { runtimeKey: options.runtimeKey, v8: options.v8 });
  const bundle = FrozenBundle.fromBytes(bytes, '/b/app.frozen');
  system.metaPath = [
    new TestFrozenFinder(new FrozenLoader(system, [bundle], { onCompiled: options.onCompiled })),
  ];
  return system;
}

describe('FrozenLoader', () => {
  it('runs a frozen module’s code into its module', () => {
    const system = systemOf([frozen('answer', 'export const value: number = 42;')]);
    expect((system.importModule('answer') as { value: number }).value).toBe(42);
  });

  it('sets __file__ to the original file name', () => {
    const system = systemOf([frozen('answer', 'export const value = 1;', { filename: '/src/answer.ts' })]);
    expect((system.importModule('answer') as ModuleType).__file__).toBe('/src/answer.ts');
  });

  it('imports a package’s submodule through a relative specifier', () => {
    const system = systemOf([
      frozen('pkg', 'import { n } from "./inner"; export const twice = n * 2;', {
        isPackage: true,
        filename: '/src/pkg/__init__.ts',
      }),
      frozen('pkg.inner', 'export const n = 21;', { filename: '/src/pkg/inner.ts' }),
    ]);
    expect((system.importModule('pkg') as { twice: number }).twice).toBe(42);
  });

  it('raises ImportError for an excluded entry', () => {
    const system = systemOf([{ name: 'gone', isPackage: false, js: null }]);
    const error = thrownBy(() => system.importModule('gone'));
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toBe("Excluded frozen object named 'gone'");
  });

  it('raises ImportError for an entry with empty code', () => {
    const system = systemOf([{ name: 'empty', isPackage: false, js: '' }]);
    expect(thrownBy<Error>(() => system.importModule('empty')).message).toBe(
      "Frozen object named 'empty' is invalid",
    );
  });

  it('compiles the program with the bundle’s V8 cache when the runtime key matches', () => {
    const records = [frozen('cached', 'export const f = (): number => 3;')];
    const v8 = new vm.Script(programOf(records), { filename: '/b/app.frozen' }).createCachedData();
    const seen: vm.Script[] = [];
    systemOf(records, { v8, onCompiled: (_, script) => seen.push(script) }).importModule('cached');
    expect(seen.map((script) => script.cachedDataRejected)).toEqual([false]);
  });

  it('compiles the program once for all the modules of a bundle', () => {
    const seen: vm.Script[] = [];
    const system = systemOf([frozen('one', 'export const a = 1;'), frozen('two', 'export const b = 2;')], {
      onCompiled: (_, script) => seen.push(script),
    });
    system.importModule('one');
    system.importModule('two');
    expect(seen).toHaveLength(1);
  });

  it('runs the JS alone when the V8 cache was made under another runtime key', () => {
    const record: FrozenRecord = { name: 'other', isPackage: false, js: 'exports.ok = true;' };
    const system = systemOf([record], { runtimeKey: new Uint8Array(16), v8: new Uint8Array(40).fill(9) });
    expect((system.importModule('other') as { ok: boolean }).ok).toBe(true);
  });

  it('runs an async body on the async import path', async () => {
    const system = systemOf([frozen('later', 'await Promise.resolve(); export const done = true;')]);
    const module = (await system.importModuleAsync('later')) as { done: boolean };
    expect(module.done).toBe(true);
  });

  it('points stack frames of frozen code at the original file and line', () => {
    const system = systemOf([
      frozen(
        'boom',
        'type T = number;\n\nexport function fail(): T {\n  throw new Error("frozen boom");\n}\n',
        {
          filename: '/src/boom.ts',
        },
      ),
    ]);
    const module = system.importModule('boom') as { fail: () => void };
    const error = thrownBy<Error>(() => module.fail());
    expect(error.stack).toContain('/src/boom.ts:4:');
  });

  it('gives a code object that runs the frozen code in another module', () => {
    const system = systemOf([frozen('answer', 'export const value = 42;')]);
    const loader = (system.metaPath[0] as TestFrozenFinder).loader;
    const target = new ModuleType('copy');
    loader.getCode('answer').exec(target);
    expect((target as unknown as { value: number }).value).toBe(42);
  });

  it('says whether a frozen name is a package', () => {
    const loader = (systemOf([frozen('pkg', '', { isPackage: true })]).metaPath[0] as TestFrozenFinder)
      .loader;
    expect(loader.isPackage('pkg')).toBe(true);
  });

  it('raises ImportError for the code of a name that is not frozen', () => {
    const loader = (systemOf([]).metaPath[0] as TestFrozenFinder).loader;
    expect(thrownBy<Error>(() => loader.getCode('nope')).message).toBe("No such frozen object named 'nope'");
  });
});
