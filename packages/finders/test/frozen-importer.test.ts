// FrozenImporter (docs/conformance.md#frozen: Python's FrozenImporter, _imp.is_frozen,
// _imp.find_frozen, _imp.get_frozen_object, PyImport_ImportFrozenModuleObject) on the meta path of
// real ImportSystems, and its path hook for bundle files on system.path. The bundles are written in
// each test's setup under test/.work.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ImportError, ImportSystem, ModuleType, RequireAsyncError } from '@importlib/core';
import { FrozenBundle, FrozenBundleError, writeBundle, type FrozenRecord } from '@importlib/loaders';

import { FrozenImporter } from '../src/index.js';

import { thrownBy } from './helpers.js';

const work = join(dirname(fileURLToPath(import.meta.url)), '.work', 'frozen-importer');
let counter = 0;

/** Write `records` as a bundle in the work folder and return its path. */
function bundle(records: FrozenRecord[]): string {
  const file = join(work, `b${counter++}.frozen`);
  writeBundle(file, records);
  return file;
}

/** A system whose meta path holds only a FrozenImporter over `bundles`. */
function frozenSystem(...bundles: string[]): { system: ImportSystem; importer: FrozenImporter } {
  const system = new ImportSystem();
  const importer = new FrozenImporter({ system, bundles });
  system.metaPath = [importer];
  return { system, importer };
}

const mod = (name: string, js: string, extra: Partial<FrozenRecord> = {}): FrozenRecord => ({
  name,
  isPackage: false,
  js,
  origname: name,
  filename: `/orig/${name.replaceAll('.', '/')}.ts`,
  ...extra,
});

beforeEach(() => mkdirSync(work, { recursive: true }));
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('FrozenImporter.findSpec', () => {
  it('gives origin "frozen" and no location', () => {
    const { importer } = frozenSystem(bundle([mod('hello', 'exports.x = 1;')]));
    const spec = importer.findSpec('hello');
    expect([spec?.origin, spec?.hasLocation]).toEqual(['frozen', false]);
  });

  it('ignores the path and the target', () => {
    const { importer } = frozenSystem(bundle([mod('hello', 'exports.x = 1;')]));
    const plain = importer.findSpec('hello');
    const other = importer.findSpec('hello', ['/nowhere'], new ModuleType('hello'));
    expect(other?.equals(plain)).toBe(true);
  });

  it('carries the file name and origname as loaderState', () => {
    const { importer } = frozenSystem(bundle([mod('alias', 'exports.x = 1;', { origname: 'hello' })]));
    expect(importer.findSpec('alias')?.loaderState).toEqual({
      filename: '/orig/alias.ts',
      origname: 'hello',
    });
  });

  it('gives a package the original folder as its search location when the file is known', () => {
    const pkg = mod('pkg', '', { isPackage: true, filename: '/orig/pkg/__init__.ts', js: 'exports.p = 1;' });
    const { importer } = frozenSystem(bundle([pkg]));
    expect(importer.findSpec('pkg')?.submoduleSearchLocations).toEqual(['/orig/pkg']);
  });

  it('gives a package [] as its search locations when the file is not known', () => {
    const pkg = mod('pkg', 'exports.p = 1;', { isPackage: true, filename: null });
    const { importer } = frozenSystem(bundle([pkg]));
    expect(importer.findSpec('pkg')?.submoduleSearchLocations).toEqual([]);
  });

  it('sets __file__ when the original file is known', () => {
    const { system } = frozenSystem(bundle([mod('hello', 'exports.x = 1;')]));
    expect((system.importModule('hello') as ModuleType).__file__).toBe('/orig/hello.ts');
  });

  it('leaves __file__ unset when the original file is not known', () => {
    const { system } = frozenSystem(bundle([mod('hello', 'exports.x = 1;', { filename: null })]));
    expect((system.importModule('hello') as ModuleType).__file__ ?? null).toBeNull();
  });

  it('has no source, and answers isPackage from the bundle', () => {
    const { importer } = frozenSystem(bundle([mod('pkg', 'exports.p = 1;', { isPackage: true })]));
    expect([importer.loader.getSource(), importer.loader.isPackage('pkg')]).toEqual([null, true]);
  });

  it('answers getSource, isPackage and getCode by name itself, as Python’s FrozenImporter does', () => {
    const { importer } = frozenSystem(bundle([mod('pkg', 'exports.p = 1;', { isPackage: true })]));
    const target = new ModuleType('target');
    importer.getCode('pkg').exec(target);
    expect([
      importer.getSource('pkg'),
      importer.isPackage('pkg'),
      (target as unknown as { p: number }).p,
    ]).toEqual([null, true, 1]);
  });

  it('returns null for a name no bundle has', () => {
    const { importer } = frozenSystem(bundle([mod('hello', 'exports.x = 1;')]));
    expect(importer.findSpec('absent')).toBeNull();
  });

  it('imports a frozen submodule of a frozen package', () => {
    const { system } = frozenSystem(
      bundle([
        mod('pkg', 'exports.sub = require("./sub").value;', {
          isPackage: true,
          filename: '/orig/pkg/__init__.ts',
        }),
        mod('pkg.sub', 'exports.value = "from sub";', { filename: '/orig/pkg/sub.ts' }),
      ]),
    );
    expect((system.importModule('pkg') as { sub: string }).sub).toBe('from sub');
  });
});

describe('lookup order (find_frozen)', () => {
  it('serves a name from the first bundle that has it', () => {
    const first = bundle([mod('shared', 'exports.from = "first";')]);
    const second = bundle([mod('shared', 'exports.from = "second";'), mod('only2', 'exports.x = 2;')]);
    const { system } = frozenSystem(first, second);
    expect((system.importModule('shared') as { from: string }).from).toBe('first');
  });

  it('serves a name only the later bundle has', () => {
    const first = bundle([mod('shared', 'exports.from = "first";')]);
    const second = bundle([mod('only2', 'exports.x = 2;')]);
    const { system } = frozenSystem(first, second);
    expect((system.importModule('only2') as { x: number }).x).toBe(2);
  });
});

describe('bad entries (set_frozen_error)', () => {
  it('raises ImportError("Excluded frozen object named …") for an entry without code', () => {
    const { system } = frozenSystem(bundle([mod('gone', '', { js: null })]));
    const error = thrownBy(() => system.importModule('gone'));
    expect([error instanceof ImportError, (error as Error).message]).toEqual([
      true,
      "Excluded frozen object named 'gone'",
    ]);
  });

  it('raises ImportError("… is invalid") for an entry with empty code', () => {
    const { system } = frozenSystem(bundle([mod('empty', '')]));
    const error = thrownBy(() => system.importModule('empty'));
    expect([error instanceof ImportError, (error as Error).message]).toEqual([
      true,
      "Frozen object named 'empty' is invalid",
    ]);
  });

  it('names the module and the bundle in the error', () => {
    const file = bundle([mod('gone', '', { js: null })]);
    const { importer } = frozenSystem(file);
    expect(thrownBy(() => importer.findSpec('gone'))).toMatchObject({ moduleName: 'gone', path: file });
  });
});

describe('isFrozen and findFrozen', () => {
  const records = (): FrozenRecord[] => [
    mod('ok', 'exports.x = 1;'),
    mod('pkg', 'exports.p = 1;', { isPackage: true, origname: '<pkg>' }),
    mod('gone', '', { js: null }),
    mod('empty', ''),
  ];

  it('is true only for a usable entry', () => {
    const { importer } = frozenSystem(bundle(records()));
    expect(['ok', 'pkg', 'gone', 'empty', 'absent'].map((n) => importer.isFrozen(n))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('finds nothing for a name that is not frozen', () => {
    const { importer } = frozenSystem(bundle(records()));
    expect(importer.findFrozen('absent')).toBeNull();
  });

  it('gives the code, the package flag and the origname', () => {
    const { importer } = frozenSystem(bundle(records()));
    const info = importer.findFrozen('pkg');
    expect([info?.isPackage, info?.origname, typeof info?.code?.exec]).toEqual([true, '<pkg>', 'function']);
  });

  it('raises ImportError from findFrozen for an excluded entry', () => {
    const { importer } = frozenSystem(bundle(records()));
    expect(() => importer.findFrozen('gone')).toThrow(ImportError);
  });

  it('answers isFrozenPackage for an excluded entry, and raises for an absent one', () => {
    const { importer } = frozenSystem(bundle(records()));
    expect(importer.isFrozenPackage('pkg')).toBe(true);
    expect(() => importer.isFrozenPackage('absent')).toThrow(ImportError);
  });

  it('gives a code object that runs the module’s code', () => {
    const { importer } = frozenSystem(bundle(records()));
    const target = new ModuleType('target');
    importer.getFrozenObject('ok').exec(target);
    expect((target as unknown as { x: number }).x).toBe(1);
  });

  it('raises ImportError from getFrozenObject for a name that is not frozen', () => {
    const { importer } = frozenSystem(bundle(records()));
    expect(() => importer.getFrozenObject('absent')).toThrow(ImportError);
  });
});

describe('initFrozen (PyImport_ImportFrozenModuleObject)', () => {
  it('returns null for a name that is not frozen', () => {
    const { importer } = frozenSystem(bundle([mod('ok', 'exports.x = 1;')]));
    expect(importer.initFrozen('absent')).toBeNull();
  });

  it('imports and registers a module not imported yet', () => {
    const { system, importer } = frozenSystem(bundle([mod('ok', 'exports.x = 1;')]));
    const module = importer.initFrozen('ok');
    expect(system.modules.get('ok')).toBe(module);
  });

  it('sets a package’s __path__ to [] before its code runs', () => {
    const code = 'exports.seen = JSON.stringify(exports.__path__);';
    const { importer } = frozenSystem(bundle([mod('pkg', code, { isPackage: true })]));
    expect((importer.initFrozen('pkg') as unknown as { seen: string }).seen).toBe('[]');
  });

  it('executes an already imported module again, in the same object', () => {
    const code = 'exports.runs = (exports.runs || 0) + 1;';
    const { system, importer } = frozenSystem(bundle([mod('again', code)]));
    const first = system.importModule('again') as { runs: number; mine?: string };
    first.mine = 'kept';
    const second = importer.initFrozen('again') as unknown as { runs: number; mine?: string };
    expect([second === first, second.runs, second.mine]).toEqual([true, 2, 'kept']);
  });

  it('sets __origname__', () => {
    const { importer } = frozenSystem(bundle([mod('alias', 'exports.x = 1;', { origname: 'hello' })]));
    expect(importer.initFrozen('alias')?.__origname__).toBe('hello');
  });

  it('keeps a "<pkg" origname: a package __init__ served under an alias, as a plain module', () => {
    const alias = mod('pkg.__init__', 'exports.x = 1;', {
      origname: '<pkg',
      filename: '/orig/pkg/__init__.ts',
    });
    const { importer } = frozenSystem(bundle([mod('pkg', 'exports.p = 1;', { isPackage: true }), alias]));
    const module = importer.initFrozen('pkg.__init__');
    expect([module?.__origname__, module?.__path__, module?.__file__]).toEqual([
      '<pkg',
      undefined,
      '/orig/pkg/__init__.ts',
    ]);
  });

  it('removes a new module whose code throws', () => {
    const { system, importer } = frozenSystem(bundle([mod('bad', 'throw new Error("nope");')]));
    expect(() => importer.initFrozen('bad')).toThrow('nope');
    expect(system.modules.has('bad')).toBe(false);
  });

  it('raises ImportError for an excluded entry', () => {
    const { importer } = frozenSystem(bundle([mod('gone', '', { js: null })]));
    expect(() => importer.initFrozen('gone')).toThrow(ImportError);
  });

  it('refuses a body that awaits at top level', () => {
    const { importer } = frozenSystem(bundle([mod('later', 'await null;', { isAsync: true })]));
    expect(() => importer.initFrozen('later')).toThrow(RequireAsyncError);
  });
});

describe('FrozenImporter bundles', () => {
  it('reads bundle files when it is made, and names a bad one', () => {
    const file = join(work, 'bad.frozen');
    writeFileSync(file, 'not a bundle at all');
    const system = new ImportSystem();
    expect(() => new FrozenImporter({ system, bundles: [file] })).toThrow(FrozenBundleError);
  });

  it('raises FrozenBundleError naming the bundle and the module whose import met damaged code', () => {
    const file = bundle([mod('fine', 'exports.x = 1;'), mod('hurt', 'exports.y = "damaged soon";')]);
    const bytes = readFileSync(file);
    const at = bytes.indexOf('damaged soon');
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    const { system } = frozenSystem(file);
    expect(thrownBy(() => system.importModule('hurt'))).toMatchObject({
      code: 'ERR_IMPORTLIB_FROZEN_BUNDLE',
      reason: 'integrity',
      moduleName: 'hurt',
      path: file,
    });
    expect(system.modules.has('hurt')).toBe(false);
  });

  it('takes bundles already read', () => {
    const read = FrozenBundle.read(bundle([mod('ok', 'exports.x = 1;')]));
    const system = new ImportSystem();
    const importer = new FrozenImporter({ system, bundles: [read] });
    expect(importer.bundles).toEqual([read]);
  });
});

describe('FrozenImporter.pathHook: a bundle on system.path', () => {
  function pathSystem(entry: string): ImportSystem {
    const system = new ImportSystem({ path: [entry] });
    system.pathHooks.push(FrozenImporter.pathHook(system));
    system.metaPath = [system.pathFinder];
    return system;
  }

  it('imports a top-level module from a bundle on the path', () => {
    const system = pathSystem(bundle([mod('hello', 'exports.x = "hi";')]));
    expect((system.importModule('hello') as { x: string }).x).toBe('hi');
  });

  it('imports a package’s submodule through the package’s location inside the bundle', () => {
    const file = bundle([
      mod('pkg', 'exports.p = 1;', { isPackage: true }),
      mod('pkg.sub', 'exports.s = "sub";'),
    ]);
    const system = pathSystem(file);
    const pkg = system.importModule('pkg') as ModuleType;
    expect(pkg.__path__).toEqual([join(file, 'pkg')]);
    expect((system.importModule('pkg.sub') as { s: string }).s).toBe('sub');
  });

  it('has a name, which traces and `importlib find` show for the hook', () => {
    expect(FrozenImporter.pathHook(new ImportSystem()).name).toBe('pathHookForFrozenBundle');
  });

  it('declines a folder with ImportError', () => {
    const hook = FrozenImporter.pathHook(new ImportSystem());
    expect(() => hook(work)).toThrow(ImportError);
  });

  it('declines a file that is not a bundle with ImportError', () => {
    const file = join(work, 'plain.txt');
    writeFileSync(file, 'hello');
    const hook = FrozenImporter.pathHook(new ImportSystem());
    expect(() => hook(file)).toThrow(ImportError);
  });
});
