// Module names: invalid names are refused before any finder sees them; names that collide with
// Object.prototype members are ordinary names (`_sanity_check`, `_resolve_name`:
// docs/conformance.md#argument-checks, docs/conformance.md#resolve-name; and the port's name
// rules).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  decodeSegment,
  getAttr,
  encodeSegment,
  ImportArgumentError,
  ImportError,
  ImportSystem,
  InvalidModuleNameError,
  ModuleSpec,
  ModuleType,
  invalidNameReason,
  moduleRepr,
  type MetaPathFinder,
} from '@importlib/core';

import { BodyLoader, memorySystem, type ModuleDef, thrownBy } from './helpers.js';

/** A meta-path finder that finds every name, as a package with an empty body, and records each name asked. */
class AcceptAll implements MetaPathFinder {
  readonly calls: string[] = [];
  constructor(readonly system: ImportSystem) {}
  findSpec(name: string): ModuleSpec {
    this.calls.push(name);
    return new ModuleSpec(name, new BodyLoader(this.system, () => undefined, true), { isPackage: true });
  }
}

function acceptAllSystem(): { system: ImportSystem; finder: AcceptAll } {
  const system = new ImportSystem();
  const finder = new AcceptAll(system);
  system.metaPath = [finder];
  return { system, finder };
}

const INVALID = [
  '',
  'a..b',
  '.a',
  'a.',
  '.',
  'a/b',
  'a\\b',
  'a\0b',
  'pkg.a/b',
  'pkg.../x',
  '../etc',
  'pkg.\0',
];

describe('invalid names are refused before any finder is called', () => {
  it.each(INVALID)('refuses %j at level 0 with InvalidModuleNameError from __import__', (name) => {
    const { system, finder } = acceptAllSystem();
    const error = thrownBy<InvalidModuleNameError>(() => system.__import__(name));
    expect(error).toBeInstanceOf(InvalidModuleNameError);
    expect(error.code).toBe(ErrorCodes.INVALID_NAME);
    expect(finder.calls).toEqual([]);
    expect(system.modules.size).toBe(0);
  });

  it.each(INVALID.filter((name) => !name.startsWith('.')))('refuses %j from importModule', (name) => {
    const { system, finder } = acceptAllSystem();
    expect(() => system.importModule(name)).toThrow(InvalidModuleNameError);
    expect(finder.calls).toEqual([]);
  });

  it.each(INVALID)('refuses %j from findSpecFromPath', (name) => {
    const { system, finder } = acceptAllSystem();
    expect(() => system.findSpecFromPath(name)).toThrow(InvalidModuleNameError);
    expect(finder.calls).toEqual([]);
  });

  it.each(INVALID.filter((name) => !name.startsWith('.')))('refuses %j from findSpec', (name) => {
    const { system, finder } = acceptAllSystem();
    expect(() => system.findSpec(name)).toThrow(InvalidModuleNameError);
    expect(finder.calls).toEqual([]);
  });

  it('rejects the async entry points with InvalidModuleNameError', async () => {
    const { system, finder } = acceptAllSystem();
    await expect(system.importModuleAsync('a..b')).rejects.toBeInstanceOf(InvalidModuleNameError);
    await expect(system.__importAsync__('a/b')).rejects.toBeInstanceOf(InvalidModuleNameError);
    expect(finder.calls).toEqual([]);
  });

  it('does not import the valid parent of a name with a bad last segment', () => {
    const { system, finder } = acceptAllSystem();
    expect(() => system.importModule('pkg.a\\b')).toThrow(InvalidModuleNameError);
    expect(finder.calls).toEqual([]);
    expect(system.modules.has('pkg')).toBe(false);
  });

  it('refuses a relative name whose resolved form has a bad segment', () => {
    const { system, finder } = acceptAllSystem();
    expect(() => system.importModule('.a/b', 'pkg')).toThrow(InvalidModuleNameError);
    expect(() => system.importModule('.x', 'a\\b')).toThrow(InvalidModuleNameError);
    expect(() => system.__import__('x', { __package__: 'p\0q' }, null, [], 1)).toThrow(
      InvalidModuleNameError,
    );
    expect(() => system.findSpec('.x/y', 'pkg')).toThrow(InvalidModuleNameError);
    expect(finder.calls).toEqual([]);
  });

  it('names the refused module in moduleName and keeps control characters visible in the message', () => {
    const { system } = acceptAllSystem();
    const error = thrownBy<InvalidModuleNameError>(() => system.importModule('a\0b'));
    expect(error.moduleName).toBe('a\0b');
    expect(error.message).toContain('a\\x00b');
    expect(error.message).not.toContain('\0');
  });

  it('is an ImportError, so code that catches ImportError catches it', () => {
    const { system } = acceptAllSystem();
    expect(() => system.importModule('a..b')).toThrow(ImportError);
  });

  it('does not ask a finder for a bad fromlist entry, and leaves it out like a missing submodule', () => {
    const { system, finder } = acceptAllSystem();
    const pkg = system.__import__('pkg', null, null, ['ok', 'a/b', '', 'x\0']) as ModuleType;
    expect(finder.calls).toEqual(['pkg', 'pkg.ok']);
    expect(getAttr(pkg, 'ok')).toBe(system.modules.get('pkg.ok'));
    expect(Object.keys(pkg)).toEqual([]);
  });

  it('accepts names with spaces, dashes, unicode and leading digits (only . / \\ and NUL are special)', () => {
    const { system, finder } = acceptAllSystem();
    for (const name of ['my module', 'dash-ed', 'ünï.cødé', '1st', 'a.b-c.d e']) {
      expect(system.importModule(name)).toBe(system.modules.get(name));
    }
    expect(finder.calls).toContain('ünï.cødé');
  });
});

const SPECIAL = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

/** Definitions with these keys as own properties (a plain `{ __proto__: … }` literal would set the prototype). */
function specialDefs(): Record<string, ModuleDef> {
  const defs: Record<string, ModuleDef> = {};
  const define = (name: string, def: ModuleDef): void => {
    Object.defineProperty(defs, name, { value: def, enumerable: true, configurable: true, writable: true });
  };
  define('pkg', { package: true });
  for (const name of SPECIAL) {
    define(name, (m) => void (m.top = name));
    define(`pkg.${name}`, { package: true, body: (m) => void (m.sub = name) });
    define(`pkg.${name}.leaf`, (m) => void (m.leaf = name));
  }
  return defs;
}

describe('__proto__, constructor, toString and friends are ordinary names', () => {
  it.each(SPECIAL)('imports %s as a top-level module', (name) => {
    const { system } = memorySystem(specialDefs());
    const module = system.importModule(name) as ModuleType;
    expect(module).toBeInstanceOf(ModuleType);
    expect(module.__name__).toBe(name);
    expect(module.top).toBe(name);
    expect(system.modules.get(name)).toBe(module);
  });

  it.each(SPECIAL)('imports pkg.%s as a submodule and binds it on pkg, not as an export', (name) => {
    const { system } = memorySystem(specialDefs());
    const child = system.importModule(`pkg.${name}`) as ModuleType;
    const pkg = system.modules.get('pkg') as ModuleType;
    expect(child.sub).toBe(name);
    expect(Object.prototype.hasOwnProperty.call(pkg, name)).toBe(false);
    expect(getAttr(pkg, name)).toBe(child);
    expect(pkg[name]).toBe(child);
    expect(Object.keys(pkg)).toEqual([]);
  });

  it('leaves the prototype of the parent unchanged after importing pkg.__proto__', () => {
    const { system } = memorySystem(specialDefs());
    system.importModule('pkg.constructor'); // the first binding gives pkg its bindings' prototype
    const pkg = system.modules.get('pkg') as ModuleType;
    const before = Object.getPrototypeOf(pkg) as unknown;
    const child = system.importModule('pkg.__proto__');
    expect(Object.getPrototypeOf(pkg)).toBe(before);
    expect(Object.getPrototypeOf(before)).toBe(ModuleType.prototype);
    expect(Object.getPrototypeOf(pkg)).not.toBe(child);
    expect(pkg.__proto__).toBe(child);
    expect(pkg).toBeInstanceOf(ModuleType);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each(SPECIAL)('imports pkg.%s.leaf through a parent with that name', (name) => {
    const { system, finder } = memorySystem(specialDefs());
    const leaf = system.importModule(`pkg.${name}.leaf`) as ModuleType;
    expect(leaf.leaf).toBe(name);
    expect(finder.calls).toEqual(['pkg', `pkg.${name}`, `pkg.${name}.leaf`]);
    expect((system.modules.get(`pkg.${name}`) as ModuleType).leaf).toBe(leaf);
  });

  it.each(SPECIAL)('imports %s from a fromlist (an inherited member is not an attribute)', (name) => {
    const { system, finder } = memorySystem(specialDefs());
    const pkg = system.__import__('pkg', null, null, [name]) as ModuleType;
    expect(finder.calls).toEqual(['pkg', `pkg.${name}`]);
    expect(getAttr(pkg, name)).toBe(system.modules.get(`pkg.${name}`));
  });

  it.each(SPECIAL)('resolves the relative name .%s', (name) => {
    const { system } = memorySystem(specialDefs());
    expect(system.importModule(`.${name}`, 'pkg')).toBe(system.modules.get(`pkg.${name}`));
  });

  it.each(SPECIAL)('finds the spec of pkg.%s', (name) => {
    const { system } = memorySystem(specialDefs());
    expect(system.findSpec(`pkg.${name}`)?.name).toBe(`pkg.${name}`);
  });

  it('still gives the repr of a package that has a submodule called toString or valueOf', () => {
    const { system } = memorySystem(specialDefs());
    system.importModule('pkg.toString');
    system.importModule('pkg.valueOf');
    const pkg = system.modules.get('pkg') as ModuleType;
    expect(moduleRepr(pkg)).toBe("<module 'pkg' (memory:pkg)>");
    expect(String(pkg)).toBe("<module 'pkg' (memory:pkg)>");
    expect(`${pkg}`).toBe("<module 'pkg' (memory:pkg)>");
  });

  it('does not let a module called __proto__ leak into other registries or objects', () => {
    const { system } = memorySystem(specialDefs());
    system.importModule('__proto__');
    expect(new ImportSystem().modules.has('__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).top).toBeUndefined();
  });
});

// Strings drawn mostly from the characters that matter to names.
const nameChar = fc.constantFrom('a', 'b', 'z', '_', '.', '.', '/', '\\', '\0', ' ', 'é', '1', '\n');
const nameString = fc.oneof(fc.string({ unit: nameChar, maxLength: 12 }), fc.string({ maxLength: 12 }));

function isTyped(error: unknown): boolean {
  const codes: unknown[] = Object.values(ErrorCodes);
  return (error instanceof ImportError || error instanceof ImportArgumentError) && codes.includes(error.code);
}

function segmentsValid(name: string): boolean {
  return name.split('.').every((segment) => segment !== '' && !/[/\\\0]/.test(segment));
}

describe('property: finders only ever see valid names', () => {
  it('refuses any string with a typed error, or hands the finder only clean, non-empty segments', () => {
    fc.assert(
      fc.property(
        nameString,
        fc.option(nameString, { nil: undefined }),
        fc.array(nameString, { maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (name, pkg, fromlist, level) => {
          const attempts: Array<() => unknown> = [
            () => system.importModule(name, pkg),
            () => system.__import__(name, { __package__: pkg ?? null, __name__: pkg }, null, fromlist, level),
            () => system.findSpec(name, pkg),
            () => system.findSpecFromPath(name),
          ];
          const { system, finder } = acceptAllSystem();
          for (const attempt of attempts) {
            try {
              attempt();
            } catch (error) {
              if (!isTyped(error)) throw error;
            }
          }
          for (const seen of finder.calls) {
            if (!segmentsValid(seen)) throw new Error(`a finder saw ${JSON.stringify(seen)}`);
          }
        },
      ),
    );
  });

  it('refuses exactly the names invalidNameReason rejects, at level 0, with InvalidModuleNameError', () => {
    fc.assert(
      fc.property(nameString, (name) => {
        const { system, finder } = acceptAllSystem();
        let error: unknown = null;
        try {
          system.__import__(name);
        } catch (caught) {
          error = caught;
        }
        if (invalidNameReason(name) === null) {
          expect(error).toBeNull();
          expect(segmentsValid(name)).toBe(true);
        } else {
          expect(error).toBeInstanceOf(InvalidModuleNameError);
          expect(finder.calls).toEqual([]);
        }
      }),
    );
  });
});

describe('segments for file names with dots (encodeSegment / decodeSegment)', () => {
  it('writes a dot inside a file name as %2E and a percent sign as %25', () => {
    expect(encodeSegment('app.module')).toBe('app%2Emodule');
    expect(encodeSegment('x.config')).toBe('x%2Econfig');
    expect(encodeSegment('100%.real')).toBe('100%25%2Ereal');
    expect(encodeSegment('en-US')).toBe('en-US');
  });

  it('turns an encoded segment back into the file name, whatever the case of the escape', () => {
    expect(decodeSegment('app%2Emodule')).toBe('app.module');
    expect(decodeSegment('app%2emodule')).toBe('app.module');
    expect(decodeSegment('100%25%2Ereal')).toBe('100%.real');
  });

  it('round-trips any file name that holds no path separator', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => s !== '' && !/[/\\\0]/.test(s)),
        (stem) => {
          const segment = encodeSegment(stem);
          expect(segment).not.toContain('.');
          expect(decodeSegment(segment)).toBe(stem);
        },
      ),
    );
  });

  it('gives a valid module name for an encoded segment', () => {
    const { system } = memorySystem({ 'src.app%2Emodule': () => undefined, src: { package: true } });
    expect(String(system.importModule(`src.${encodeSegment('app.module')}`))).toContain("'src.app%2Emodule'");
  });
});
