import { describe, expect, it } from 'vitest';
import { ImportSystem, ModuleSpec, type Loader, type MetaPathFinder, type ModuleType } from '@importlib/core';

function memoryFinder(sources: Record<string, (m: ModuleType) => unknown>, packages: string[] = []): MetaPathFinder {
  return {
    findSpec(name) {
      const run = sources[name];
      if (!run) return null;
      const loader: Loader = { createModule: () => null, execModule: (m) => run(m) as void };
      return new ModuleSpec(name, loader, { origin: `mem:${name}`, isPackage: packages.includes(name) });
    },
  };
}

describe('smoke', () => {
  it('imports a package and a submodule, binding the child on the parent', () => {
    const system = new ImportSystem();
    system.metaPath.push(memoryFinder({ a: () => {}, 'a.b': (m) => { m.x = 1; } }, ['a']));
    const b = system.importModule('a.b') as ModuleType;
    expect(b.x).toBe(1);
    expect((system.modules.get('a') as ModuleType).b).toBe(b);
    expect(String(b)).toBe("<module 'a.b' (mem:a.b)>");
  });
  it('async import waits for async module code', async () => {
    const system = new ImportSystem();
    system.metaPath.push(memoryFinder({ t: async (m) => { await new Promise((r) => setTimeout(r, 5)); m.done = true; } }));
    expect(() => system.importModule('t')).toThrow(/asynchronously/);
    const t = (await system.importModuleAsync('t')) as ModuleType;
    expect(t.done).toBe(true);
  });
});
