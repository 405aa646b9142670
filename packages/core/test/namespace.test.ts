// Namespace packages (PEP 420) and their dynamic `__path__` (docs/conformance.md#namespace; CPython
// `_NamespacePath`, `NamespaceLoader`, `PathFinder.find_spec`; tests: `test_namespace_pkgs.py`,
// `test_api.py` ReloadTests). Portions inside zip archives belong to the zip importer's tests.
import { describe, expect, it } from 'vitest';

import {
  CodeObject,
  ErrorCodes,
  ImportSystem,
  ModuleNotFoundError,
  ModuleSpec,
  NamespaceLoader,
  NamespacePath,
  newModule,
  type ModuleType,
} from '@importlib/core';

import { BodyLoader, memoryPathHook, type ModuleDef } from './helpers.js';

type Tree = Record<string, Record<string, ModuleDef>>;

/** A system over `tree` with `path` as its search path. */
function nsSystem(tree: Tree, path: string[]): ImportSystem {
  const system = new ImportSystem({ path });
  system.pathHooks = [memoryPathHook(system, tree)];
  return system;
}

/** Two portions of `foo`: `foo.one` in /portion1, `foo.two` in /portion2 (test_namespace_pkgs layout). */
function portions(): Tree {
  return {
    '/portion1': { 'foo/': {} },
    '/portion1/foo': { one: (m) => (m.attr = 'portion1 foo one') },
    '/portion2': { 'foo/': {} },
    '/portion2/foo': { two: (m) => (m.attr = 'portion2 foo two') },
  };
}

/** `parent.child` split over three projects (test_namespace_pkgs DynamicPathCalculation). */
function projects(): Tree {
  const tree: Tree = {};
  for (const [n, child] of [
    [1, 'one'],
    [2, 'two'],
    [3, 'three'],
  ] as const) {
    tree[`/project${n}`] = { 'parent/': {} };
    tree[`/project${n}/parent`] = { 'child/': {} };
    tree[`/project${n}/parent/child`] = { [child]: (m) => (m.attr = `parent child ${child}`) };
  }
  return tree;
}

function files(tree: Tree, entry: string): Record<string, ModuleDef> {
  const folder = tree[entry];
  if (!folder) throw new Error(`no entry ${entry} in the test tree`);
  return folder;
}

function pathOf(module: unknown): string[] {
  return [...((module as ModuleType).__path__ ?? [])];
}

describe('merging portions (_NamespacePath)', () => {
  it('lists every portion in __path__, in system.path order', () => {
    const system = nsSystem(portions(), ['/portion1', '/portion2']);
    expect(pathOf(system.importModule('foo'))).toEqual(['/portion1/foo', '/portion2/foo']);
  });

  it('follows the order of system.path, not the order the portions were made in', () => {
    const system = nsSystem(portions(), ['/portion2', '/portion1']);
    expect(pathOf(system.importModule('foo'))).toEqual(['/portion2/foo', '/portion1/foo']);
  });

  it('imports submodules from each portion', () => {
    const system = nsSystem(portions(), ['/portion1', '/portion2']);
    expect(system.importModule('foo.one')).toMatchObject({ attr: 'portion1 foo one' });
    expect(system.importModule('foo.two')).toMatchObject({ attr: 'portion2 foo two' });
  });

  it('binds submodules from different portions on the one package', () => {
    const system = nsSystem(portions(), ['/portion1', '/portion2']);
    system.importModule('foo.one');
    system.importModule('foo.two');
    const foo = system.modules.get('foo') as ModuleType;
    expect(foo.one).toBe(system.modules.get('foo.one'));
    expect(foo.two).toBe(system.modules.get('foo.two'));
  });

  it('is not made when no entry has a portion', () => {
    const system = nsSystem(portions(), ['/portion1']);
    expect(() => system.importModule('bar')).toThrow(ModuleNotFoundError);
  });
});

describe('regular packages and modules win over portions (PathFinder._get_spec: loader wins)', () => {
  it('takes a regular package found after a portion', () => {
    const tree: Tree = {
      '/a': { 'foo/': {} },
      '/b': { 'foo/__init__': (m) => (m.regular = true) },
    };
    const foo = nsSystem(tree, ['/a', '/b']).importModule('foo') as ModuleType;
    expect(foo.regular).toBe(true);
    expect(foo.__file__).toBe('/b/foo/__init__');
    expect(foo.__path__).toEqual(['/b/foo']);
  });

  it('takes a module found after a portion', () => {
    const tree: Tree = { '/a': { 'foo/': {} }, '/b': { foo: (m) => (m.plain = true) } };
    const foo = nsSystem(tree, ['/a', '/b']).importModule('foo') as ModuleType;
    expect(foo.plain).toBe(true);
    expect(foo.__path__).toBeUndefined();
  });

  it('takes a regular package found before any portion, without looking further', () => {
    const tree: Tree = { '/a': { 'foo/__init__': () => undefined }, '/b': { 'foo/': {} } };
    const system = nsSystem(tree, ['/a', '/b']);
    const foo = system.importModule('foo') as ModuleType;
    expect(foo.__path__).toEqual(['/a/foo']);
    expect(system.pathImporterCache.has('/b')).toBe(false);
  });
});

describe('the dynamic __path__ (_NamespacePath._recalculate, test_namespace_pkgs.DynamicPathNamespacePackage)', () => {
  it('is a NamespacePath', () => {
    const foo = nsSystem(portions(), ['/portion1']).importModule('foo') as ModuleType;
    expect(foo.__path__).toBeInstanceOf(NamespacePath);
  });

  it('can be read with length, index, includes and iteration', () => {
    const foo = nsSystem(portions(), ['/portion1', '/portion2']).importModule('foo') as ModuleType;
    const path = foo.__path__ as NamespacePath;
    expect(path.length).toBe(2);
    expect(path[0]).toBe('/portion1/foo');
    expect(path[1]).toBe('/portion2/foo');
    expect(path[2]).toBeUndefined();
    expect(1 in path).toBe(true);
    expect(path.includes('/portion2/foo')).toBe(true);
    expect(path.includes('/portion3/foo')).toBe(false);
    expect(Array.from(path)).toEqual(['/portion1/foo', '/portion2/foo']);
  });

  it('grows when system.path gains an entry with a portion, with no reload', () => {
    const system = nsSystem(portions(), ['/portion1']);
    const foo = system.importModule('foo') as ModuleType;
    expect(pathOf(foo)).toEqual(['/portion1/foo']);
    system.path.push('/portion2');
    expect(pathOf(foo)).toEqual(['/portion1/foo', '/portion2/foo']);
  });

  it('follows a system.path that is replaced by a new array', () => {
    const system = nsSystem(portions(), ['/portion1']);
    const foo = system.importModule('foo') as ModuleType;
    system.path = ['/portion2'];
    expect(pathOf(foo)).toEqual(['/portion2/foo']);
  });

  it('lets a submodule in a newly added portion be imported, which failed before', () => {
    const system = nsSystem(portions(), ['/portion1']);
    system.importModule('foo.one');
    expect(() => system.importModule('foo.two')).toThrow(
      expect.objectContaining({ code: ErrorCodes.NOT_FOUND, moduleName: 'foo.two' }) as unknown as Error,
    );
    system.path.push('/portion2');
    expect(system.importModule('foo.two')).toMatchObject({ attr: 'portion2 foo two' });
  });

  it('drops a portion whose entry leaves system.path', () => {
    const system = nsSystem(portions(), ['/portion1', '/portion2']);
    const foo = system.importModule('foo') as ModuleType;
    system.path.splice(0, 1);
    expect(pathOf(foo)).toEqual(['/portion2/foo']);
  });

  it('keeps its last portions when no portion is left on the path', () => {
    const system = nsSystem(portions(), ['/portion1']);
    const foo = system.importModule('foo') as ModuleType;
    system.path = ['/elsewhere'];
    expect(pathOf(foo)).toEqual(['/portion1/foo']);
  });

  it('keeps its portions when a regular package of the same name appears on the path', () => {
    const tree = portions();
    tree['/regular'] = { 'foo/__init__': () => undefined };
    const system = nsSystem(tree, ['/portion1']);
    const foo = system.importModule('foo') as ModuleType;
    system.path.push('/regular', '/portion2');
    expect(pathOf(foo)).toEqual(['/portion1/foo']);
  });

  it('grows a nested namespace package from 2 to 3 portions when a third project is added', () => {
    const system = nsSystem(projects(), ['/project1', '/project2']);
    system.importModule('parent.child.one');
    system.importModule('parent.child.two');
    const parent = system.modules.get('parent') as ModuleType;
    const child = system.modules.get('parent.child') as ModuleType;
    expect((parent.__path__ as NamespacePath).length).toBe(2);
    expect((child.__path__ as NamespacePath).length).toBe(2);
    expect(() => system.importModule('parent.child.three')).toThrow(ModuleNotFoundError);

    system.path.push('/project3');
    expect(system.importModule('parent.child.three')).toMatchObject({ attr: 'parent child three' });
    expect((parent.__path__ as NamespacePath).length).toBe(3);
    expect(pathOf(child)).toEqual([
      '/project1/parent/child',
      '/project2/parent/child',
      '/project3/parent/child',
    ]);
  });

  it('takes a portion added by hand with push', () => {
    const foo = nsSystem(portions(), ['/portion1']).importModule('foo') as ModuleType;
    (foo.__path__ as NamespacePath).push('/manual/foo');
    expect(pathOf(foo)).toEqual(['/portion1/foo', '/manual/foo']);
  });
});

describe('invalidateCaches and namespace portions (test_namespace_pkgs.test_invalidate_caches, _NamespacePath._recalculate)', () => {
  it('makes a portion created in an already-searched entry visible', () => {
    const tree: Tree = { '/a': { 'foo/': {} }, '/b': {} };
    const system = nsSystem(tree, ['/a', '/b']);
    const foo = system.importModule('foo') as ModuleType;
    files(tree, '/b')['foo/'] = {};
    expect(pathOf(foo)).toEqual(['/a/foo']); // same parent path, same epoch: not recomputed
    system.invalidateCaches();
    expect(pathOf(foo)).toEqual(['/a/foo', '/b/foo']);
  });

  it('makes a submodule of the new portion importable', () => {
    const tree: Tree = { '/a': { 'foo/': {} }, '/b': {}, '/b/foo': { late: (m) => (m.late = true) } };
    const system = nsSystem(tree, ['/a', '/b']);
    system.importModule('foo');
    files(tree, '/b')['foo/'] = {};
    expect(() => system.importModule('foo.late')).toThrow(ModuleNotFoundError);
    system.invalidateCaches();
    expect(system.importModule('foo.late')).toMatchObject({ late: true });
  });
});

describe('attributes of a namespace package (NamespaceLoader)', () => {
  function importFoo(): ModuleType {
    return nsSystem(portions(), ['/portion1', '/portion2']).importModule('foo') as ModuleType;
  }

  it('has __file__ set to null', () => {
    const foo = importFoo();
    expect(Object.prototype.hasOwnProperty.call(foo, '__file__')).toBe(true);
    expect(foo.__file__).toBeNull();
  });

  it('has a spec with a null origin and no location', () => {
    const foo = importFoo();
    expect(foo.__spec__?.origin).toBeNull();
    expect(foo.__spec__?.hasLocation).toBe(false);
  });

  it('has __loader__ equal to __spec__.loader, a NamespaceLoader', () => {
    const foo = importFoo();
    expect(foo.__loader__).toBeInstanceOf(NamespaceLoader);
    expect(foo.__loader__).toBe(foo.__spec__?.loader);
  });

  it("has an indexable __path__ whose first item is the first portion's folder", () => {
    expect(importFoo().__path__ as NamespacePath).toHaveProperty('0', '/portion1/foo');
  });

  it('shares one NamespacePath between __path__, the spec and the loader', () => {
    const foo = importFoo();
    expect(foo.__path__).toBe(foo.__spec__?.submoduleSearchLocations);
    expect((foo.__loader__ as NamespaceLoader).path).toBe(foo.__path__);
  });

  it('has its own name as __package__, no __cached__ and no exports', () => {
    const foo = importFoo();
    expect(foo.__name__).toBe('foo');
    expect(foo.__package__).toBe('foo');
    expect(Object.prototype.hasOwnProperty.call(foo, '__cached__')).toBe(false);
    expect(Object.keys(foo)).toEqual([]);
  });
});

describe('NamespaceLoader', () => {
  const loader = new NamespaceLoader(['/a/ns']);

  it('says every name is a package', () => {
    expect(loader.isPackage()).toBe(true);
  });

  it("has '' as source", () => {
    expect(loader.getSource()).toBe('');
  });

  it('has an empty code object that runs nothing', () => {
    const code = loader.getCode();
    expect(code).toBeInstanceOf(CodeObject);
    const module = newModule('ns');
    expect(code.exec(module)).toBeUndefined();
    expect(Object.keys(module)).toEqual([]);
  });

  it('asks for the default module object and executes nothing', () => {
    const spec = new ModuleSpec('ns', loader);
    expect(loader.createModule()).toBeNull();
    const module = newModule('ns');
    expect(loader.execModule()).toBeUndefined();
    expect(Object.keys(module)).toEqual([]);
    expect(spec.loader).toBe(loader);
  });

  it('keeps the path it was made with', () => {
    const path = ['/a/ns', '/b/ns'];
    expect(new NamespaceLoader(path).path).toBe(path);
  });
});

describe('reloading a namespace package (test_api.ReloadTests.test_reload_namespace_changed)', () => {
  it('returns the same module object', () => {
    const system = nsSystem(portions(), ['/portion1']);
    const foo = system.importModule('foo');
    expect(system.reload(foo)).toBe(foo);
  });

  it('picks up portions added since the import, in a new spec and loader', () => {
    const system = nsSystem(portions(), ['/portion1']);
    const foo = system.importModule('foo') as ModuleType;
    const oldSpec = foo.__spec__;
    const oldLoader = foo.__loader__;
    system.path.push('/portion2');
    system.reload(foo);
    expect(foo.__spec__).not.toBe(oldSpec);
    expect(foo.__loader__).not.toBe(oldLoader);
    expect(foo.__loader__).toBeInstanceOf(NamespaceLoader);
    expect([...(foo.__spec__?.submoduleSearchLocations ?? [])]).toEqual(['/portion1/foo', '/portion2/foo']);
    expect(system.importModule('foo.two')).toMatchObject({ attr: 'portion2 foo two' });
  });

  it('still cannot import a submodule that no portion has', () => {
    const system = nsSystem(portions(), ['/portion1']);
    const foo = system.importModule('foo');
    system.reload(foo);
    expect(() => system.importModule('foo.two')).toThrow(ModuleNotFoundError);
  });

  it('turns it into a regular package once an __init__ appears', () => {
    const tree = portions();
    const system = nsSystem(tree, ['/portion1']);
    const foo = system.importModule('foo') as ModuleType;
    expect(foo.__file__).toBeNull();
    files(tree, '/portion1')['foo/__init__'] = (m) => (m.eggs = null);

    const reloaded = system.reload(foo);
    expect(reloaded).toBe(foo);
    expect(foo.__loader__).toBeInstanceOf(BodyLoader);
    expect(foo.__spec__?.loader).toBe(foo.__loader__);
    expect(foo.__file__).toBe('/portion1/foo/__init__');
    expect(foo.__path__).toEqual(['/portion1/foo']);
    expect(foo.__package__).toBe('foo');
    expect(Object.keys(foo)).toEqual(['eggs']);
    expect(String(foo)).toBe("<module 'foo' from '/portion1/foo/__init__'>");
  });
});
