// ModuleSpec and the helpers that build one (docs/conformance.md#specs; CPython `ModuleSpec`,
// `spec_from_loader`, `spec_from_file_location`, `_get_cached`; tests: `test_spec.py`).
import { dirname, resolve } from 'node:path';

import { describe, expect, it, vi } from 'vitest';

import { ImportError, ModuleSpec, specFromFileLocation, specFromLoader, type Loader } from '@importlib/core';

/** A loader whose compiled-cache file is `<origin>c`, counting the questions in `getCached.mock`. */
function cachingLoader(): Loader & {
  getCached: ReturnType<typeof vi.fn<(origin: string) => string | null>>;
} {
  return { getCached: vi.fn((origin: string) => `${origin}c`) };
}

/** A spec with a location, as a file finder builds one. */
function locatedSpec(name: string, loader: Loader | null, origin: string): ModuleSpec {
  const spec = new ModuleSpec(name, loader, { origin });
  spec.hasLocation = true;
  return spec;
}

describe('ModuleSpec constructor', () => {
  it('stores the name, the loader, the origin and the loader state it is given', () => {
    const loader: Loader = {};
    const state = { any: 'thing' };
    const spec = new ModuleSpec('a.b', loader, { origin: '/x/a/b.py', loaderState: state });
    expect(spec.name).toBe('a.b');
    expect(spec.loader).toBe(loader);
    expect(spec.origin).toBe('/x/a/b.py');
    expect(spec.loaderState).toBe(state);
  });

  it('defaults origin to null, hasLocation to false and initializing to false', () => {
    const spec = new ModuleSpec('a', null);
    expect(spec.origin).toBeNull();
    expect(spec.hasLocation).toBe(false);
    expect(spec.initializing).toBe(false);
    expect(spec.loaderState).toBeUndefined();
  });

  it('gives a package an empty submoduleSearchLocations list', () => {
    expect(new ModuleSpec('pkg', null, { isPackage: true }).submoduleSearchLocations).toEqual([]);
  });

  it('gives each package spec its own search-locations list', () => {
    const a = new ModuleSpec('a', null, { isPackage: true });
    const b = new ModuleSpec('b', null, { isPackage: true });
    expect(a.submoduleSearchLocations).not.toBe(b.submoduleSearchLocations);
  });

  it.each([
    ['isPackage: false', { isPackage: false }],
    ['isPackage: null', { isPackage: null }],
    ['no isPackage', {}],
  ])('leaves submoduleSearchLocations null with %s', (_label, options) => {
    expect(new ModuleSpec('mod', null, options).submoduleSearchLocations).toBeNull();
  });
});

describe('spec.parent (ModuleSpec)', () => {
  it('is the name itself for a package', () => {
    expect(new ModuleSpec('a.b', null, { isPackage: true }).parent).toBe('a.b');
  });

  it('is the name itself for a top-level package', () => {
    expect(new ModuleSpec('pkg', null, { isPackage: true }).parent).toBe('pkg');
  });

  it('is the name up to the last dot for a submodule', () => {
    expect(new ModuleSpec('a.b.c', null).parent).toBe('a.b');
  });

  it("is '' for a top-level module", () => {
    expect(new ModuleSpec('mod', null).parent).toBe('');
  });

  it('follows submoduleSearchLocations when they are assigned later', () => {
    const spec = new ModuleSpec('a.b', null);
    spec.submoduleSearchLocations = ['/x/a/b'];
    expect(spec.parent).toBe('a.b');
  });
});

describe('spec.cached', () => {
  it("asks the loader's getCached(origin) for a spec with a location", () => {
    const loader = cachingLoader();
    const spec = locatedSpec('mod', loader, '/x/mod.py');
    expect(spec.cached).toBe('/x/mod.pyc');
    expect(loader.getCached).toHaveBeenCalledWith('/x/mod.py');
  });

  it('is computed lazily, not when the spec is built', () => {
    const loader = cachingLoader();
    locatedSpec('mod', loader, '/x/mod.py');
    expect(loader.getCached).not.toHaveBeenCalled();
  });

  it('is computed once and then remembered', () => {
    const loader = cachingLoader();
    const spec = locatedSpec('mod', loader, '/x/mod.py');
    void spec.cached;
    void spec.cached;
    expect(loader.getCached).toHaveBeenCalledTimes(1);
  });

  it('is null for a spec with an origin but no location, without asking the loader', () => {
    const loader = cachingLoader();
    const spec = new ModuleSpec('sys', loader, { origin: 'built-in' });
    expect(spec.cached).toBeNull();
    expect(loader.getCached).not.toHaveBeenCalled();
  });

  it('is null for a spec with a location flag but no origin', () => {
    const loader = cachingLoader();
    const spec = new ModuleSpec('mod', loader);
    spec.hasLocation = true;
    expect(spec.cached).toBeNull();
    expect(loader.getCached).not.toHaveBeenCalled();
  });

  it('is null when the loader has no getCached (no compiled cache for this kind of file)', () => {
    expect(locatedSpec('mod', {}, '/x/mod.data').cached).toBeNull();
  });

  it('is null when getCached answers null (no cache tag)', () => {
    expect(locatedSpec('mod', { getCached: () => null }, '/x/mod.py').cached).toBeNull();
  });

  it('is computed once the location is set, even if it was read before', () => {
    // Python recomputes `cached` while it is None, so setting has_location later still gives a cache path.
    const loader = cachingLoader();
    const spec = new ModuleSpec('mod', loader, { origin: '/x/mod.py' });
    expect(spec.cached).toBeNull();
    spec.hasLocation = true;
    expect(spec.cached).toBe('/x/mod.pyc');
  });

  it('can be overridden by assignment, and the loader is then not asked', () => {
    const loader = cachingLoader();
    const spec = locatedSpec('mod', loader, '/x/mod.py');
    spec.cached = '/elsewhere/mod.pyc';
    expect(spec.cached).toBe('/elsewhere/mod.pyc');
    expect(loader.getCached).not.toHaveBeenCalled();
  });
});

describe('spec.equals (ModuleSpec.cached)', () => {
  const loader = cachingLoader();
  function make(): ModuleSpec {
    const spec = locatedSpec('a.b', loader, '/x/a/b.py');
    spec.submoduleSearchLocations = ['/x/a/b'];
    return spec;
  }

  it('holds for two specs built separately with the same fields', () => {
    expect(make().equals(make())).toBe(true);
  });

  it.each<[string, (spec: ModuleSpec) => void]>([
    ['name', (s) => (s.name = 'a.c')],
    ['loader', (s) => (s.loader = cachingLoader())],
    ['origin', (s) => (s.origin = '/y/a/b.py')],
    ['submoduleSearchLocations', (s) => (s.submoduleSearchLocations = ['/y/a/b'])],
    ['submoduleSearchLocations (null)', (s) => (s.submoduleSearchLocations = null)],
    ['cached', (s) => (s.cached = '/other.pyc')],
    [
      'hasLocation',
      (s) => {
        s.cached = '/x/a/b.pyc'; // pinned, so only hasLocation differs
        s.hasLocation = false;
      },
    ],
  ])('fails when %s differs', (_field, change) => {
    const other = make();
    change(other);
    expect(make().equals(other)).toBe(false);
  });

  it('compares search locations by content, not identity', () => {
    const a = make();
    const b = make();
    a.submoduleSearchLocations = ['/p', '/q'];
    b.submoduleSearchLocations = ['/p', '/q'];
    expect(a.equals(b)).toBe(true);
  });

  it('ignores loaderState and the initializing flag', () => {
    const other = make();
    other.loaderState = { different: true };
    other.initializing = true;
    expect(make().equals(other)).toBe(true);
  });

  it('is false against something that is not a spec', () => {
    const spec = make();
    expect(spec.equals({ ...spec, name: spec.name })).toBe(false);
    expect(spec.equals(null)).toBe(false);
  });
});

describe('specFromLoader', () => {
  it("takes the origin from the loader's ORIGIN when none is given", () => {
    const loader = { ORIGIN: 'built-in' } as Loader;
    const spec = specFromLoader('sys', loader);
    expect(spec.origin).toBe('built-in');
    expect(spec.hasLocation).toBe(false);
  });

  it("takes the origin from the loader's ORIGIN when origin is null (Python's None)", () => {
    const loader = { ORIGIN: 'frozen' } as Loader;
    expect(specFromLoader('mod', loader, { origin: null }).origin).toBe('frozen');
  });

  it('prefers an explicit origin over ORIGIN', () => {
    const loader = { ORIGIN: 'built-in' } as Loader;
    expect(specFromLoader('mod', loader, { origin: 'somewhere' }).origin).toBe('somewhere');
  });

  it('routes a loader with getFilename to a file-location spec', () => {
    const loader: Loader = { getFilename: vi.fn(() => '/x/mod.py') };
    const spec = specFromLoader('mod', loader);
    expect(loader.getFilename).toHaveBeenCalledWith('mod');
    expect(spec.origin).toBe('/x/mod.py');
    expect(spec.hasLocation).toBe(true);
    expect(spec.loader).toBe(loader);
  });

  it('makes the file name from getFilename absolute', () => {
    const spec = specFromLoader('mod', { getFilename: () => 'rel/mod.py' });
    expect(spec.origin).toBe(resolve('rel/mod.py'));
  });

  it('gives a package found through getFilename the directory of its file as search location', () => {
    const spec = specFromLoader('pkg', { getFilename: () => '/x/pkg/__init__.py', isPackage: () => true });
    expect(spec.submoduleSearchLocations).toEqual(['/x/pkg']);
  });

  it('lets isPackage: false win over the loader for a getFilename loader', () => {
    const spec = specFromLoader(
      'pkg',
      { getFilename: () => '/x/pkg/__init__.py', isPackage: () => true },
      { isPackage: false },
    );
    expect(spec.submoduleSearchLocations).toBeNull();
  });

  it('does not use getFilename when the loader has an ORIGIN', () => {
    const getFilename = vi.fn(() => '/x/mod.py');
    const spec = specFromLoader('mod', { ORIGIN: 'frozen', getFilename } as Loader);
    expect(getFilename).not.toHaveBeenCalled();
    expect(spec.hasLocation).toBe(false);
  });

  it('asks loader.isPackage(name) when isPackage is not given', () => {
    const isPackage = vi.fn(() => true);
    const spec = specFromLoader('pkg', { isPackage });
    expect(isPackage).toHaveBeenCalledWith('pkg');
    expect(spec.submoduleSearchLocations).toEqual([]);
  });

  it('treats an ImportError from loader.isPackage as "unknown": not a package', () => {
    const spec = specFromLoader('mod', {
      isPackage: () => {
        throw new ImportError('cannot tell');
      },
    });
    expect(spec.submoduleSearchLocations).toBeNull();
  });

  it('lets any other error from loader.isPackage propagate', () => {
    expect(() =>
      specFromLoader('mod', {
        isPackage: () => {
          throw new RangeError('boom');
        },
      }),
    ).toThrow(RangeError);
  });

  it('treats a loader without isPackage as a plain module', () => {
    expect(specFromLoader('mod', {}).submoduleSearchLocations).toBeNull();
  });

  it('uses an explicit isPackage without asking the loader', () => {
    const isPackage = vi.fn(() => false);
    const spec = specFromLoader('pkg', { isPackage }, { isPackage: true });
    expect(isPackage).not.toHaveBeenCalled();
    expect(spec.submoduleSearchLocations).toEqual([]);
  });
});

describe('specFromFileLocation', () => {
  it('makes a relative location absolute', () => {
    const spec = specFromFileLocation('mod', 'rel/mod.py', { loader: {} });
    expect(spec.origin).toBe(resolve('rel/mod.py'));
  });

  it('keeps an absolute location and sets hasLocation', () => {
    const loader: Loader = {};
    const spec = specFromFileLocation('mod', '/x/mod.py', { loader });
    expect(spec.origin).toBe('/x/mod.py');
    expect(spec.hasLocation).toBe(true);
    expect(spec.loader).toBe(loader);
    expect(spec.submoduleSearchLocations).toBeNull();
  });

  it('gives a package [dirname(location)] as search locations', () => {
    const spec = specFromFileLocation('pkg', '/x/pkg/__init__.py', { loader: {}, isPackage: true });
    expect(spec.submoduleSearchLocations).toEqual(['/x/pkg']);
    expect(spec.parent).toBe('pkg');
  });

  it('asks loader.isPackage(name) when neither isPackage nor search locations are given', () => {
    const spec = specFromFileLocation('pkg', '/x/pkg/__init__.py', { loader: { isPackage: () => true } });
    expect(spec.submoduleSearchLocations).toEqual(['/x/pkg']);
  });

  it('treats an ImportError from loader.isPackage as not a package', () => {
    const loader: Loader = {
      isPackage: () => {
        throw new ImportError('cannot tell');
      },
    };
    expect(specFromFileLocation('mod', '/x/mod.py', { loader }).submoduleSearchLocations).toBeNull();
  });

  it('keeps explicit, non-empty search locations as given', () => {
    const locations = ['/eggs'];
    const spec = specFromFileLocation('pkg', '/x/pkg/__init__.py', {
      loader: {},
      submoduleSearchLocations: locations,
    });
    expect(spec.submoduleSearchLocations).toEqual(['/eggs']);
  });

  it('fills explicit, empty search locations with the directory of the location', () => {
    const spec = specFromFileLocation('pkg', '/x/pkg/__init__.py', {
      loader: {},
      submoduleSearchLocations: [],
    });
    expect(spec.submoduleSearchLocations).toEqual([dirname('/x/pkg/__init__.py')]);
  });

  it('makes no package when search locations are explicitly null, whatever the loader says', () => {
    const isPackage = vi.fn(() => true);
    const spec = specFromFileLocation('pkg', '/x/pkg/__init__.py', {
      loader: { isPackage },
      submoduleSearchLocations: null,
    });
    expect(spec.submoduleSearchLocations).toBeNull();
    expect(isPackage).not.toHaveBeenCalled();
  });

  it("computes cached from the loader's getCached with the absolute location", () => {
    const loader = cachingLoader();
    const spec = specFromFileLocation('mod', 'rel/mod.py', { loader });
    expect(spec.cached).toBe(`${resolve('rel/mod.py')}c`);
  });
});
