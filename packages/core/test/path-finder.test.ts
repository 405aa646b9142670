// PathFinder, path hooks and the path-importer cache (docs/conformance.md#path-finder; CPython
// `PathFinder._path_hooks`, `_path_importer_cache`, `_get_spec`, `find_spec`, `invalidate_caches`;
// `import.c` `get_path_importer`; tests: `import_/test_path.py`). NullImporter is in
// @importlib/compat.
import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  ErrorCodes,
  ImportError,
  ImportStateError,
  ImportSystem,
  ModuleNotFoundError,
  ModuleSpec,
  NamespacePath,
  PathFinder,
  type ImportEvent,
  type Loader,
  type MetaPathFinder,
  type PathEntryFinder,
  type PathFinderHost,
  type PathHook,
} from '@importlib/core';

import { BodyLoader, MemoryEntryFinder, memoryPathHook, recordEvents, type ModuleDef } from './helpers.js';

type Tree = Record<string, Record<string, ModuleDef>>;

/** A system searching `path` through one memory path hook over `tree`. */
function pathSystem(
  tree: Tree,
  path: string[],
): { system: ImportSystem; hook: ReturnType<typeof memoryPathHook> } {
  const system = new ImportSystem({ path });
  const hook = memoryPathHook(system, tree);
  system.pathHooks = [hook];
  return { system, hook };
}

/** A path-entry finder that records what it is asked and answers with `answer(name)`. */
function entryFinder(answer: (name: string) => ModuleSpec | null | undefined): PathEntryFinder & {
  asked: string[];
  invalidated: number;
} {
  const finder = {
    asked: [] as string[],
    invalidated: 0,
    findSpec(name: string): ModuleSpec | null | undefined {
      finder.asked.push(name);
      return answer(name);
    },
    invalidateCaches(): void {
      finder.invalidated++;
    },
  };
  return finder;
}

const noop = (): void => undefined;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('which path is searched (PathFinder.find_spec)', () => {
  it('searches system.path in order when no path is given', () => {
    const { system, hook } = pathSystem({ '/a': {}, '/b': { mod: noop } }, ['/a', '/b']);
    const spec = system.pathFinder.findSpec('mod');
    expect(spec?.origin).toBe('/b/mod');
    expect(hook.calls).toEqual(['/a', '/b']);
  });

  it('stops at the first entry that has the module', () => {
    const { system, hook } = pathSystem({ '/a': { mod: noop }, '/b': { mod: noop } }, ['/a', '/b']);
    expect(system.pathFinder.findSpec('mod')?.origin).toBe('/a/mod');
    expect(hook.calls).toEqual(['/a']);
  });

  it('searches the path it is given instead of system.path', () => {
    const { system, hook } = pathSystem({ '/a': { mod: noop }, '/b': { mod: noop } }, ['/a']);
    expect(system.pathFinder.findSpec('mod', ['/b'])?.origin).toBe('/b/mod');
    expect(hook.calls).toEqual(['/b']);
  });

  it('searches nothing and returns null for an empty path', () => {
    const { system, hook } = pathSystem({ '/a': { mod: noop } }, ['/a']);
    expect(system.pathFinder.findSpec('mod', [])).toBeNull();
    expect(hook.calls).toEqual([]);
  });

  it('returns null when no entry has the module', () => {
    const { system } = pathSystem({ '/a': {}, '/b': {} }, ['/a', '/b']);
    expect(system.pathFinder.findSpec('missing')).toBeNull();
  });

  it('skips entries that are not strings', () => {
    const { system, hook } = pathSystem({ '/a': { mod: noop } }, []);
    system.path = [null, 42, Buffer.from('/a'), undefined, '/a'] as unknown as string[];
    expect(system.pathFinder.findSpec('mod')?.origin).toBe('/a/mod');
    expect(hook.calls).toEqual(['/a']);
  });

  it('imports normally with null as the first entry of system.path', () => {
    const { system } = pathSystem({ '/a': { mod: (m) => (m.ok = true) } }, []);
    system.path = [null, '/a'] as unknown as string[];
    expect(system.importModule('mod')).toMatchObject({ ok: true });
  });

  it('is the only finder on the meta path of a fresh system, which has no path hooks', () => {
    const system = new ImportSystem();
    expect(system.metaPath).toEqual([system.pathFinder]);
    expect(system.pathHooks).toEqual([]);
    expect(system.pathImporterCache.size).toBe(0);
  });

  it('is what importModule uses to find a top-level module on system.path', () => {
    const { system } = pathSystem({ '/a': { mod: (m) => (m.value = 1) } }, ['/a']);
    const module = system.importModule('mod') as { value?: number; __file__?: string };
    expect(module.value).toBe(1);
    expect(module.__file__).toBe('/a/mod');
  });
});

describe("the '' entry (PathFinder._path_importer_cache)", () => {
  it('is looked up in the cache, and given to the hooks, as the current directory', () => {
    vi.spyOn(process, 'cwd').mockReturnValue('/cwd');
    const { system, hook } = pathSystem({ '/cwd': { mod: noop } }, ['']);
    expect(system.pathFinder.findSpec('mod')?.origin).toBe('/cwd/mod');
    expect(hook.calls).toEqual(['/cwd']);
    expect([...system.pathImporterCache.keys()]).toEqual(['/cwd']);
  });

  it('gives no finder and caches nothing when the current directory cannot be read', () => {
    vi.spyOn(process, 'cwd').mockImplementation(() => {
      throw Object.assign(new Error('ENOENT: no such file or directory, uv_cwd'), { code: 'ENOENT' });
    });
    const { system, hook } = pathSystem({ '/cwd': { mod: noop } }, ['']);
    expect(system.pathFinder.finderFor('')).toBeNull();
    expect(system.pathFinder.findSpec('mod')).toBeNull();
    expect(hook.calls).toEqual([]);
    expect(system.pathImporterCache.size).toBe(0);
  });

  it('works again once the current directory is back', () => {
    const cwd = vi.spyOn(process, 'cwd').mockImplementation(() => {
      throw new Error('EACCES');
    });
    const { system } = pathSystem({ '/cwd': { mod: noop } }, ['']);
    expect(system.pathFinder.findSpec('mod')).toBeNull();
    cwd.mockReturnValue('/cwd');
    expect(system.pathFinder.findSpec('mod')?.origin).toBe('/cwd/mod');
  });
});

describe('path hooks and the path-importer cache (PathFinder._path_hooks)', () => {
  it('asks the hooks in order and takes the first finder offered', () => {
    const calls: string[] = [];
    const finder = entryFinder(() => null);
    const decline: PathHook = (entry) => {
      calls.push('decline');
      throw new ImportError('not mine', { path: entry });
    };
    const accept: PathHook = () => {
      calls.push('accept');
      return finder;
    };
    const never: PathHook = () => {
      calls.push('never');
      return entryFinder(() => null);
    };
    const system = new ImportSystem({ pathHooks: [decline, accept, never] });
    expect(system.pathFinder.finderFor('/a')).toBe(finder);
    expect(calls).toEqual(['decline', 'accept']);
  });

  it('treats a ModuleNotFoundError from a hook as declining too', () => {
    const finder = entryFinder(() => null);
    const system = new ImportSystem({
      pathHooks: [
        () => {
          throw new ModuleNotFoundError('no');
        },
        () => finder,
      ],
    });
    expect(system.pathFinder.finderFor('/a')).toBe(finder);
  });

  it('lets an error other than ImportError propagate out of the import', () => {
    const system = new ImportSystem({
      path: ['/a'],
      pathHooks: [
        () => {
          throw new RangeError('hook broke');
        },
      ],
    });
    expect(() => system.importModule('mod')).toThrow(RangeError);
  });

  it('caches nothing for an entry whose hook threw an error other than ImportError', () => {
    const system = new ImportSystem({
      pathHooks: [
        () => {
          throw new RangeError('hook broke');
        },
      ],
    });
    expect(() => system.pathFinder.finderFor('/a')).toThrow(RangeError);
    expect(system.pathImporterCache.has('/a')).toBe(false);
  });

  it('stores the finder in pathImporterCache under the entry', () => {
    const { system } = pathSystem({ '/a': { mod: noop } }, ['/a']);
    system.pathFinder.findSpec('mod');
    expect(system.pathImporterCache.get('/a')).toBeInstanceOf(MemoryEntryFinder);
  });

  it('reuses the cached finder instead of asking the hooks again', () => {
    const { system, hook } = pathSystem({ '/a': { one: noop, two: noop } }, ['/a']);
    system.importModule('one');
    system.importModule('two');
    expect(hook.calls).toEqual(['/a']);
  });

  it('uses a finder put into the cache by hand without asking any hook', () => {
    const { system, hook } = pathSystem({}, ['/x']);
    const loader = new BodyLoader(system, noop);
    system.pathImporterCache.set(
      '/x',
      entryFinder((name) => new ModuleSpec(name, loader)),
    );
    expect(system.pathFinder.findSpec('mod')?.loader).toBe(loader);
    expect(hook.calls).toEqual([]);
  });

  it('caches null for an entry no hook accepts', () => {
    const { system } = pathSystem({}, ['/nowhere']);
    expect(system.pathFinder.findSpec('mod')).toBeNull();
    expect(system.pathImporterCache.has('/nowhere')).toBe(true);
    expect(system.pathImporterCache.get('/nowhere')).toBeNull();
  });

  it('skips an entry cached as null without asking the hooks again', () => {
    const { system, hook } = pathSystem({ '/a': { mod: noop } }, ['/a']);
    system.pathImporterCache.set('/a', null);
    expect(system.pathFinder.findSpec('mod')).toBeNull();
    expect(hook.calls).toEqual([]);
  });

  it('does not retry an entry after no hook accepted it', () => {
    const { system, hook } = pathSystem({}, ['/nowhere']);
    system.pathFinder.findSpec('one');
    system.pathFinder.findSpec('two');
    expect(hook.calls).toEqual(['/nowhere']);
  });

  it('reports an ImportWarning and caches null when pathHooks is empty', () => {
    const system = new ImportSystem({ path: ['/a'] });
    const events = recordEvents(system);
    expect(system.pathFinder.findSpec('mod')).toBeNull();
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        category: 'ImportWarning',
        message: expect.stringMatching(/pathHooks is empty/) as unknown,
      }),
    );
    expect(system.pathImporterCache.get('/a')).toBeNull();
  });
});

describe('the finder of one entry, as PyImport_GetImporter', () => {
  it('fails with ImportStateError when pathHooks is not an array', () => {
    const system = new ImportSystem({ path: ['/a'] });
    system.pathHooks = {} as unknown as PathHook[];
    expect(() => system.pathFinder.finderFor('/a')).toThrow(ImportStateError);
    expect(() => system.importModule('mod')).toThrow(
      expect.objectContaining({ code: ErrorCodes.BAD_STATE }) as unknown as Error,
    );
  });

  it('fails with ImportStateError when pathImporterCache is not a Map', () => {
    const { system } = pathSystem({ '/a': { mod: noop } }, ['/a']);
    system.pathImporterCache = {} as unknown as Map<string, PathEntryFinder | null>;
    expect(() => system.importModule('mod')).toThrow(ImportStateError);
    expect(() => system.pathFinder.finderFor('/a')).toThrow(
      expect.objectContaining({
        code: ErrorCodes.BAD_STATE,
        message: expect.stringMatching(/pathImporterCache/),
      }) as unknown as Error,
    );
  });

  it('gives a hook that asks for its own entry null instead of recursing', () => {
    const finder = entryFinder(() => null);
    let inner: PathEntryFinder | null | undefined;
    const system = new ImportSystem();
    system.pathHooks = [
      (entry) => {
        inner = system.pathFinder.finderFor(entry);
        return finder;
      },
    ];
    expect(system.pathFinder.finderFor('/a')).toBe(finder);
    expect(inner).toBeNull();
    expect(system.pathImporterCache.get('/a')).toBe(finder);
  });
});

describe('what each entry answers (PathFinder._get_spec)', () => {
  it('returns a spec with a loader at once, without asking later entries', () => {
    const loader: Loader = { createModule: () => null, execModule: noop };
    const first = entryFinder((name) => new ModuleSpec(name, loader));
    const second = entryFinder(() => null);
    const system = new ImportSystem({ path: ['/a', '/b'] });
    system.pathImporterCache.set('/a', first);
    system.pathImporterCache.set('/b', second);
    expect(system.pathFinder.findSpec('mod')?.loader).toBe(loader);
    expect(second.asked).toEqual([]);
  });

  it('goes on to the next entry when a finder answers null or undefined', () => {
    const system = new ImportSystem({ path: ['/a', '/b', '/c'] });
    const loader = new BodyLoader(system, noop);
    system.pathImporterCache.set(
      '/a',
      entryFinder(() => null),
    );
    system.pathImporterCache.set(
      '/b',
      entryFinder(() => undefined),
    );
    system.pathImporterCache.set(
      '/c',
      entryFinder((name) => new ModuleSpec(name, loader)),
    );
    expect(system.pathFinder.findSpec('mod')?.loader).toBe(loader);
  });

  it('gathers namespace portions from every entry, in path order', () => {
    const { system } = pathSystem({ '/a': { 'ns/': {} }, '/b': {}, '/c': { 'ns/': {} } }, ['/a', '/b', '/c']);
    const spec = system.pathFinder.findSpec('ns');
    expect(spec?.loader).toBeNull();
    expect(spec?.origin).toBeNull();
    expect(spec?.submoduleSearchLocations).toBeInstanceOf(NamespacePath);
    expect([...(spec?.submoduleSearchLocations ?? [])]).toEqual(['/a/ns', '/c/ns']);
  });

  it('keeps every location of a portion that has several', () => {
    const system = new ImportSystem({ path: ['/a', '/b'] });
    const portion = (locations: string[]) =>
      entryFinder((name) => {
        const spec = new ModuleSpec(name, null);
        spec.submoduleSearchLocations = locations;
        return spec;
      });
    system.pathImporterCache.set('/a', portion(['/a/ns', '/a/ns2']));
    system.pathImporterCache.set('/b', portion(['/b/ns']));
    expect([...(system.pathFinder.findSpec('ns')?.submoduleSearchLocations ?? [])]).toEqual([
      '/a/ns',
      '/a/ns2',
      '/b/ns',
    ]);
  });

  it("fails with ImportError('spec missing loader') for a spec with neither loader nor locations", () => {
    const system = new ImportSystem({ path: ['/a'] });
    system.pathImporterCache.set(
      '/a',
      entryFinder((name) => new ModuleSpec(name, null)),
    );
    expect(() => system.pathFinder.findSpec('mod')).toThrow(
      expect.objectContaining({
        code: ErrorCodes.IMPORT,
        moduleName: 'mod',
        message: expect.stringMatching(/spec missing loader/) as unknown,
      }) as unknown as Error,
    );
  });

  it('skips entries cached without a finder while gathering', () => {
    const { system } = pathSystem({ '/b': { mod: noop } }, ['/a', '/b']);
    system.pathImporterCache.set('/a', null);
    expect(system.pathFinder.findSpec('mod')?.origin).toBe('/b/mod');
  });

  it('hands the target module to the entry finder', () => {
    const seen: unknown[] = [];
    const system = new ImportSystem({ path: ['/a'] });
    system.pathImporterCache.set('/a', {
      findSpec: (_name, target) => {
        seen.push(target);
        return null;
      },
    });
    const target = system.addModule('mod');
    system.pathFinder.findSpec('mod', null, target);
    expect(seen).toEqual([target]);
  });
});

describe('legacy path-entry finders with only findModule', () => {
  it('builds the spec from the loader findModule returns', () => {
    const system = new ImportSystem({ path: ['/a'] });
    const loader: Loader = { createModule: () => null, execModule: noop, getFilename: () => '/a/mod.js' };
    const asked: string[] = [];
    system.pathImporterCache.set('/a', {
      findModule: (fullname) => {
        asked.push(fullname);
        return loader;
      },
    });
    const spec = system.pathFinder.findSpec('mod');
    expect(asked).toEqual(['mod']);
    expect(spec?.loader).toBe(loader);
    expect(spec?.origin).toBe('/a/mod.js');
    expect(spec?.hasLocation).toBe(true);
  });

  it('reports an ImportWarning that findSpec() was not found', () => {
    const system = new ImportSystem({ path: ['/a'] });
    system.pathImporterCache.set('/a', { findModule: () => null });
    const events = recordEvents(system);
    system.pathFinder.findSpec('mod');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        category: 'ImportWarning',
        message: expect.stringMatching(/findSpec\(\) not found; falling back to findModule\(\)/) as unknown,
      }),
    );
  });

  it('goes on to the next entry when findModule returns null', () => {
    const system = new ImportSystem({ path: ['/a', '/b'] });
    const loader = new BodyLoader(system, noop);
    system.pathImporterCache.set('/a', { findModule: () => null });
    system.pathImporterCache.set('/b', { findModule: () => loader });
    expect(system.pathFinder.findSpec('mod')?.loader).toBe(loader);
  });

  it('imports a module through such a finder', () => {
    const system = new ImportSystem({ path: ['/a'] });
    system.pathImporterCache.set('/a', {
      findModule: () => new BodyLoader(system, (m) => (m.legacy = true)),
    });
    expect(system.importModule('mod')).toMatchObject({ legacy: true });
  });

  it('skips a cached object that has neither findSpec nor findModule', () => {
    const { system } = pathSystem({ '/b': { mod: noop } }, ['/a', '/b']);
    system.pathImporterCache.set('/a', {});
    expect(system.pathFinder.findSpec('mod')?.origin).toBe('/b/mod');
  });
});

describe('invalidateCaches', () => {
  it('deletes the cache entries whose value is null', () => {
    const system = new ImportSystem();
    system.pathImporterCache.set('/none', null);
    system.pathFinder.invalidateCaches();
    expect(system.pathImporterCache.has('/none')).toBe(false);
  });

  it('deletes the entries keyed by a relative path, without invalidating their finders', () => {
    const system = new ImportSystem();
    const relative = entryFinder(() => null);
    system.pathImporterCache.set('rel/dir', relative);
    system.pathImporterCache.set(
      '.',
      entryFinder(() => null),
    );
    system.pathFinder.invalidateCaches();
    expect([...system.pathImporterCache.keys()]).toEqual([]);
    expect(relative.invalidated).toBe(0);
  });

  it('keeps absolute entries and calls invalidateCaches on their finders', () => {
    const system = new ImportSystem();
    const finder = entryFinder(() => null);
    system.pathImporterCache.set('/abs', finder);
    system.pathFinder.invalidateCaches();
    expect(system.pathImporterCache.get('/abs')).toBe(finder);
    expect(finder.invalidated).toBe(1);
  });

  it('keeps finders that have no invalidateCaches method', () => {
    const system = new ImportSystem();
    const finder: PathEntryFinder = { findSpec: () => null };
    system.pathImporterCache.set('/abs', finder);
    expect(() => system.pathFinder.invalidateCaches()).not.toThrow();
    expect(system.pathImporterCache.get('/abs')).toBe(finder);
  });

  it('makes an entry cached as null go through the hooks again', () => {
    const tree: Tree = {};
    const { system, hook } = pathSystem(tree, ['/late']);
    expect(system.pathFinder.findSpec('mod')).toBeNull();
    tree['/late'] = { mod: noop };
    expect(system.pathFinder.findSpec('mod')).toBeNull(); // still cached as null
    system.pathFinder.invalidateCaches();
    expect(system.pathFinder.findSpec('mod')?.origin).toBe('/late/mod');
    expect(hook.calls).toEqual(['/late', '/late']);
  });

  it('bumps the namespace epoch, so a namespace __path__ recomputes with the same parent path', () => {
    const tree: Tree = { '/a': { 'ns/': {} }, '/b': {} };
    const { system } = pathSystem(tree, ['/a', '/b']);
    const path = system.pathFinder.findSpec('ns')?.submoduleSearchLocations as NamespacePath;
    expect([...path]).toEqual(['/a/ns']);
    (tree['/b'] as Record<string, ModuleDef>)['ns/'] = {};
    expect([...path]).toEqual(['/a/ns']);
    system.pathFinder.invalidateCaches();
    expect([...path]).toEqual(['/a/ns', '/b/ns']);
  });

  it('is reached, with every other meta-path finder that has one, by system.invalidateCaches()', () => {
    const system = new ImportSystem();
    const counts: string[] = [];
    const other: MetaPathFinder = { findSpec: () => null, invalidateCaches: () => counts.push('other') };
    const without: MetaPathFinder = { findSpec: () => null };
    system.metaPath.push(other, without);
    const finder = entryFinder(() => null);
    system.pathImporterCache.set('/abs', finder);
    system.pathImporterCache.set('/none', null);
    system.invalidateCaches();
    expect(counts).toEqual(['other']);
    expect(finder.invalidated).toBe(1);
    expect(system.pathImporterCache.has('/none')).toBe(false);
  });
});

describe('PathFinder over a host that is not an ImportSystem (PathFinderHost)', () => {
  it('walks the host path through its hooks, caches the finder and reports through its tracing', () => {
    const events: ImportEvent[] = [];
    const system = new ImportSystem(); // only to build the memory finders' loaders
    const host: PathFinderHost = {
      path: ['/h'],
      pathHooks: [],
      pathImporterCache: new Map(),
      modules: new Map(),
      tracing: true,
      trace: (event) => void events.push(event),
      warn: () => undefined,
      verbose: () => undefined,
    };
    host.pathHooks.push(memoryPathHook(system, { '/h': { mod: () => undefined } }));
    const finder = new PathFinder(host);
    const spec = finder.findSpec('mod');
    expect(spec?.origin).toBe('/h/mod');
    expect(host.pathImporterCache.get('/h')).toBeInstanceOf(MemoryEntryFinder);
    expect(events).toContainEqual({ type: 'trying', name: 'mod', where: '/h' });
    expect(finder.findSpec('missing')).toBeNull();
  });
});
