// BuiltinImporter (Python's BuiltinImporter, imp.is_builtin, imp.init_builtin; SEMANTICS A12 items
// 119-120) on the meta path of real ImportSystems.
import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import { ImportSystem, ModuleNotFoundError, ModuleType, type ImportEvent } from '@importlib/core';
import { BuiltinLoader, Inittab, type InittabInit } from '@importlib/loaders';

import { BuiltinImporter } from '../src/builtin-importer.js';

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

describe('BuiltinImporter.findSpec (item 119)', () => {
  it('finds a Node core module with origin built-in and no location', () => {
    const { importer } = builtinSystem();
    const spec = importer.findSpec('fs', null);
    expect(spec?.name).toBe('fs');
    expect(spec?.origin).toBe('built-in');
    expect(spec?.hasLocation).toBe(false);
    expect(spec?.submoduleSearchLocations).toBeNull();
  });

  it("gives its specs the importer's BuiltinLoader", () => {
    const { importer } = builtinSystem();
    const spec = importer.findSpec('fs', null);
    expect(spec?.loader).toBe(importer.loader);
    expect(spec?.loader).toBeInstanceOf(BuiltinLoader);
  });

  it('finds an inittab entry', () => {
    const { importer } = builtinSystem([['mine', () => undefined]]);
    expect(importer.findSpec('mine', null)?.origin).toBe('built-in');
  });

  it("finds nothing on a package's path, since builtins are top-level modules", () => {
    const { importer } = builtinSystem([['mine', () => undefined]]);
    expect(importer.findSpec('fs', ['/some/package'])).toBeNull();
    expect(importer.findSpec('mine', [])).toBeNull();
  });

  it('finds nothing for a name that is no builtin', () => {
    const { importer } = builtinSystem();
    expect(importer.findSpec('lodash', null)).toBeNull();
    expect(importer.findSpec('test', null)).toBeNull();
  });

  it("answers the system's findSpec()", () => {
    const { system, importer } = builtinSystem();
    expect(system.findSpec('os')?.loader).toBe(importer.loader);
  });
});

describe('BuiltinImporter: importing', () => {
  it("imports a Node core module as Node's own object", () => {
    const { system } = builtinSystem();
    expect(system.importModule('fs')).toBe(require('fs'));
  });

  it('imports a Node child module such as fs.promises', () => {
    const { system } = builtinSystem();
    expect(system.importModule('fs.promises')).toBe(require('fs/promises'));
  });

  it('imports a core module named with the node: prefix', () => {
    const { system } = builtinSystem();
    expect(system.importModule('node:path')).toBe(require('path'));
  });

  it('imports on the async path too', async () => {
    const { system } = builtinSystem();
    await expect(system.importModuleAsync('util')).resolves.toBe(require('util'));
  });

  it('reports an unknown child of a core module as not found, its parent being no package', () => {
    const { system } = builtinSystem();
    const attempt = () => system.importModule('os.nothing');
    expect(attempt).toThrow(ModuleNotFoundError);
    expect(attempt).toThrow(/'os' is not a package/);
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
    system.importModule('os');
    expect(events).toContainEqual(expect.objectContaining({ type: 'trying', where: '<BuiltinImporter>' }));
  });

  it('serves only its own inittab, not that of another system', () => {
    const one = builtinSystem([['only_one', () => undefined]]);
    const two = builtinSystem();
    expect(one.system.importModule('only_one')).toBeInstanceOf(ModuleType);
    expect(() => two.system.importModule('only_one')).toThrow(ModuleNotFoundError);
  });
});

describe('BuiltinImporter.isBuiltin (item 120)', () => {
  it('returns 1 for an inittab entry, which can be initialised again', () => {
    expect(builtinSystem([['mine', () => undefined]]).importer.isBuiltin('mine')).toBe(1);
  });

  it('returns -1 for a Node core module, which cannot', () => {
    const { importer } = builtinSystem();
    expect(importer.isBuiltin('fs')).toBe(-1);
    expect(importer.isBuiltin('fs.promises')).toBe(-1);
    expect(importer.isBuiltin('node:test')).toBe(-1);
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
    expect(importer.initBuiltin('os')).toBe(require('os'));
    expect(system.modules.get('os')).toBe(require('os'));
  });

  it("puts Node's module object back over another entry of the same name", () => {
    const { system, importer } = builtinSystem();
    system.modules.set('os', { fake: true });
    expect(importer.initBuiltin('os')).toBe(require('os'));
    expect(system.modules.get('os')).toBe(require('os'));
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
