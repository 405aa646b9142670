// BuiltinLoader, Inittab and the naming rule of Node's core modules, through real ImportSystems whose
// meta path holds a one-line finder (the real one, BuiltinImporter, lives in @importlib/finders).
import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import {
  ErrorCodes,
  ImportArgumentError,
  ImportError,
  ImportSystem,
  InvalidModuleNameError,
  ModuleNotFoundError,
  ModuleSpec,
  ModuleType,
  specFromLoader,
} from '@importlib/core';

import {
  BUILTIN_ORIGIN,
  BuiltinLoader,
  Inittab,
  nodeBuiltinId,
  nodeBuiltinName,
  nodeBuiltinNames,
  type InittabInit,
} from '../src/builtin-loader.js';
import { thrownBy } from './helpers.js';

const require = createRequire(import.meta.url);

/** A system that finds every builtin its loader knows, at any level. */
function builtinSystem(entries: Iterable<readonly [string, InittabInit]> = []) {
  const system = new ImportSystem();
  const loader = new BuiltinLoader(system, { inittab: new Inittab(entries) });
  system.metaPath = [
    { findSpec: (name) => (loader.isBuiltin(name) === 0 ? null : specFromLoader(name, loader)) },
  ];
  return { system, loader, inittab: loader.inittab };
}

describe('the names of Node core modules', () => {
  it('writes the / of a Node id as a dot', () => {
    expect(nodeBuiltinName('fs/promises')).toBe('node:fs.promises');
    expect(nodeBuiltinId('node:fs.promises')).toBe('node:fs/promises');
  });

  it('keeps the node: prefix for every core module, listed or not', () => {
    expect(nodeBuiltinName('fs')).toBe('node:fs');
    expect(nodeBuiltinName('node:fs')).toBe('node:fs');
    expect(nodeBuiltinName('node:path/posix')).toBe('node:path.posix');
    expect(nodeBuiltinName('node:test')).toBe('node:test');
  });

  it('keeps the node: prefix of a prefix-only module', () => {
    expect(nodeBuiltinName('node:test')).toBe('node:test');
    expect(nodeBuiltinId('node:test')).toBe('node:test');
  });

  it('accepts the node: prefix on a name', () => {
    expect(nodeBuiltinId('node:fs')).toBe('node:fs');
    expect(nodeBuiltinId('node:fs.promises')).toBe('node:fs/promises');
  });

  it('finds no Node module for a prefix-only module named without its prefix', () => {
    expect(nodeBuiltinId('test')).toBeNull();
  });

  it('finds no Node module for a bare name, which stays free for the user', () => {
    expect(nodeBuiltinId('fs')).toBeNull();
    expect(nodeBuiltinId('fs.promises')).toBeNull();
    expect(nodeBuiltinId('events')).toBeNull();
  });

  it('finds no Node module for names that are not core modules', () => {
    expect(nodeBuiltinId('lodash')).toBeNull();
    expect(nodeBuiltinId('node:fs.nope')).toBeNull();
    expect(nodeBuiltinId('node:lodash')).toBeNull();
    expect(nodeBuiltinId('fs/promises')).toBeNull();
    expect(nodeBuiltinName('lodash')).toBeNull();
  });

  it('lists every core module by a name that maps back to a Node id', () => {
    const names = nodeBuiltinNames();
    expect(names).toEqual(
      expect.arrayContaining(['node:fs', 'node:fs.promises', 'node:path.win32', 'node:test']),
    );
    for (const name of names) {
      const id = nodeBuiltinId(name);
      expect(id, name).not.toBeNull();
      expect(nodeBuiltinName(id as string)).toBe(name);
    }
  });

  it('lists no core module under a bare name', () => {
    const bare = nodeBuiltinNames().filter((name) => !name.startsWith('node:'));
    expect(bare).toEqual([]);
  });
});

describe('BuiltinLoader: Node core modules', () => {
  it("makes Node's own module object the result of the import", () => {
    const { system } = builtinSystem();
    expect(system.importModule('node:fs')).toBe(require('fs'));
    expect(system.modules.get('node:fs')).toBe(require('fs'));
  });

  it("writes no import attributes on Node's shared module object", () => {
    const { system } = builtinSystem();
    const fs = system.importModule('node:fs') as object;
    for (const key of ['__spec__', '__name__', '__loader__', '__package__', '__file__']) {
      expect(Object.hasOwn(fs, key), key).toBe(false);
    }
  });

  it('gives every import system the same Node object', () => {
    const one = builtinSystem().system.importModule('node:path');
    expect(one).toBe(builtinSystem().system.importModule('node:path'));
  });

  it('registers the child modules of a core module, as os registers os.path', () => {
    const { system } = builtinSystem();
    system.importModule('node:stream');
    expect(system.modules.get('node:stream.promises')).toBe(require('stream/promises'));
    expect(system.modules.get('node:stream.web')).toBe(require('stream/web'));
  });

  it('imports a child module through its parent', () => {
    const { system } = builtinSystem();
    expect(system.importModule('node:fs.promises')).toBe(require('fs/promises'));
  });

  it('keeps a child entry that modules already holds', () => {
    const { system } = builtinSystem();
    const mine = { mine: true };
    system.modules.set('node:path.posix', mine);
    system.importModule('node:path');
    expect(system.modules.get('node:path.posix')).toBe(mine);
    expect(system.modules.get('node:path.win32')).toBe(require('path/win32'));
  });

  it('registers a core module and its children under their node: names only', () => {
    const { system } = builtinSystem();
    system.importModule('node:fs');
    expect(system.modules.has('node:fs.promises')).toBe(true);
    expect(system.modules.has('fs')).toBe(false);
    expect(system.modules.has('fs.promises')).toBe(false);
  });

  it('finds no module for the bare name of a core module', () => {
    const { system } = builtinSystem();
    expect(system.findSpec('fs')).toBeNull();
    expect(() => system.importModule('events')).toThrow(ModuleNotFoundError);
  });

  it('imports a prefix-only module', () => {
    const { system } = builtinSystem();
    expect(system.importModule('node:test')).toBe(require('node:test'));
  });

  it('leaves a core module to system.reload(), which refuses it', () => {
    const { system } = builtinSystem();
    const os = system.importModule('node:os');
    expect(() => system.reload(os)).toThrow(ImportArgumentError);
    expect(Object.hasOwn(os as object, '__spec__')).toBe(false);
  });
});

describe('BuiltinLoader: inittab modules', () => {
  it('fills a default module object with the init function', () => {
    const { system } = builtinSystem([['answers', (m) => void (m.answer = 42)]]);
    const module = system.importModule('answers') as ModuleType;
    expect(module).toBeInstanceOf(ModuleType);
    expect(module.answer).toBe(42);
    expect(module.__name__).toBe('answers');
  });

  it('shows the module as built-in in String(module)', () => {
    const { system } = builtinSystem([['answers', () => undefined]]);
    expect(String(system.importModule('answers'))).toBe("<module 'answers' (built-in)>");
  });

  it('gives the module a spec with origin built-in and no file', () => {
    const { system, loader } = builtinSystem([['answers', () => undefined]]);
    const module = system.importModule('answers') as ModuleType;
    expect(module.__spec__?.origin).toBe(BUILTIN_ORIGIN);
    expect(module.__spec__?.hasLocation).toBe(false);
    expect(module.__loader__).toBe(loader);
    expect(module.__file__).toBeUndefined();
  });

  it('wins over a Node core module of the same name', () => {
    const { system } = builtinSystem([['node:os', (m) => void (m.mine = true)]]);
    const module = system.importModule('node:os') as ModuleType;
    expect(module).not.toBe(require('os'));
    expect(module.mine).toBe(true);
  });

  it('runs init again in the same object on reload, keeping attributes it no longer sets', () => {
    let runs = 0;
    const { system } = builtinSystem([
      [
        'counter',
        (m) => {
          runs += 1;
          m[`run${runs}`] = true;
          m.runs = runs;
        },
      ],
    ]);
    const module = system.importModule('counter') as ModuleType;
    expect(system.reload(module)).toBe(module);
    expect(module.runs).toBe(2);
    expect(module.run1).toBe(true);
    expect(module.run2).toBe(true);
  });

  it('removes the module from modules when init throws', () => {
    const { system } = builtinSystem([
      [
        'broken',
        () => {
          throw new Error('init failed');
        },
      ],
    ]);
    expect(() => system.importModule('broken')).toThrow('init failed');
    expect(system.modules.has('broken')).toBe(false);
  });

  it('refuses an init function that returns a promise', () => {
    const init = (async () => undefined) as unknown as InittabInit;
    const { system } = builtinSystem([['later', init]]);
    const error = thrownBy<ImportError>(() => system.importModule('later'));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.moduleName).toBe('later');
    expect(system.modules.has('later')).toBe(false);
  });

  it('keeps the entries of one system from another', () => {
    const one = builtinSystem([['only_here', () => undefined]]);
    const two = builtinSystem();
    expect(one.system.findSpec('only_here')).not.toBeNull();
    expect(two.system.findSpec('only_here')).toBeNull();
  });
});

describe('BuiltinLoader: the loader protocol', () => {
  it('tells an inittab entry (1) from a Node core module (-1) and from no builtin (0)', () => {
    const { loader } = builtinSystem([['mine', () => undefined]]);
    expect(loader.isBuiltin('mine')).toBe(1);
    expect(loader.isBuiltin('node:fs')).toBe(-1);
    expect(loader.isBuiltin('nothing')).toBe(0);
  });

  it('counts the bare name of a core module as no builtin (0)', () => {
    const { loader } = builtinSystem();
    expect(loader.isBuiltin('fs')).toBe(0);
    expect(loader.isBuiltin('fs.promises')).toBe(0);
  });

  it('refuses to create a module for a spec that names no builtin', () => {
    const { loader } = builtinSystem();
    const error = thrownBy<ImportError>(() => loader.createModule(new ModuleSpec('nothing', loader)));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe(ErrorCodes.IMPORT);
    expect(error.moduleName).toBe('nothing');
  });

  it('asks for the default module object for a builtin', () => {
    const { loader } = builtinSystem();
    expect(loader.createModule(new ModuleSpec('node:fs', loader))).toBeNull();
  });

  it('refuses to execute a module named by the bare name of a core module', () => {
    const { loader } = builtinSystem();
    const error = thrownBy<ImportError>(() => loader.execModule(new ModuleType('fs')));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.moduleName).toBe('fs');
  });

  it('has no source and no code, and no packages', () => {
    const { loader } = builtinSystem();
    expect(loader.getSource()).toBeNull();
    expect(loader.getCode()).toBeNull();
    expect(loader.isPackage()).toBe(false);
  });

  it('gives specFromLoader() the built-in origin', () => {
    const { loader } = builtinSystem();
    const spec = specFromLoader('node:fs', loader);
    expect(spec.origin).toBe('built-in');
    expect(spec.hasLocation).toBe(false);
    expect(spec.submoduleSearchLocations).toBeNull();
  });

  it('describes itself in toString()', () => {
    expect(String(builtinSystem().loader)).toBe('<BuiltinLoader>');
  });
});

describe('Inittab', () => {
  it('returns a function that removes the entry it added', () => {
    const inittab = new Inittab();
    const remove = inittab.appendInittab('mine', () => undefined);
    expect(inittab.has('mine')).toBe(true);
    remove();
    expect(inittab.has('mine')).toBe(false);
  });

  it('lists its names in registration order', () => {
    const inittab = new Inittab([
      ['b', () => undefined],
      ['a', () => undefined],
    ]);
    expect(inittab.names()).toEqual(['b', 'a']);
  });

  it('refuses a name it already holds', () => {
    const inittab = new Inittab([['mine', () => undefined]]);
    expect(() => inittab.appendInittab('mine', () => undefined)).toThrow(ImportArgumentError);
  });

  it('refuses a dotted name, since builtins are top-level modules', () => {
    expect(() => new Inittab().appendInittab('a.b', () => undefined)).toThrow(ImportArgumentError);
  });

  it('refuses an invalid module name', () => {
    expect(() => new Inittab().appendInittab('a/b', () => undefined)).toThrow(InvalidModuleNameError);
  });

  it('refuses an init that is not a function', () => {
    const init = 42 as unknown as InittabInit;
    expect(() => new Inittab().appendInittab('mine', init)).toThrow(ImportArgumentError);
  });

  it('adds all entries of extendInittab() or none', () => {
    const inittab = new Inittab([['taken', () => undefined]]);
    expect(() =>
      inittab.extendInittab([
        ['fresh', () => undefined],
        ['taken', () => undefined],
      ]),
    ).toThrow(ImportArgumentError);
    expect(inittab.names()).toEqual(['taken']);
  });

  it('finds an entry appended after the system was made', () => {
    const { system, inittab } = builtinSystem();
    inittab.appendInittab('late', (m) => void (m.late = true));
    expect((system.importModule('late') as ModuleType).late).toBe(true);
  });
});
