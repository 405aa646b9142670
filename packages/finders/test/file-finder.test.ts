// FileFinder and its listing cache, on real temporary folders (docs/conformance.md#file-finder),
// and the FileFinder side of namespace packages (portions merged across path entries,
// docs/conformance.md#namespace-merge, docs/conformance.md#regular-wins). Model: CPython's
// `FileFinder` (`_bootstrap_external.py`); tests: `source/test_finder.py`,
// `source/test_path_hook.py`, `source/test_case_sensitivity.py`, `test_namespace_pkgs.py`.
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  ImportError,
  ImportSystem,
  InvalidModuleNameError,
  ModuleNotFoundError,
  type Loader,
  type ModuleType,
  type PathEntryFinder,
  type PathHook,
} from '@importlib/core';

import { FileFinder, ListingCache, type LoaderDetail, type LoaderFactory } from '../src/index.js';

// ------------------------------------------------------------------------------------------ helpers

/** A fake loader: executes nothing but marks the module with the factory's tag and its file. */
interface FakeLoader extends Loader {
  readonly tag: string;
  readonly fullname: string;
  readonly file: string;
}

/** A loader factory recording every `(fullname, path)` it is called with. */
type RecordingFactory = LoaderFactory & { calls: [fullname: string, path: string][]; tag: string };

function recordingFactory(tag = 'source'): RecordingFactory {
  const calls: [string, string][] = [];
  const factory = (fullname: string, file: string): FakeLoader => {
    calls.push([fullname, file]);
    return {
      tag,
      fullname,
      file,
      createModule: () => null,
      execModule(module: ModuleType): void {
        module.loadedBy = tag;
        module.loadedFrom = file;
      },
    };
  };
  return Object.assign(factory, { calls, tag });
}

const made: string[] = [];

/** A fresh temporary folder holding `files` (paths relative to it; a path ending in `/` is a folder). */
function tmpTree(files: readonly string[] = []): string {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'importlib-file-finder-'));
  made.push(root);
  addFiles(root, files);
  return root;
}

function addFiles(root: string, files: readonly string[]): void {
  for (const file of files) {
    const path = join(root, file);
    if (file.endsWith('/')) {
      fs.mkdirSync(path, { recursive: true });
    } else {
      fs.mkdirSync(join(path, '..'), { recursive: true });
      fs.writeFileSync(path, '');
    }
  }
}

/** Pin a folder's mtime to a whole number of seconds, so it can be restored exactly. */
function pinMtime(folder: string, seconds = 1_000_000_000): void {
  fs.utimesSync(folder, seconds, seconds);
}

function loaderOf(spec: { loader: Loader | null } | null): FakeLoader | null {
  return (spec?.loader ?? null) as FakeLoader | null;
}

/** A system searching `path` through one FileFinder path hook. */
function fileSystem(path: string[], ...details: LoaderDetail[]): ImportSystem {
  const system = new ImportSystem({ path });
  system.pathHooks = [FileFinder.pathHook(...details)];
  return system;
}

/** Whether this process can list a folder whatever its mode (root can). */
function canListDespiteMode(folder: string): boolean {
  try {
    fs.readdirSync(folder);
    return true;
  } catch {
    return false;
  }
}

/**
 * Run `run` while counting every synchronous `fs` call (`statSync(<path>)`, `readdirSync(<path>)`, …)
 * made through the `node:fs` module object, which is the one the finder calls through.
 */
function fsCalls<T>(run: () => T): { result: T; calls: string[] } {
  const calls: string[] = [];
  const table = fs as unknown as Record<string, unknown>;
  for (const key of Object.keys(table)) {
    const original = table[key];
    if (!key.endsWith('Sync') || typeof original !== 'function') continue;
    vi.spyOn(table as Record<string, (...args: unknown[]) => unknown>, key).mockImplementation(
      (...args: unknown[]) => {
        calls.push(`${key}(${String(args[0])})`);
        return (original as (...a: unknown[]) => unknown)(...args);
      },
    );
  }
  try {
    return { result: run(), calls };
  } finally {
    vi.restoreAllMocks();
  }
}

let source: RecordingFactory;

beforeEach(() => {
  source = recordingFactory('source');
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const root of made.splice(0)) {
    fs.chmodSync(root, 0o700);
    for (const entry of fs.readdirSync(root)) {
      try {
        fs.chmodSync(join(root, entry), 0o700);
      } catch {
        // a dangling link or a file: nothing to restore
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------------------------ construction

describe('construction and the path hook (FileFinder._fill_cache)', () => {
  it('takes the absolute current directory for an empty path', () => {
    expect(new FileFinder('', [source, ['.ts']]).path).toBe(process.cwd());
  });

  it("takes the absolute current directory for '.'", () => {
    expect(new FileFinder('.', [source, ['.ts']]).path).toBe(process.cwd());
  });

  it('makes a relative path absolute', () => {
    expect(new FileFinder('some/where', [source, ['.ts']]).path).toBe(join(process.cwd(), 'some/where'));
  });

  it('names its folder in toString()', () => {
    const root = tmpTree();
    expect(String(new FileFinder(root, [source, ['.ts']]))).toBe(`FileFinder('${root}')`);
  });

  it('accepts options before the loader details', () => {
    const root = tmpTree(['mod.ts']);
    const listings = new ListingCache();
    const finder = new FileFinder(root, { listings }, [source, ['.ts']]);
    expect(finder.findSpec('mod')?.origin).toBe(join(root, 'mod.ts'));
    expect(finder.listings).toBe(listings);
  });

  it('the path hook makes a FileFinder for a folder', () => {
    const root = tmpTree();
    const finder = FileFinder.pathHook([source, ['.ts']])(root);
    expect(finder).toBeInstanceOf(FileFinder);
    expect((finder as FileFinder).path).toBe(root);
  });

  it("the path hook refuses a file with ImportError('only directories are supported') naming the path", () => {
    const root = tmpTree(['mod.ts']);
    const file = join(root, 'mod.ts');
    let thrown: unknown;
    try {
      FileFinder.pathHook([source, ['.ts']])(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ImportError);
    expect((thrown as ImportError).message).toBe('only directories are supported');
    expect((thrown as ImportError).path).toBe(file);
  });

  it('the path hook refuses a missing path with an ImportError', () => {
    const root = tmpTree();
    expect(() => FileFinder.pathHook([source, ['.ts']])(join(root, 'gone'))).toThrow(ImportError);
  });

  it('a system asks the next path hook when the FileFinder hook declines an entry', () => {
    const root = tmpTree(['archive.zip']);
    const entry = join(root, 'archive.zip');
    const asked: string[] = [];
    const other: PathHook = (path): PathEntryFinder => {
      asked.push(path);
      return { findSpec: () => null };
    };
    const system = new ImportSystem({ path: [entry] });
    system.pathHooks = [FileFinder.pathHook([source, ['.ts']]), other];
    expect(() => system.importModule('mod')).toThrow(ModuleNotFoundError);
    expect(asked).toEqual([entry]);
  });

  it('the path hook takes a folder its shared listing already holds, with no system call', () => {
    const root = tmpTree(['pkg/__init__.ts']);
    const hook = FileFinder.pathHook({ listings: new ListingCache() }, [source, ['.ts']]);
    (hook(root) as FileFinder).findSpec('pkg'); // lists root: pkg is a folder
    const { result, calls } = fsCalls(() => hook(join(root, 'pkg')));
    expect(result).toBeInstanceOf(FileFinder);
    expect(calls).toEqual([]);
  });

  it('the finders one path hook makes share one listing cache', () => {
    const root = tmpTree(['pkg/']);
    const hook = FileFinder.pathHook([source, ['.ts']]);
    const a = hook(root) as FileFinder;
    const b = hook(join(root, 'pkg')) as FileFinder;
    expect(a.listings).toBe(b.listings);
  });
});

// ---------------------------------------------------------------------------------- listing cache

describe('the listing cache (FileFinder._fill_cache, test_namespace_pkgs.test_invalidate_caches)', () => {
  it('knows what an entry of a listed folder is, with no system call (knownKind)', () => {
    const root = tmpTree(['pkg/__init__.ts', 'mod.ts']);
    const listings = new ListingCache();
    expect(listings.knownKind(join(root, 'pkg'))).toBeUndefined(); // not listed yet
    listings.read(root);
    const { result, calls } = fsCalls(() => [
      listings.knownKind(join(root, 'pkg')),
      listings.knownKind(join(root, 'mod.ts')),
      listings.knownKind(join(root, 'absent')),
    ]);
    expect(result).toEqual(['dir', 'file', undefined]);
    expect(calls).toEqual([]);
  });

  it('with a checkId, stats a folder once per id instead of on every read', () => {
    const root = tmpTree(['mod.ts']);
    let id: number | null = 1;
    const listings = new ListingCache({ checkId: () => id });
    listings.read(root);
    const same = fsCalls(() => [listings.read(root), listings.read(root)]);
    expect(same.calls).toEqual([]);
    id = 2;
    const next = fsCalls(() => [listings.read(root), listings.read(root)]);
    expect(next.calls).toEqual([`statSync(${root})`]);
    id = null; // no outer import: every read checks, as Python does
    const none = fsCalls(() => [listings.read(root), listings.read(root)]);
    expect(none.calls).toEqual([`statSync(${root})`, `statSync(${root})`]);
  });

  it('with a checkId, sees a file added under the same id only after invalidate()', () => {
    const root = tmpTree(['mod.ts']);
    const listings = new ListingCache({ checkId: () => 7 });
    listings.read(root);
    fs.writeFileSync(join(root, 'late.ts'), '');
    expect(listings.read(root).has('late.ts')).toBe(false);
    listings.invalidate(root);
    expect(listings.read(root).has('late.ts')).toBe(true);
  });

  it('forgets what it knew of a folder after invalidate()', () => {
    const root = tmpTree(['pkg/__init__.ts']);
    const listings = new ListingCache();
    listings.read(root);
    listings.invalidate();
    expect(listings.knownKind(join(root, 'pkg'))).toBeUndefined();
  });

  it('lists its folder once for many lookups', () => {
    const root = tmpTree(['a.ts', 'b.ts', 'pkg/__init__.ts']);
    const finder = new FileFinder(root, [source, ['.ts']]);
    const readdir = vi.spyOn(fs, 'readdirSync');
    for (const name of ['a', 'b', 'missing', 'a', 'x.y.b', 'nothing']) finder.findSpec(name);
    const ofRoot = readdir.mock.calls.filter(([path]) => path === root);
    expect(ofRoot).toHaveLength(1);
  });

  it('makes one stat of its folder and no other system call to find a plain module', () => {
    const root = tmpTree(['mod.ts', 'other.ts', 'pkg/__init__.ts']);
    const finder = new FileFinder(root, [source, ['.tsx', '.ts', '.js']]);
    finder.findSpec('other'); // the listing is read here
    const { result, calls } = fsCalls(() => finder.findSpec('mod'));
    expect(result?.origin).toBe(join(root, 'mod.ts'));
    expect(calls).toEqual([`statSync(${root})`]);
  });

  it('makes one stat of its folder and no other system call to find nothing', () => {
    const root = tmpTree(['mod.ts']);
    const finder = new FileFinder(root, [source, ['.tsx', '.ts', '.js']]);
    finder.findSpec('mod');
    const { result, calls } = fsCalls(() => finder.findSpec('absent'));
    expect(result).toBeNull();
    expect(calls).toEqual([`statSync(${root})`]);
  });

  it('makes one stat of its folder and one of the package folder to find a package', () => {
    const root = tmpTree(['pkg/__init__.ts']);
    const finder = new FileFinder(root, [source, ['.ts', '.js']]);
    finder.findSpec('pkg'); // both listings are read here
    const { result, calls } = fsCalls(() => finder.findSpec('pkg'));
    expect(result?.origin).toBe(join(root, 'pkg', '__init__.ts'));
    expect(calls).toEqual([`statSync(${root})`, `statSync(${join(root, 'pkg')})`]);
  });

  it('lists its folder again when the folder mtime changes', () => {
    const root = tmpTree(['a.ts']);
    pinMtime(root, 1_000_000_000);
    const finder = new FileFinder(root, [source, ['.ts']]);
    expect(finder.findSpec('b')).toBeNull();
    addFiles(root, ['b.ts']);
    pinMtime(root, 1_000_000_001);
    expect(finder.findSpec('b')?.origin).toBe(join(root, 'b.ts'));
  });

  it('keeps a file created within the same mtime tick invisible', () => {
    const root = tmpTree(['a.ts']);
    pinMtime(root);
    const finder = new FileFinder(root, [source, ['.ts']]);
    expect(finder.findSpec('a')).not.toBeNull();
    addFiles(root, ['b.ts']);
    pinMtime(root); // the folder's mtime looks unchanged
    expect(finder.findSpec('b')).toBeNull();
  });

  it('sees a file created within the same mtime tick after invalidateCaches()', () => {
    const root = tmpTree(['a.ts']);
    pinMtime(root);
    const finder = new FileFinder(root, [source, ['.ts']]);
    finder.findSpec('a');
    addFiles(root, ['b.ts']);
    pinMtime(root);
    finder.invalidateCaches();
    expect(finder.findSpec('b')?.origin).toBe(join(root, 'b.ts'));
  });

  it('imports a file created within the same mtime tick after system.invalidateCaches()', () => {
    const root = tmpTree(['a.ts']);
    pinMtime(root);
    const system = fileSystem([root], [source, ['.ts']]);
    system.importModule('a');
    addFiles(root, ['b.ts']);
    pinMtime(root);
    expect(() => system.importModule('b')).toThrow(ModuleNotFoundError);
    system.invalidateCaches();
    expect((system.importModule('b') as ModuleType).loadedFrom).toBe(join(root, 'b.ts'));
  });

  it('invalidateCaches() also forgets the listings of package folders below its own', () => {
    const root = tmpTree(['pkg/']);
    const pkg = join(root, 'pkg');
    pinMtime(pkg);
    const finder = new FileFinder(root, [source, ['.ts']]);
    expect(finder.findSpec('pkg')?.loader).toBeNull(); // a namespace portion, for now
    addFiles(root, ['pkg/__init__.ts']);
    pinMtime(pkg);
    finder.invalidateCaches();
    expect(finder.findSpec('pkg')?.origin).toBe(join(pkg, '__init__.ts'));
  });

  it("reuses the listing of a package's folder when the package's submodules are imported", () => {
    const root = tmpTree(['pkg/__init__.ts', 'pkg/sub.ts', 'pkg/other.ts']);
    const system = fileSystem([root], [source, ['.ts']]);
    const readdir = vi.spyOn(fs, 'readdirSync');
    system.importModule('pkg.sub');
    system.importModule('pkg.other');
    expect(readdir.mock.calls.map(([path]) => path)).toEqual([root, join(root, 'pkg')]);
  });
});

// ------------------------------------------------------------------------------------ loader order

describe('loader and suffix order (_get_supported_file_loaders, SourcelessFileLoader)', () => {
  it("tries one detail's suffixes in the order given", () => {
    const root = tmpTree(['mod.ts', 'mod.js']);
    expect(new FileFinder(root, [source, ['.ts', '.js']]).findSpec('mod')?.origin).toBe(join(root, 'mod.ts'));
    expect(new FileFinder(root, [source, ['.js', '.ts']]).findSpec('mod')?.origin).toBe(join(root, 'mod.js'));
  });

  it('tries the loader details in the order given', () => {
    const root = tmpTree(['mod.node', 'mod.ts']);
    const extension = recordingFactory('extension');
    const finder = new FileFinder(root, [extension, ['.node']], [source, ['.ts']]);
    expect(loaderOf(finder.findSpec('mod'))?.tag).toBe('extension');
  });

  it('finds a compiled-only module when no source sits next to it', () => {
    const root = tmpTree(['mod.jsc']);
    const compiled = recordingFactory('compiled');
    const finder = new FileFinder(root, [source, ['.ts']], [compiled, ['.jsc']]);
    expect(loaderOf(finder.findSpec('mod'))?.tag).toBe('compiled');
  });

  it('prefers the source to a compiled-only file next to it', () => {
    const root = tmpTree(['mod.jsc', 'mod.ts']);
    const compiled = recordingFactory('compiled');
    const finder = new FileFinder(root, [source, ['.ts']], [compiled, ['.jsc']]);
    expect(loaderOf(finder.findSpec('mod'))?.tag).toBe('source');
  });

  it("builds a module's spec from the factory's loader, with the absolute file as origin", () => {
    const root = tmpTree(['mod.ts']);
    const spec = new FileFinder(root, [source, ['.ts']]).findSpec('mod');
    const file = join(root, 'mod.ts');
    expect(source.calls).toEqual([['mod', file]]);
    expect(loaderOf(spec)?.file).toBe(file);
    expect(spec?.origin).toBe(file);
    expect(spec?.hasLocation).toBe(true);
    expect(spec?.submoduleSearchLocations).toBeNull();
  });

  it('ignores files with a suffix no detail lists', () => {
    const root = tmpTree(['mod.txt', 'mod']);
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('mod')).toBeNull();
  });

  it('ignores a folder named like a module file', () => {
    const root = tmpTree(['mod.ts/']);
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('mod')).toBeNull();
  });

  it('follows a symbolic link to a module file', () => {
    const root = tmpTree(['real.ts']);
    fs.symlinkSync(join(root, 'real.ts'), join(root, 'alias.ts'));
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('alias')?.origin).toBe(join(root, 'alias.ts'));
  });

  it('finds nothing through a dangling symbolic link', () => {
    const root = tmpTree();
    fs.symlinkSync(join(root, 'nowhere.ts'), join(root, 'alias.ts'));
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('alias')).toBeNull();
  });
});

// -------------------------------------------------------------------------------------- precedence

describe('precedence (test_finder.test_package_over_module)', () => {
  it('prefers a package folder to a module of the same name', () => {
    const root = tmpTree(['thing.ts', 'thing/__init__.ts']);
    const spec = new FileFinder(root, [source, ['.ts']]).findSpec('thing');
    expect(spec?.origin).toBe(join(root, 'thing', '__init__.ts'));
  });

  it("gives a package's spec the package folder as its search location", () => {
    const root = tmpTree(['pkg/__init__.ts']);
    const spec = new FileFinder(root, [source, ['.ts']]).findSpec('pkg');
    expect(spec?.submoduleSearchLocations).toEqual([join(root, 'pkg')]);
    expect(source.calls).toEqual([['pkg', join(root, 'pkg', '__init__.ts')]]);
  });

  it('takes a folder holding index<suffix> as a package', () => {
    const root = tmpTree(['pkg/index.js']);
    const spec = new FileFinder(root, [source, ['.ts', '.js']]).findSpec('pkg');
    expect(spec?.origin).toBe(join(root, 'pkg', 'index.js'));
    expect(spec?.submoduleSearchLocations).toEqual([join(root, 'pkg')]);
  });

  it('prefers __init__ to index whatever their suffixes', () => {
    const root = tmpTree(['pkg/index.ts', 'pkg/__init__.js']);
    const spec = new FileFinder(root, [source, ['.ts', '.js']]).findSpec('pkg');
    expect(spec?.origin).toBe(join(root, 'pkg', '__init__.js'));
  });

  it('prefers a module to a namespace folder of the same name', () => {
    const root = tmpTree(['thing.ts', 'thing/other.ts']);
    const spec = new FileFinder(root, [source, ['.ts']]).findSpec('thing');
    expect(spec?.origin).toBe(join(root, 'thing.ts'));
  });

  it('gives a namespace portion for a folder with neither __init__ nor index', () => {
    const root = tmpTree(['ns/mod.ts']);
    const spec = new FileFinder(root, [source, ['.ts']]).findSpec('ns');
    expect(spec?.loader).toBeNull();
    expect(spec?.origin).toBeNull();
    expect(spec?.submoduleSearchLocations).toEqual([join(root, 'ns')]);
  });

  it('imports a package and its submodule from folders', () => {
    const root = tmpTree(['pkg/__init__.ts', 'pkg/sub.ts']);
    const system = fileSystem([root], [source, ['.ts']]);
    const sub = system.importModule('pkg.sub') as ModuleType;
    expect(sub.loadedFrom).toBe(join(root, 'pkg', 'sub.ts'));
    expect(sub.__name__).toBe('pkg.sub');
  });
});

// ------------------------------------------------------------------------------ namespace packages

describe('namespace portions across path entries (_NamespacePath, PathFinder._get_spec: loader wins)', () => {
  it("merges the portions of two path entries into one package's __path__, in path order", () => {
    const first = tmpTree(['ns/one.ts']);
    const second = tmpTree(['ns/two.ts']);
    const system = fileSystem([first, second], [source, ['.ts']]);
    const ns = system.importModule('ns') as ModuleType;
    expect([...(ns.__path__ ?? [])]).toEqual([join(first, 'ns'), join(second, 'ns')]);
    expect((system.importModule('ns.two') as ModuleType).loadedFrom).toBe(join(second, 'ns', 'two.ts'));
  });

  it('lets a regular package on a later path entry win over earlier portions', () => {
    const first = tmpTree(['ns/one.ts']);
    const second = tmpTree(['ns/__init__.ts']);
    const system = fileSystem([first, second], [source, ['.ts']]);
    const ns = system.importModule('ns') as ModuleType;
    expect(ns.loadedFrom).toBe(join(second, 'ns', '__init__.ts'));
    expect([...(ns.__path__ ?? [])]).toEqual([join(second, 'ns')]);
  });
});

// ------------------------------------------------------------------------------- names and files

describe('names and files: exact case (test_case_sensitivity), and the %2E escape', () => {
  it('matches exact case: Foo.ts is not the module foo', () => {
    const root = tmpTree(['Foo.ts']);
    const finder = new FileFinder(root, [source, ['.ts']]);
    expect(finder.findSpec('foo')).toBeNull();
    expect(finder.findSpec('Foo')?.origin).toBe(join(root, 'Foo.ts'));
  });

  it('matches the suffix in exact case: mod.TS is not found with the suffix .ts', () => {
    const root = tmpTree(['mod.TS']);
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('mod')).toBeNull();
  });

  it('imports app.module.ts as app%2Emodule', () => {
    const root = tmpTree(['src/app.module.ts']);
    const system = fileSystem([root], [source, ['.ts']]);
    const module = system.importModule('src.app%2Emodule') as ModuleType;
    expect(module.__name__).toBe('src.app%2Emodule');
    expect(module.__file__).toBe(join(root, 'src', 'app.module.ts'));
  });

  it('finds a file whose name holds a % through the %25 escape', () => {
    const root = tmpTree(['50%off.ts']);
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('50%25off')?.origin).toBe(
      join(root, '50%off.ts'),
    );
  });

  it('finds nothing for a spelling of a segment other than its canonical one', () => {
    const root = tmpTree(['app.module.ts', '50%off.ts']);
    const finder = new FileFinder(root, [source, ['.ts']]);
    expect(finder.findSpec('app%2emodule')).toBeNull();
    expect(finder.findSpec('50%off')).toBeNull();
  });

  it('never imports a file whose name holds a backslash', () => {
    const root = tmpTree(['a\\b.ts']);
    const system = fileSystem([root], [source, ['.ts']]);
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('a\\b')).toBeNull();
    expect(() => system.importModule('a\\b')).toThrow(InvalidModuleNameError);
  });

  it('finds nothing for an empty last segment', () => {
    const root = tmpTree(['.ts']);
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('pkg.')).toBeNull();
  });
});

// -------------------------------------------------------------------- missing and unreadable folders

describe('missing, unreadable and replaced folders (test_finder.test_dir_removal_handling)', () => {
  it('finds nothing, without throwing, in a folder that does not exist', () => {
    const root = tmpTree();
    expect(new FileFinder(join(root, 'gone'), [source, ['.ts']]).findSpec('mod')).toBeNull();
  });

  it('finds nothing once its folder is removed', () => {
    const root = tmpTree(['dir/mod.ts']);
    const finder = new FileFinder(join(root, 'dir'), [source, ['.ts']]);
    expect(finder.findSpec('mod')).not.toBeNull();
    fs.rmSync(join(root, 'dir'), { recursive: true });
    expect(finder.findSpec('mod')).toBeNull();
  });

  it('finds nothing once its folder is replaced by a file', () => {
    const root = tmpTree(['dir/mod.ts']);
    const finder = new FileFinder(join(root, 'dir'), [source, ['.ts']]);
    finder.findSpec('mod');
    fs.rmSync(join(root, 'dir'), { recursive: true });
    fs.writeFileSync(join(root, 'dir'), '');
    expect(finder.findSpec('mod')).toBeNull();
  });

  it('finds its modules again when a removed folder comes back', () => {
    const root = tmpTree(['dir/mod.ts']);
    const finder = new FileFinder(join(root, 'dir'), [source, ['.ts']]);
    fs.rmSync(join(root, 'dir'), { recursive: true });
    expect(finder.findSpec('mod')).toBeNull();
    addFiles(root, ['dir/mod.ts']);
    expect(finder.findSpec('mod')?.origin).toBe(join(root, 'dir', 'mod.ts'));
  });

  it('finds in a folder without read permission exactly what this process can list there', () => {
    const root = tmpTree(['locked/mod.ts']);
    const locked = join(root, 'locked');
    fs.chmodSync(locked, 0o000);
    const readable = canListDespiteMode(locked); // true when running as root
    const spec = new FileFinder(locked, [source, ['.ts']]).findSpec('mod');
    expect(spec === null).toBe(!readable);
  });

  it('reads a folder whose listing is refused (EACCES) as empty', () => {
    const root = tmpTree(['mod.ts']);
    vi.spyOn(fs, 'readdirSync').mockImplementation(() => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('mod')).toBeNull();
  });

  it('lets an unexpected listing error (EIO) through', () => {
    const root = tmpTree(['mod.ts']);
    vi.spyOn(fs, 'readdirSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    });
    expect(() => new FileFinder(root, [source, ['.ts']]).findSpec('mod')).toThrow('EIO');
  });

  it('treats a package folder that cannot be listed as holding nothing: a namespace portion', () => {
    const root = tmpTree(['pkg/__init__.ts']);
    const pkg = join(root, 'pkg');
    const real = fs.readdirSync;
    vi.spyOn(fs, 'readdirSync').mockImplementation(((path: fs.PathLike, options?: unknown) => {
      if (path === pkg) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return real(path, options as never);
    }) as never);
    expect(new FileFinder(root, [source, ['.ts']]).findSpec('pkg')?.loader).toBeNull();
  });
});

// ----------------------------------------------------------------------------------------- tracing

describe('tracing', () => {
  it("reports Python's 'trying' and 'possible namespace' lines to its trace option", () => {
    const root = tmpTree(['ns/']);
    const lines: [string, number][] = [];
    const finder = new FileFinder(root, { trace: (message, level) => lines.push([message, level]) }, [
      source,
      ['.ts', '.js'],
    ]);
    finder.findSpec('ns');
    expect(lines).toEqual([
      [`trying ${join(root, 'ns.ts')}`, 2],
      [`trying ${join(root, 'ns.js')}`, 2],
      [`possible namespace for ${join(root, 'ns')}`, 1],
    ]);
  });
});
