// BuiltinImporter (Python's BuiltinImporter, imp.is_builtin, imp.init_builtin;
// docs/conformance.md#builtins) on the meta path of real ImportSystems.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  ImportSystem,
  ModuleNotFoundError,
  ModuleType,
  type ImportEvent,
  type Loader,
} from '@importlib/core';
import { BuiltinLoader, Inittab, resolveSpecifier, type InittabInit } from '@importlib/loaders';

import { BuiltinImporter } from '../src/builtin-importer.js';
import { FileFinder } from '../src/index.js';

const require = createRequire(import.meta.url);

/** A system whose meta path holds only a BuiltinImporter with `entries` in its inittab. */
function builtinSystem(entries: Iterable<readonly [string, InittabInit]> = []) {
  const system = new ImportSystem();
  const inittab = new Inittab(entries);
  const importer = new BuiltinImporter({ system, inittab });
  system.metaPath = [importer];
  return { system, importer, inittab };
}

/** An init that counts its runs on the module (`runs`) and in `counter.runs`. */
function countingInit(counter = { runs: 0 }): InittabInit {
  return (module) => {
    counter.runs += 1;
    module.runs = counter.runs;
  };
}

describe('BuiltinImporter.findSpec', () => {
  it('finds a Node core module with origin built-in and no location', () => {
    const { importer } = builtinSystem();
    const spec = importer.findSpec('node:fs', null);
    expect(spec?.name).toBe('node:fs');
    expect(spec?.origin).toBe('built-in');
    expect(spec?.hasLocation).toBe(false);
    expect(spec?.submoduleSearchLocations).toBeNull();
  });

  it("gives its specs the importer's BuiltinLoader", () => {
    const { importer } = builtinSystem();
    const spec = importer.findSpec('node:fs', null);
    expect(spec?.loader).toBe(importer.loader);
    expect(spec?.loader).toBeInstanceOf(BuiltinLoader);
  });

  it('finds an inittab entry', () => {
    const { importer } = builtinSystem([['mine', () => undefined]]);
    expect(importer.findSpec('mine', null)?.origin).toBe('built-in');
  });

  it("finds nothing on a package's path, since builtins are top-level modules", () => {
    const { importer } = builtinSystem([['mine', () => undefined]]);
    expect(importer.findSpec('node:fs', ['/some/package'])).toBeNull();
    expect(importer.findSpec('mine', [])).toBeNull();
  });

  it('finds nothing for a name that is no builtin', () => {
    const { importer } = builtinSystem();
    expect(importer.findSpec('lodash', null)).toBeNull();
    expect(importer.findSpec('test', null)).toBeNull();
  });

  it("finds nothing for the bare name of a core module, which is left to the user's modules", () => {
    const { importer } = builtinSystem();
    expect(importer.findSpec('fs', null)).toBeNull();
    expect(importer.findSpec('fs.promises', null)).toBeNull();
    expect(importer.findSpec('events', null)).toBeNull();
  });

  it("answers the system's findSpec()", () => {
    const { system, importer } = builtinSystem();
    expect(system.findSpec('node:os')?.loader).toBe(importer.loader);
  });
});

describe('BuiltinImporter: importing', () => {
  it("imports a Node core module as Node's own object", () => {
    const { system } = builtinSystem();
    expect(system.importModule('node:fs')).toBe(require('fs'));
  });

  it('imports a Node child module such as node:fs.promises', () => {
    const { system } = builtinSystem();
    expect(system.importModule('node:fs.promises')).toBe(require('fs/promises'));
  });

  it('imports a prefix-only core module such as node:test', () => {
    const { system } = builtinSystem();
    expect(system.importModule('node:test')).toBe(require('node:test'));
  });

  it('does not import a core module by its bare name', () => {
    const { system } = builtinSystem();
    expect(() => system.importModule('path')).toThrow(ModuleNotFoundError);
    expect(system.modules.has('path')).toBe(false);
  });

  it('imports on the async path too', async () => {
    const { system } = builtinSystem();
    await expect(system.importModuleAsync('node:util')).resolves.toBe(require('util'));
  });

  it('reports an unknown child of a core module as not found, its parent being no package', () => {
    const { system } = builtinSystem();
    const attempt = () => system.importModule('node:os.nothing');
    expect(attempt).toThrow(ModuleNotFoundError);
    expect(attempt).toThrow(/'node:os' is not a package/);
  });

  it("imports an inittab module shown as <module 'name' (built-in)>", () => {
    const { system } = builtinSystem([['mine', (m) => void (m.value = 1)]]);
    const module = system.importModule('mine') as ModuleType;
    expect(module.value).toBe(1);
    expect(String(module)).toBe("<module 'mine' (built-in)>");
  });

  it('names itself in trace events', () => {
    const { system } = builtinSystem();
    const events: ImportEvent[] = [];
    system.addTracer((event) => events.push(event));
    system.importModule('node:os');
    expect(events).toContainEqual(expect.objectContaining({ type: 'trying', where: '<BuiltinImporter>' }));
  });

  it('serves only its own inittab, not that of another system', () => {
    const one = builtinSystem([['only_one', () => undefined]]);
    const two = builtinSystem();
    expect(one.system.importModule('only_one')).toBeInstanceOf(ModuleType);
    expect(() => two.system.importModule('only_one')).toThrow(ModuleNotFoundError);
  });
});

describe('BuiltinImporter.isBuiltin', () => {
  it('returns 1 for an inittab entry, which can be initialised again', () => {
    expect(builtinSystem([['mine', () => undefined]]).importer.isBuiltin('mine')).toBe(1);
  });

  it('returns -1 for a Node core module, which cannot', () => {
    const { importer } = builtinSystem();
    expect(importer.isBuiltin('node:fs')).toBe(-1);
    expect(importer.isBuiltin('node:fs.promises')).toBe(-1);
    expect(importer.isBuiltin('node:test')).toBe(-1);
  });

  it('returns 0 for the bare name of a core module', () => {
    const { importer } = builtinSystem();
    expect(importer.isBuiltin('fs')).toBe(0);
    expect(importer.isBuiltin('fs.promises')).toBe(0);
    expect(importer.isBuiltin('events')).toBe(0);
  });

  it('returns 0 when there is no such builtin', () => {
    const { importer } = builtinSystem();
    expect(importer.isBuiltin('nothing')).toBe(0);
    expect(importer.isBuiltin('test')).toBe(0);
  });

  it('follows the inittab as entries come and go', () => {
    const { importer, inittab } = builtinSystem();
    const remove = inittab.appendInittab('late', () => undefined);
    expect(importer.isBuiltin('late')).toBe(1);
    remove();
    expect(importer.isBuiltin('late')).toBe(0);
  });
});

describe('BuiltinImporter.initBuiltin (imp.init_builtin)', () => {
  it('returns null when there is no such builtin', () => {
    const { system, importer } = builtinSystem();
    expect(importer.initBuiltin('nothing')).toBeNull();
    expect(system.modules.has('nothing')).toBe(false);
  });

  it('imports an inittab module that is not imported yet and stores it in modules', () => {
    const counter = { runs: 0 };
    const { system, importer } = builtinSystem([['mine', countingInit(counter)]]);
    const module = importer.initBuiltin('mine') as ModuleType;
    expect(module).toBeInstanceOf(ModuleType);
    expect(system.modules.get('mine')).toBe(module);
    expect(counter.runs).toBe(1);
    expect(String(module)).toBe("<module 'mine' (built-in)>");
  });

  it('runs init again on an imported inittab module, in the same object', () => {
    const { system, importer } = builtinSystem([['mine', countingInit()]]);
    const module = system.importModule('mine') as ModuleType;
    module.extra = 'kept';
    expect(importer.initBuiltin('mine')).toBe(module);
    expect(module.runs).toBe(2);
    expect(module.extra).toBe('kept');
  });

  it('gives a spec to a module object that was registered without one', () => {
    const { system, importer } = builtinSystem([['mine', countingInit()]]);
    const module = system.addModule('mine');
    expect(importer.initBuiltin('mine')).toBe(module);
    expect(module.__spec__?.origin).toBe('built-in');
    expect(module.runs).toBe(1);
  });

  it('removes a new module from modules when its init throws', () => {
    const { system, importer } = builtinSystem([
      [
        'broken',
        () => {
          throw new Error('init failed');
        },
      ],
    ]);
    expect(() => importer.initBuiltin('broken')).toThrow('init failed');
    expect(system.modules.has('broken')).toBe(false);
  });

  it('keeps an imported module in modules when init throws on re-initialisation', () => {
    let fail = false;
    const { system, importer } = builtinSystem([
      [
        'flaky',
        () => {
          if (fail) throw new Error('second init failed');
        },
      ],
    ]);
    const module = system.importModule('flaky');
    fail = true;
    expect(() => importer.initBuiltin('flaky')).toThrow('second init failed');
    expect(system.modules.get('flaky')).toBe(module);
  });

  it("returns Node's module object for a core module and stores it in modules", () => {
    const { system, importer } = builtinSystem();
    expect(importer.initBuiltin('node:os')).toBe(require('os'));
    expect(system.modules.get('node:os')).toBe(require('os'));
  });

  it("puts Node's module object back over another entry of the same name", () => {
    const { system, importer } = builtinSystem();
    system.modules.set('node:os', { fake: true });
    expect(importer.initBuiltin('node:os')).toBe(require('os'));
    expect(system.modules.get('node:os')).toBe(require('os'));
  });

  it('returns null for the bare name of a core module, leaving a user module of that name alone', () => {
    const { system, importer } = builtinSystem();
    const mine = { mine: true };
    system.modules.set('os', mine);
    expect(importer.initBuiltin('os')).toBeNull();
    expect(system.modules.get('os')).toBe(mine);
  });
});

describe('BuiltinImporter: description', () => {
  it('describes itself in toString()', () => {
    expect(String(builtinSystem().importer)).toBe('<BuiltinImporter>');
  });

  it('makes an empty inittab of its own when given none', () => {
    const importer = new BuiltinImporter({ system: new ImportSystem() });
    expect(importer.inittab.names()).toEqual([]);
    expect(importer.loader.inittab).toBe(importer.inittab);
  });
});

// Why core modules live under node: names only: projects have folders called `events`, `util`, `http`…,
// and a BuiltinImporter first on the meta path must not take those names from them.
describe("BuiltinImporter before the path finder: the user's own events package", () => {
  const roots: string[] = [];

  afterEach(() => {
    for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
  });

  /** A fake loader: runs nothing, but marks the module with the file it was found at. */
  const fileLoader = (_fullname: string, file: string): Loader => ({
    createModule: () => null,
    execModule(module: ModuleType): void {
      module.loadedFrom = file;
    },
  });

  /**
   * A folder holding the package `events/` (`__init__.ts`, `bus.ts`), and a system searching it with
   * a BuiltinImporter first on its meta path, then the path finder.
   */
  function projectSystem() {
    const root = fs.mkdtempSync(join(os.tmpdir(), 'importlib-builtin-importer-'));
    roots.push(root);
    fs.mkdirSync(join(root, 'events'));
    fs.writeFileSync(join(root, 'events', '__init__.ts'), '');
    fs.writeFileSync(join(root, 'events', 'bus.ts'), '');
    const system = new ImportSystem({ path: [root] });
    system.pathHooks = [FileFinder.pathHook([fileLoader, ['.ts']])];
    system.metaPath = [new BuiltinImporter({ system }), system.pathFinder];
    return { system, root };
  }

  it('imports the folder events/ as the package events', () => {
    const { system, root } = projectSystem();
    const events = system.importModule('events') as ModuleType;
    expect(events).not.toBe(require('events'));
    expect(events.loadedFrom).toBe(join(root, 'events', '__init__.ts'));
  });

  it('imports events/bus.ts as the submodule events.bus', () => {
    const { system, root } = projectSystem();
    const bus = system.importModule('events.bus') as ModuleType;
    expect(bus.loadedFrom).toBe(join(root, 'events', 'bus.ts'));
  });

  it("finds the project's events.bus for './events/bus' written in a top-level module", () => {
    const { system, root } = projectSystem();
    const target = resolveSpecifier('./events/bus', 'main', '', join(root, 'main.ts'));
    expect(target).toEqual({ kind: 'relative', name: 'events.bus' });
    expect((system.importModule(target.name as string) as ModuleType).loadedFrom).toBe(
      join(root, 'events', 'bus.ts'),
    );
  });

  it("still imports Node's events as node:events", () => {
    const { system } = projectSystem();
    expect(system.importModule('node:events')).toBe(require('events'));
  });

  it("still gives module code that writes 'events' Node's events", () => {
    const { system, root } = projectSystem();
    const target = resolveSpecifier('events', 'main', '', join(root, 'main.ts'));
    expect(target).toEqual({ kind: 'builtin', name: 'node:events' });
    expect(system.importModule(target.name as string)).toBe(require('events'));
  });

  it("keeps the user's events and Node's node:events side by side in modules", () => {
    const { system, root } = projectSystem();
    system.importModule('events');
    system.importModule('node:events');
    expect((system.modules.get('events') as ModuleType).loadedFrom).toBe(join(root, 'events', '__init__.ts'));
    expect(system.modules.get('node:events')).toBe(require('events'));
  });
});
