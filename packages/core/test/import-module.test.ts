// `importModule` (importlib.import_module), `findSpec` (importlib.util.find_spec) and
// `findSpecFromPath` (the meta-path search that never imports a parent); see
// docs/conformance.md#import-module and docs/conformance.md#find-spec.
import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  ImportArgumentError,
  ImportError,
  ModuleNotFoundError,
  ModuleSpec,
  newModule,
  type MetaPathFinder,
  type ModuleType,
} from '@importlib/core';

import { memorySystem, thrownBy } from './helpers.js';

function tree() {
  return memorySystem({
    a: { package: true },
    'a.b': { package: true },
    'a.b.c': () => undefined,
    'a.d': () => undefined,
    mod: () => undefined,
  });
}

describe('importModule', () => {
  it('returns the named module itself, not the top-level package', () => {
    const { system } = tree();
    const result = system.importModule('a.b.c');
    expect(result).toBe(system.modules.get('a.b.c'));
    expect(result).not.toBe(system.modules.get('a'));
  });

  it('turns leading dots into the level, relative to the package argument', () => {
    const { system } = tree();
    expect(system.importModule('.d', 'a')).toBe(system.modules.get('a.d'));
    expect(system.importModule('..d', 'a.b')).toBe(system.modules.get('a.d'));
    expect(system.importModule('.c', 'a.b')).toBe(system.modules.get('a.b.c'));
  });

  it('returns the package itself for a name made only of dots', () => {
    const { system } = tree();
    expect(system.importModule('.', 'a.b')).toBe(system.modules.get('a.b'));
    expect(system.importModule('..', 'a.b')).toBe(system.modules.get('a'));
  });

  it('ignores the package argument for an absolute name', () => {
    const { system } = tree();
    expect(system.importModule('mod', 'a')).toBe(system.modules.get('mod'));
  });

  it('raises ImportArgumentError for a relative name without a package, before any finder is asked', () => {
    const { system, finder } = tree();
    for (const pkg of [undefined, null, '']) {
      const error = thrownBy<ImportArgumentError>(() => system.importModule('.d', pkg));
      expect(error).toBeInstanceOf(ImportArgumentError);
      expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect(error.message).toMatch(/'package' argument is required/);
    }
    expect(finder.calls).toEqual([]);
  });

  it('raises ImportError for a relative name that climbs beyond the top-level package', () => {
    const { system } = tree();
    const error = thrownBy(() => system.importModule('...d', 'a.b'));
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toMatch(/beyond top-level package/);
  });

  it('returns whatever the registry holds for the name once its body ran', () => {
    const replacement = { replaced: true };
    const { system } = memorySystem({ x: (_m, sys) => void sys.modules.set('x', replacement) });
    expect(system.importModule('x')).toBe(replacement);
  });

  it('raises ImportArgumentError for a non-string name', () => {
    const { system } = tree();
    expect(() => system.importModule(7 as unknown as string)).toThrow(ImportArgumentError);
  });

  it('behaves the same on the async path, rejecting instead of throwing', async () => {
    const { system } = tree();
    const leaf = await system.importModuleAsync('.c', 'a.b');
    expect(leaf).toBe(system.modules.get('a.b.c'));
    const pending = system.importModuleAsync('.d');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBeInstanceOf(ImportArgumentError);
  });
});

describe('findSpec', () => {
  it('imports the parent package but not the module itself', () => {
    const { system, finder } = tree();
    const spec = system.findSpec('a.b');
    expect(spec).toBeInstanceOf(ModuleSpec);
    expect(spec?.name).toBe('a.b');
    expect(system.modules.has('a')).toBe(true);
    expect(system.modules.has('a.b')).toBe(false);
    expect(finder.loaders.get('a.b')?.runs ?? 0).toBe(0);
  });

  it("searches with the parent's __path__", () => {
    const { system } = tree();
    const paths: Array<readonly string[] | null> = [];
    system.metaPath.unshift({
      findSpec: (_name, path) => {
        paths.push(path);
        return null;
      },
    });
    system.findSpec('a.b');
    expect(paths).toEqual([null, ['memory:a']]);
  });

  it('returns the __spec__ of a module already in the registry, without asking finders', () => {
    const { system, finder } = tree();
    const module = system.importModule('a.d') as ModuleType;
    finder.calls.length = 0;
    expect(system.findSpec('a.d')).toBe(module.__spec__);
    expect(finder.calls).toEqual([]);
  });

  it('returns the __spec__ of a registry entry that is not a module', () => {
    const { system } = tree();
    const spec = new ModuleSpec('odd', null);
    system.modules.set('odd', { __spec__: spec });
    expect(system.findSpec('odd')).toBe(spec);
  });

  it('returns null for a blocked (null) registry entry', () => {
    const { system, finder } = tree();
    system.modules.set('mod', null);
    expect(system.findSpec('mod')).toBeNull();
    expect(finder.calls).toEqual([]);
  });

  it('raises ImportArgumentError when the registered module has a null __spec__', () => {
    const { system } = tree();
    system.modules.set('bare', { __spec__: null });
    const error = thrownBy(() => system.findSpec('bare'));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect((error as Error).message).toMatch(/bare\.__spec__ is None/);
  });

  it('raises ImportArgumentError when the registered entry has no __spec__ at all', () => {
    const { system } = tree();
    system.modules.set('bare', { something: 1 });
    expect(() => system.findSpec('bare')).toThrow(/bare\.__spec__ is not set/);
  });

  it('returns null when no finder knows a top-level name', () => {
    const { system } = tree();
    expect(system.findSpec('nowhere')).toBeNull();
  });

  it('raises ModuleNotFoundError naming the module when the parent is not a package', () => {
    const { system } = tree();
    const error = thrownBy<ModuleNotFoundError>(() => system.findSpec('mod.x'));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.moduleName).toBe('mod.x');
    expect(error.message).toMatch(/__path__ attribute not found on 'mod'/);
  });

  it('propagates the failure to import the parent', () => {
    const { system } = tree();
    expect(() => system.findSpec('missing.child')).toThrow(
      expect.objectContaining({ code: ErrorCodes.NOT_FOUND, moduleName: 'missing' }),
    );
  });

  it('resolves a relative name against the package argument', () => {
    const { system } = tree();
    expect(system.findSpec('.d', 'a')?.name).toBe('a.d');
    expect(system.findSpec('..d', 'a.b')?.name).toBe('a.d');
  });

  it('raises ImportError (as importlib.util.resolve_name does) for a relative name without a package', () => {
    const { system, finder } = tree();
    const error = thrownBy<ImportError>(() => system.findSpec('.d'));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe(ErrorCodes.IMPORT);
    expect(error.message).toMatch(/no package specified for '\.d'/);
    expect(finder.calls).toEqual([]);
  });
});

describe('findSpecFromPath', () => {
  it('never imports the parent package', () => {
    const { system, finder } = tree();
    const spec = system.findSpecFromPath('a.b.c', ['/anywhere']);
    expect(spec?.name).toBe('a.b.c');
    expect(finder.calls).toEqual(['a.b.c']);
    expect(system.modules.size).toBe(0);
  });

  it('passes the given path to the finders, and null when none is given', () => {
    const { system } = tree();
    const calls: Array<[string, readonly string[] | null]> = [];
    const recorder: MetaPathFinder = {
      findSpec: (name, path) => {
        calls.push([name, path === null ? null : [...path]]);
        return null;
      },
    };
    system.metaPath.unshift(recorder);
    system.findSpecFromPath('a.x', ['/p1', '/p2']);
    system.findSpecFromPath('top');
    expect(calls).toEqual([
      ['a.x', ['/p1', '/p2']],
      ['top', null],
    ]);
  });

  it('returns null when no finder finds the name', () => {
    const { system } = tree();
    expect(system.findSpecFromPath('nowhere.at.all', [])).toBeNull();
  });

  it('does not load the module it finds', () => {
    const { system, finder } = tree();
    system.findSpecFromPath('mod');
    expect(system.modules.has('mod')).toBe(false);
    expect(finder.loaders.get('mod')?.runs).toBe(0);
  });
});

describe('findSpecFromPath with a registered name (_find_spec_from_path)', () => {
  it("returns the registered module's __spec__ without asking any finder", () => {
    const { system, finder } = memorySystem({ m: () => undefined });
    const m = system.importModule('m') as ModuleType;
    finder.calls.length = 0;
    expect(system.findSpecFromPath('m')).toBe(m.__spec__);
    expect(finder.calls).toEqual([]);
  });

  it('returns null for a blocked (null) entry', () => {
    const { system } = memorySystem({ m: () => undefined });
    system.modules.set('m', null);
    expect(system.findSpecFromPath('m')).toBeNull();
  });

  it('refuses a registered module whose __spec__ is null', () => {
    const { system } = memorySystem({});
    system.modules.set('m', newModule('m'));
    expect(() => system.findSpecFromPath('m')).toThrow(ImportArgumentError);
  });
});
