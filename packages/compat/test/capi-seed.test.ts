// CPython's C API documentation page "Importing Modules" (Doc/c-api/import.rst), walked top to
// bottom: one test per function and per sentence of behaviour. The other PyImport_* behaviours
// (docs/conformance.md#capi) are in capi.test.ts.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  CodeObject,
  ImportArgumentError,
  ImportStateError,
  isModule,
  ModuleSpec,
  type ModuleType,
} from '@importlib/core';
import { loaderContextOf } from '@importlib/hooks';
import { compileFile, SourceFileLoader, SourcelessFileLoader } from '@importlib/loaders';

import { logged, say, thrownBy, useWorkArea } from './helpers.js';

const work = useWorkArea('capi-seed');

/** A code object as `compile()` would give it: no file. */
function compiledString(run: (module: ModuleType) => void): CodeObject {
  return new CodeObject('<string>', run);
}

describe('PyImport_AddModuleObject(name)', () => {
  it('like PyImport_AddModuleRef, returns the module registered under name', () => {
    const { system, capi } = work.capiProject();
    const existing = capi.PyImport_AddModuleRef('mod');
    expect(capi.PyImport_AddModuleObject('mod')).toBe(existing);
    expect(system.modules.get('mod')).toBe(existing);
  });

  it('like PyImport_AddModuleRef, creates and registers an empty module when there is none', () => {
    const { system, capi } = work.capiProject();
    const module = capi.PyImport_AddModuleObject('fresh');
    expect(isModule(module)).toBe(true);
    expect(module.__name__).toBe('fresh');
    expect(Object.keys(module)).toEqual([]);
    expect(system.modules.get('fresh')).toBe(module);
  });

  it('returns a borrowed reference: the very object modules holds, checked to be held', () => {
    const { system, capi } = work.capiProject();
    class Forgetful extends Map<string, unknown> {
      override set(): this {
        return this; // keeps nothing: a borrowed reference into it would dangle
      }
    }
    system.modules = new Forgetful();
    const error = thrownBy(() => capi.PyImport_AddModuleObject('mod'));
    expect(error).toBeInstanceOf(ImportStateError);
    expect(error.message).toMatch(/does not hold/);
  });

  it('takes name as a string (a Python str object): anything else is refused', () => {
    const { capi } = work.capiProject();
    expect(thrownBy(() => capi.PyImport_AddModuleObject(42 as unknown as string))).toBeInstanceOf(
      ImportArgumentError,
    );
  });
});

describe('PyImport_AddModule(name)', () => {
  it('like PyImport_AddModuleRef, gets or creates the module, returning the object modules holds', () => {
    const { system, capi } = work.capiProject();
    const created = capi.PyImport_AddModule('mod');
    expect(system.modules.get('mod')).toBe(created);
    expect(capi.PyImport_AddModule('mod')).toBe(created);
  });
});

describe('PyImport_ExecCodeModule(name, co)', () => {
  it('loads the module from a code object read from a compiled file', () => {
    const { root, system, capi } = work.capiProject({ 'mod.ts': `${say('mod ran')}export const x = 1;\n` });
    const context = loaderContextOf(system)!;
    const compiledFile = join(root, 'mod.jsc');
    copyFileSync(compileFile(join(root, 'mod.ts'), context).cachePath, compiledFile);
    rmSync(join(root, 'mod.ts'));
    const co = new SourcelessFileLoader('mod', compiledFile, context).getCode('mod');
    const module = capi.PyImport_ExecCodeModule('mod', co) as ModuleType;
    expect(module.x).toBe(1);
    expect(logged()).toEqual(['mod ran']);
  });

  it('loads the module from a code object made without a file (as by compile())', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_ExecCodeModule(
      'mod',
      compiledString((m) => void (m.made = 'here')),
    ) as ModuleType;
    expect(module.made).toBe('here');
  });

  it('accepts a name of the form package.module', () => {
    const { system, capi } = work.capiProject();
    const module = capi.PyImport_ExecCodeModule(
      'package.module',
      compiledString(() => undefined),
    );
    expect(system.modules.get('package.module')).toBe(module);
    expect((module as ModuleType).__name__).toBe('package.module');
  });

  it('returns the module object: what modules holds for the name once the code ran', () => {
    const { system, capi } = work.capiProject();
    const replacement = { replaced: true };
    const result = capi.PyImport_ExecCodeModule(
      'mod',
      compiledString(() => void system.modules.set('mod', replacement)),
    );
    expect(result).toBe(replacement);
  });

  it('throws the error (C: NULL with an exception set) when the code fails', () => {
    const { capi } = work.capiProject();
    const failure = new RangeError('broken');
    const co = compiledString(() => {
      throw failure;
    });
    expect(thrownBy(() => capi.PyImport_ExecCodeModule('mod', co))).toBe(failure);
  });

  it('removes name from modules in error cases', () => {
    const { system, capi } = work.capiProject();
    const co = compiledString(() => {
      throw new Error('broken');
    });
    thrownBy(() => capi.PyImport_ExecCodeModule('mod', co));
    expect(system.modules.has('mod')).toBe(false);
  });

  it('removes name from modules in error cases even if it was already there on entry', () => {
    const { system, capi } = work.capiProject();
    const before = capi.PyImport_AddModule('mod');
    const co = compiledString(() => {
      throw new Error('broken');
    });
    thrownBy(() => capi.PyImport_ExecCodeModule('mod', co));
    expect(system.modules.has('mod')).toBe(false);
    expect(before.__name__).toBe('mod'); // the caller still holds it, to restore if it wants
  });

  it('leaves no incompletely initialized module behind: the next import runs the module afresh', () => {
    const { system, capi } = work.capiProject({
      'mod.ts': `${say('real mod ran')}export const ok = true;\n`,
    });
    const co = compiledString((m) => {
      m.half = true;
      throw new Error('broken');
    });
    thrownBy(() => capi.PyImport_ExecCodeModule('mod', co));
    const module = system.importModule('mod') as ModuleType;
    expect(module.ok).toBe(true);
    expect(module.half).toBeUndefined();
    expect(logged()).toEqual(['real mod ran']);
  });

  it('sets __spec__ and __loader__ when they are not set already', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_ExecCodeModule(
      'mod',
      compiledString(() => undefined),
    ) as ModuleType;
    expect(module.__spec__).toBeInstanceOf(ModuleSpec);
    expect(module.__spec__?.name).toBe('mod');
    expect(module.__loader__).not.toBeNull();
  });

  it('keeps __spec__ and __loader__ that are set already', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_AddModule('mod');
    const loader = { execModule: () => undefined, createModule: () => null };
    const spec = new ModuleSpec('mod', loader);
    module.__spec__ = spec;
    module.__loader__ = loader;
    capi.PyImport_ExecCodeModule(
      'mod',
      compiledString(() => undefined),
    );
    expect(module.__spec__).toBe(spec);
    expect(module.__loader__).toBe(loader);
  });

  it("sets the spec's loader to the module's __loader__ when that is set", () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_AddModule('mod');
    const loader = { execModule: () => undefined, createModule: () => null };
    module.__loader__ = loader;
    capi.PyImport_ExecCodeModule(
      'mod',
      compiledString(() => undefined),
    );
    expect(module.__spec__?.loader).toBe(loader);
  });

  it("sets the spec's loader to a SourceFileLoader otherwise", () => {
    const { root, system, capi } = work.capiProject({ 'mod.ts': 'export const x = 1;\n' });
    const path = join(root, 'mod.ts');
    const co = new SourceFileLoader('mod', path, loaderContextOf(system)!).getCode('mod');
    const module = capi.PyImport_ExecCodeModule('mod', co) as ModuleType;
    expect(module.__loader__).toBeInstanceOf(SourceFileLoader);
    expect(module.__spec__?.loader).toBe(module.__loader__);
  });

  it("sets __file__ to the code object's co_filename", () => {
    const { root, system, capi } = work.capiProject({ 'mod.ts': '' });
    const path = join(root, 'mod.ts');
    const co = new SourceFileLoader('mod', path, loaderContextOf(system)!).getCode('mod');
    expect((capi.PyImport_ExecCodeModule('mod', co) as ModuleType).__file__).toBe(co.filename);
    expect(co.filename).toBe(path);
  });

  it('also sets __cached__ where applicable: when the compiled file is known', () => {
    const { root, system, capi } = work.capiProject({ 'mod.ts': '' });
    const path = join(root, 'mod.ts');
    const cpath = compileFile(path, loaderContextOf(system)!).cachePath;
    const co = new SourceFileLoader('mod', path, loaderContextOf(system)!).getCode('mod');
    const module = capi.PyImport_ExecCodeModuleWithPathnames('mod', co, path, cpath) as ModuleType;
    expect(module.__cached__).toBe(cpath);
    expect(module.__spec__?.cached).toBe(cpath);
  });

  it('reloads the module if it was already imported: the same object runs the code again', () => {
    const { system, capi } = work.capiProject({ 'mod.ts': 'export const first = 1;\n' });
    const module = system.importModule('mod') as ModuleType;
    const again = capi.PyImport_ExecCodeModule(
      'mod',
      compiledString((m) => void (m.second = 2)),
    );
    expect(again).toBe(module);
    expect(module.first).toBe(1);
    expect(module.second).toBe(2);
  });

  it('leaves reloading the intended way to PyImport_ReloadModule, which finds the module again', () => {
    const { system, capi } = work.capiProject({ 'mod.ts': `${say('mod ran')}` });
    const module = system.importModule('mod');
    expect(capi.PyImport_ReloadModule(module)).toBe(module);
    expect(logged()).toEqual(['mod ran', 'mod ran']);
  });

  it('creates no package structures for a dotted name', () => {
    const { system, capi } = work.capiProject({ 'package/__init__.ts': `${say('package ran')}` });
    capi.PyImport_ExecCodeModule(
      'package.module',
      compiledString(() => undefined),
    );
    expect(system.modules.has('package')).toBe(false);
    expect(logged()).toEqual([]);
  });

  it('PyImport_ExecCodeModuleEx (see also) sets __file__ to the pathname given', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_ExecCodeModuleEx(
      'mod',
      compiledString(() => undefined),
      '/somewhere/mod.ts',
    ) as ModuleType;
    expect(module.__file__).toBe('/somewhere/mod.ts');
  });

  it('PyImport_ExecCodeModuleWithPathnames (see also) sets __file__ and __cached__', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_ExecCodeModuleWithPathnames(
      'mod',
      compiledString(() => undefined),
      '/somewhere/mod.ts',
      '/somewhere/__pycache__/mod.ts.importlib-1.jsc',
    ) as ModuleType;
    expect(module.__file__).toBe('/somewhere/mod.ts');
    expect(module.__cached__).toBe('/somewhere/__pycache__/mod.ts.importlib-1.jsc');
  });
});
