// ImportSystem.outerImportId: the id of the outermost synchronous import in progress, which lets a
// finder keep a check (a folder's mtime) for the length of one import instead of one lookup.
import { describe, expect, it } from 'vitest';

import { ImportSystem, type MetaPathFinder, type ModuleSpec } from '@importlib/core';

import { MemoryFinder } from './helpers.js';

/** A system whose finder records the outerImportId it sees for every name it is asked about. */
function recording(defs: ConstructorParameters<typeof MemoryFinder>[1]): {
  system: ImportSystem;
  seen: Map<string, number | null>;
} {
  const system = new ImportSystem();
  const inner = new MemoryFinder(system, defs);
  const seen = new Map<string, number | null>();
  const finder: MetaPathFinder = {
    findSpec(name: string): ModuleSpec | null {
      seen.set(name, system.outerImportId);
      return inner.findSpec(name);
    },
  };
  system.metaPath.push(finder);
  return { system, seen };
}

describe('outerImportId', () => {
  it('is null while no import runs', () => {
    expect(new ImportSystem().outerImportId).toBeNull();
  });

  it('is the same for every lookup of one import, nested imports included', () => {
    const { system, seen } = recording({
      a: (_m, s) => s.importModule('b'),
      b: (_m, s) => s.importModule('c'),
      c: () => undefined,
    });
    system.importModule('a');
    const ids = [seen.get('a'), seen.get('b'), seen.get('c')];
    expect(ids[0]).not.toBeNull();
    expect(new Set(ids).size).toBe(1);
    expect(system.outerImportId).toBeNull();
  });

  it('changes from one outer import to the next', () => {
    const { system, seen } = recording({ a: () => undefined, b: () => undefined });
    system.importModule('a');
    system.importModule('b');
    expect(seen.get('a')).not.toBe(seen.get('b'));
  });

  it('also covers findSpec and an import that fails', () => {
    const { system, seen } = recording({
      boom: () => {
        throw new Error('boom');
      },
    });
    expect(() => system.importModule('boom')).toThrow('boom');
    expect(system.outerImportId).toBeNull();
    system.findSpec('other');
    expect(seen.get('other')).not.toBeNull();
    expect(seen.get('other')).not.toBe(seen.get('boom'));
  });

  it('is null on the async path once it has waited (an async import may wait without end)', async () => {
    const { system, seen } = recording({
      slow: async (_m, s) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return s.importModuleAsync('after');
      },
      after: () => undefined,
    });
    await system.importModuleAsync('slow');
    expect(seen.get('after')).toBeNull();
  });
});
