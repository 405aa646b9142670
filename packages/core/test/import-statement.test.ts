// `system.__import__`, the import statement (docs/conformance.md#algorithm; CPython `__import__`,
// `_handle_fromlist`, `_sanity_check`, `_resolve_name`, `_calc___package__`): return value,
// fromlist, '*', argument checks, relative resolution and the package a relative import is made
// from.
import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  ImportArgumentError,
  ImportError,
  InvalidModuleNameError,
  ModuleNotFoundError,
  ModuleSpec,
  type ImportEvent,
  type ImportGlobals,
  type ModuleType,
} from '@importlib/core';

import { memorySystem, recordEvents, thrownBy } from './helpers.js';

function tree() {
  return memorySystem({
    a: { package: true },
    'a.b': { package: true },
    'a.b.c': () => undefined,
    'a.d': () => undefined,
    mod: () => undefined,
    'mod.x': () => undefined,
  });
}

function warnings(events: ImportEvent[]): Array<{ category: string; message: string }> {
  return events.flatMap((e) => (e.type === 'warning' ? [{ category: e.category, message: e.message }] : []));
}

describe('return value (__import__)', () => {
  it('returns the top-level package when there is no fromlist', () => {
    const { system } = tree();
    const result = system.__import__('a.b.c');
    expect(result).toBe(system.modules.get('a'));
    expect(system.modules.has('a.b.c')).toBe(true);
  });

  it('returns the named module itself when there is a fromlist', () => {
    const { system } = tree();
    expect(system.__import__('a.b.c', null, null, ['x'])).toBe(system.modules.get('a.b.c'));
  });

  it('returns the same from the async variant', async () => {
    const { system } = tree();
    const top = await system.__importAsync__('a.b.c');
    expect(top).toBe(system.modules.get('a'));
    expect(await system.__importAsync__('a.b.c', null, null, ['x'])).toBe(system.modules.get('a.b.c'));
  });

  it('returns the registry entry of the top-level package, even when it was replaced', () => {
    const { system } = tree();
    system.__import__('a.b.c');
    const replacement = { replaced: true };
    system.modules.set('a', replacement);
    expect(system.__import__('a.b.c')).toBe(replacement);
  });
});

describe('relative import without fromlist (__import__: level > 0)', () => {
  it("returns the module of the first component after the dots: in package a, ('b.c', level 1) gives a.b", () => {
    const { system } = tree();
    const a = system.importModule('a') as ModuleType;
    const result = system.__import__('b.c', a, null, [], 1);
    expect(result).toBe(system.modules.get('a.b'));
    expect(system.modules.has('a.b.c')).toBe(true);
  });

  it('returns the named module for a single relative component', () => {
    const { system } = tree();
    const result = system.__import__('d', { __package__: 'a' }, null, [], 1);
    expect(result).toBe(system.modules.get('a.d'));
  });

  it("returns the package itself for `from . import` with no name ('' at level 1)", () => {
    const { system } = tree();
    expect(system.__import__('', { __package__: 'a.b' }, null, [], 1)).toBe(system.modules.get('a.b'));
  });
});

describe('fromlist is handled only for packages (_handle_fromlist)', () => {
  it('ignores the fromlist of a module without __path__', () => {
    const { system, finder } = tree();
    const mod = system.__import__('mod', null, null, ['x']);
    expect(mod).toBe(system.modules.get('mod'));
    expect(finder.calls).not.toContain('mod.x');
    expect(system.modules.has('mod.x')).toBe(false);
  });

  it('imports each fromlist name of a package that is not already an attribute, as pkg.name', () => {
    const { system, finder } = memorySystem({
      pkg: { package: true, body: (m) => void (m.present = 'an attribute') },
      'pkg.present': () => undefined,
      'pkg.sub': () => undefined,
    });
    const pkg = system.__import__('pkg', null, null, ['present', 'sub']) as ModuleType;
    expect(finder.calls).toEqual(['pkg', 'pkg.sub']);
    expect(pkg.present).toBe('an attribute');
    expect(pkg.sub).toBe(system.modules.get('pkg.sub'));
  });

  it('handles the fromlist of a relative import from a package', () => {
    const { system } = tree();
    const a = system.importModule('a') as ModuleType;
    const result = system.__import__('', a, null, ['d'], 1) as ModuleType;
    expect(result).toBe(a);
    expect(result.d).toBe(system.modules.get('a.d'));
  });
});

describe('missing and blocked fromlist submodules (_handle_fromlist: ModuleNotFoundError)', () => {
  it('swallows ModuleNotFoundError for pkg.name and leaves the attribute absent', () => {
    const { system, finder } = memorySystem({ pkg: { package: true } });
    const pkg = system.__import__('pkg', null, null, ['nope']) as ModuleType;
    expect(finder.calls).toContain('pkg.nope');
    expect(Object.prototype.hasOwnProperty.call(pkg, 'nope')).toBe(false);
  });

  it('propagates any other error from importing pkg.name', () => {
    const { system } = memorySystem({
      pkg: { package: true },
      'pkg.bad': () => {
        throw new EvalError('pkg.bad failed');
      },
    });
    expect(() => system.__import__('pkg', null, null, ['bad'])).toThrow(EvalError);
  });

  it('propagates a ModuleNotFoundError raised inside pkg.name for a different name', () => {
    const { system } = memorySystem({
      pkg: { package: true },
      'pkg.inner': (_m, sys) => void sys.importModule('missing_dependency'),
    });
    const error = thrownBy<ModuleNotFoundError>(() => system.__import__('pkg', null, null, ['inner']));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.moduleName).toBe('missing_dependency');
  });

  it('propagates the ModuleNotFoundError of a blocked (null) pkg.name', () => {
    const { system } = memorySystem({ pkg: { package: true }, 'pkg.blocked': () => undefined });
    system.modules.set('pkg.blocked', null);
    const error = thrownBy<ModuleNotFoundError>(() => system.__import__('pkg', null, null, ['blocked']));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.moduleName).toBe('pkg.blocked');
  });

  it('propagates a missing-parent error of a dotted fromlist name', () => {
    const { system } = memorySystem({ pkg: { package: true } });
    const error = thrownBy<ModuleNotFoundError>(() => system.__import__('pkg', null, null, ['sub.leaf']));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.moduleName).toBe('pkg.sub');
  });
});

describe("'*' and __all__ (_handle_fromlist: __all__)", () => {
  it("imports the names in pkg.__all__ for '*'", () => {
    const { system, finder } = memorySystem({
      pkg: { package: true, body: (m) => void (m.__all__ = ['one', 'two']) },
      'pkg.one': () => undefined,
      'pkg.two': () => undefined,
      'pkg.three': () => undefined,
    });
    const pkg = system.__import__('pkg', null, null, ['*']) as ModuleType;
    expect(pkg.one).toBe(system.modules.get('pkg.one'));
    expect(pkg.two).toBe(system.modules.get('pkg.two'));
    expect(finder.calls).not.toContain('pkg.three');
  });

  it("imports nothing for '*' when the package has no __all__", () => {
    const { system, finder } = memorySystem({ pkg: { package: true }, 'pkg.one': () => undefined });
    system.__import__('pkg', null, null, ['*']);
    expect(finder.calls).toEqual(['pkg']);
  });

  it("ignores '*' inside __all__", () => {
    const { system, finder } = memorySystem({
      pkg: { package: true, body: (m) => void (m.__all__ = ['*', 'one']) },
      'pkg.one': () => undefined,
    });
    system.__import__('pkg', null, null, ['*']);
    expect(finder.calls).toEqual(['pkg', 'pkg.one']);
  });

  it("raises ImportArgumentError mentioning the 'from list' for a non-string fromlist item", () => {
    const { system } = memorySystem({ pkg: { package: true } });
    const error = thrownBy<ImportArgumentError>(() => system.__import__('pkg', null, null, [42]));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(error.message).toMatch(/from list/);
  });

  it('raises ImportArgumentError mentioning pkg.__all__ for a non-string __all__ item', () => {
    const { system } = memorySystem({ pkg: { package: true, body: (m) => void (m.__all__ = ['ok', 7]) } });
    const error = thrownBy(() => system.__import__('pkg', null, null, ['*']));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect((error as Error).message).toMatch(/pkg\.__all__/);
  });
});

describe("fromlist [''] (test_fromlist.test_empty_string)", () => {
  it("returns pkg.mod for fromlist [''] on 'pkg.mod'", () => {
    const { system } = memorySystem({ pkg: { package: true }, 'pkg.mod': () => undefined });
    expect(system.__import__('pkg.mod', null, null, [''])).toBe(system.modules.get('pkg.mod'));
  });

  it("returns pkg.mod for fromlist [''] when pkg.mod is itself a package", () => {
    const { system, finder } = memorySystem({ pkg: { package: true }, 'pkg.mod': { package: true } });
    expect(system.__import__('pkg.mod', null, null, [''])).toBe(system.modules.get('pkg.mod'));
    expect(finder.calls).toEqual(['pkg', 'pkg.mod']);
  });
});

describe('argument checks (_sanity_check)', () => {
  it('refuses a negative level with ImportArgumentError', () => {
    const { system, finder } = tree();
    expect(() => system.__import__('a', null, null, [], -1)).toThrow(ImportArgumentError);
    expect(finder.calls).toEqual([]);
  });

  it('refuses a non-integer level with ImportArgumentError', () => {
    const { system } = tree();
    expect(() => system.__import__('a', { __package__: 'a' }, null, [], 1.5)).toThrow(ImportArgumentError);
  });

  it('refuses a non-string name with ImportArgumentError', () => {
    const { system } = tree();
    const error = thrownBy<ImportArgumentError>(() => system.__import__(42 as unknown as string));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
  });

  it("refuses '' at level 0 with InvalidModuleNameError('Empty module name')", () => {
    const { system, finder } = tree();
    const error = thrownBy<InvalidModuleNameError>(() => system.__import__(''));
    expect(error).toBeInstanceOf(InvalidModuleNameError);
    expect(error.code).toBe(ErrorCodes.INVALID_NAME);
    expect(error.message).toBe('Empty module name');
    expect(finder.calls).toEqual([]);
  });

  it('rejects the async variant with the same errors', async () => {
    const { system } = tree();
    await expect(system.__importAsync__('a', null, null, [], -1)).rejects.toBeInstanceOf(ImportArgumentError);
    await expect(system.__importAsync__('')).rejects.toBeInstanceOf(InvalidModuleNameError);
  });
});

describe('a relative import needs a package (_sanity_check: package)', () => {
  it("raises ImportArgumentError('__package__ not set to a string') for a non-string package", () => {
    const { system } = tree();
    const error = thrownBy(() => system.__import__('d', { __package__: 42 }, null, [], 1));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect((error as Error).message).toBe('__package__ not set to a string');
  });

  it("raises ImportError('attempted relative import with no known parent package') for an empty package", () => {
    const { system, finder } = tree();
    const error = thrownBy<ImportError>(() => system.__import__('d', { __package__: '' }, null, [], 1));
    expect(error).toBeInstanceOf(ImportError);
    expect(error).not.toBeInstanceOf(ModuleNotFoundError);
    expect(error.code).toBe(ErrorCodes.IMPORT);
    expect(error.message).toBe('attempted relative import with no known parent package');
    expect(finder.calls).toEqual([]);
  });

  it('raises the same for a top-level module (its package computes to the empty string)', () => {
    const { system } = tree();
    const mod = system.importModule('mod') as ModuleType;
    expect(() => system.__import__('d', mod, null, [], 1)).toThrow(
      'attempted relative import with no known parent package',
    );
  });
});

describe('relative resolution (_resolve_name)', () => {
  it('goes level - 1 packages up from the package', () => {
    const { system } = tree();
    const result = system.__import__('d', { __package__: 'a.b' }, null, ['x'], 2);
    expect(result).toBe(system.modules.get('a.d'));
  });

  it("raises ImportError('attempted relative import beyond top-level package') with fewer than level parts", () => {
    const { system, finder } = tree();
    const error = thrownBy<ImportError>(() => system.__import__('d', { __package__: 'a' }, null, [], 2));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe(ErrorCodes.IMPORT);
    expect(error.message).toBe('attempted relative import beyond top-level package');
    expect(finder.calls).toEqual([]);
  });

  it('accepts exactly as many levels as the package has parts', () => {
    const { system } = tree();
    expect(system.__import__('d', { __package__: 'a.b' }, null, ['x'], 2)).toBe(system.modules.get('a.d'));
    expect(() => system.__import__('d', { __package__: 'a.b' }, null, ['x'], 3)).toThrow(/beyond top-level/);
  });

  it('returns the base package for an empty name', () => {
    const { system } = tree();
    expect(system.__import__('', { __package__: 'a.b' }, null, [], 2)).toBe(system.modules.get('a'));
    expect(system.__import__('', { __package__: 'a.b' }, null, ['x'], 1)).toBe(system.modules.get('a.b'));
  });
});

describe('the package of a relative import (_calc___package__)', () => {
  it('uses __package__ first, with a DeprecationWarning when it differs from __spec__.parent', () => {
    const { system } = tree();
    const events = recordEvents(system);
    const spec = new ModuleSpec('a.b.c', null);
    const result = system.__import__('d', { __package__: 'a', __spec__: spec }, null, ['x'], 1);
    expect(result).toBe(system.modules.get('a.d'));
    expect(warnings(events)).toEqual([
      { category: 'DeprecationWarning', message: expect.stringMatching(/__package__ != __spec__\.parent/) },
    ]);
  });

  it('issues no warning when __package__ equals __spec__.parent', () => {
    const { system } = tree();
    const events = recordEvents(system);
    system.__import__('d', { __package__: 'a', __spec__: new ModuleSpec('a.x', null) }, null, ['x'], 1);
    expect(warnings(events)).toEqual([]);
  });

  it('uses __spec__.parent when __package__ is missing or null, with no warning', () => {
    const { system } = tree();
    const events = recordEvents(system);
    const spec = new ModuleSpec('a.b.c', null);
    expect(system.__import__('c', { __spec__: spec }, null, ['x'], 1)).toBe(system.modules.get('a.b.c'));
    expect(system.__import__('c', { __package__: null, __spec__: spec }, null, ['x'], 1)).toBe(
      system.modules.get('a.b.c'),
    );
    expect(warnings(events)).toEqual([]);
  });

  it('takes a package spec as its own parent', () => {
    const { system } = tree();
    const spec = new ModuleSpec('a.b', null, { isPackage: true });
    expect(system.__import__('c', { __spec__: spec }, null, ['x'], 1)).toBe(system.modules.get('a.b.c'));
  });

  it("falls back on __name__.rpartition('.') with an ImportWarning", () => {
    const { system } = tree();
    const events = recordEvents(system);
    expect(system.__import__('d', { __name__: 'a.whatever' }, null, ['x'], 1)).toBe(
      system.modules.get('a.d'),
    );
    expect(warnings(events)).toEqual([
      { category: 'ImportWarning', message: expect.stringMatching(/__name__/) },
    ]);
  });

  it("uses __name__ itself when '__path__' is in globals", () => {
    const { system } = tree();
    const events = recordEvents(system);
    const globals: ImportGlobals = { __name__: 'a.b', __path__: [] };
    expect(system.__import__('c', globals, null, ['x'], 1)).toBe(system.modules.get('a.b.c'));
    expect(warnings(events).map((w) => w.category)).toEqual(['ImportWarning']);
  });

  it('works with a module object as globals (the usual case)', () => {
    const { system } = tree();
    const b = system.importModule('a.b.c') as ModuleType;
    const events = recordEvents(system);
    expect(system.__import__('d', b, null, ['x'], 2)).toBe(system.modules.get('a.d'));
    expect(warnings(events)).toEqual([]);
  });

  it('does not consult globals at level 0', () => {
    const { system } = tree();
    const events = recordEvents(system);
    expect(system.__import__('mod', { __package__: 42 }, null, [], 0)).toBe(system.modules.get('mod'));
    expect(warnings(events)).toEqual([]);
  });
});

describe('checks on globals (PyImport_ImportModuleLevelObject: globals)', () => {
  it('raises ImportArgumentError("\'__name__\' not in globals") for null globals at level > 0', () => {
    const { system } = tree();
    const error = thrownBy(() => system.__import__('d', null, null, [], 1));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect((error as Error).message).toMatch(/'__name__' not in globals/);
  });

  it('raises ImportArgumentError for globals that are not an object', () => {
    const { system } = tree();
    const error = thrownBy<ImportArgumentError>(() =>
      system.__import__('d', 'not globals' as unknown as ImportGlobals, null, [], 1),
    );
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
  });

  it('raises ImportArgumentError for a non-string __spec__.parent', () => {
    const { system, finder } = tree();
    const error = thrownBy(() => system.__import__('d', { __spec__: { parent: 5 } }, null, [], 1));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect(finder.calls).toEqual([]);
  });
});
