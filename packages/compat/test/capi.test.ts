// The PyImport_* C API (docs/conformance.md#capi) and PyImport_GetModule
// (docs/conformance.md#get-module), one describe per behaviour, plus the C API functions the C API
// documentation page does not cover (magic, frozen, inittab, importer). That page's own sentences
// are in capi-seed.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  CodeObject,
  ImportArgumentError,
  ImportError,
  ImportStateError,
  ModuleNotFoundError,
  ModuleSpec,
  type ModuleType,
} from '@importlib/core';
import { createImportSystem, loaderContextOf } from '@importlib/hooks';
import { FileFinder } from '@importlib/finders';
import {
  cacheFromSource,
  compileFile,
  MAGIC_TAG,
  SourceFileLoader,
  SourcelessFileLoader,
} from '@importlib/loaders';

import { createCapi, createImp, type ImportFunction } from '@importlib/compat';

import { logged, rejectionOf, say, thrownBy, useWorkArea } from './helpers.js';

const work = useWorkArea('capi');

const noop = (): CodeObject => new CodeObject('<string>', () => undefined);

describe('PyImport_AddModuleRef(name) is get-or-create', () => {
  it('returns modules[name] when that is a module object', () => {
    const { system, capi } = work.capiProject({ 'm.ts': '' });
    const module = system.importModule('m');
    expect(capi.PyImport_AddModuleRef('m')).toBe(module);
  });

  it('otherwise creates an empty module and stores it, replacing a value that is not a module', () => {
    const { system, capi } = work.capiProject();
    system.modules.set('m', 'not a module');
    const module = capi.PyImport_AddModuleRef('m');
    expect(module.__name__).toBe('m');
    expect(system.modules.get('m')).toBe(module);
  });

  it('never imports or executes anything', () => {
    const { system, capi } = work.capiProject({ 'm.ts': `${say('m ran')}` });
    const asked: string[] = [];
    system.metaPath.unshift({
      findSpec: (name) => {
        asked.push(name);
        return null;
      },
    });
    capi.PyImport_AddModuleRef('m');
    expect(asked).toEqual([]);
    expect(logged()).toEqual([]);
  });
});

describe('dotted names create no packages (PyImport_AddModuleObject: dotted name)', () => {
  it('AddModule and ExecCodeModule with a.b neither create nor import a', () => {
    const { system, capi } = work.capiProject({ 'a/__init__.ts': `${say('a ran')}` });
    capi.PyImport_AddModule('a.b');
    capi.PyImport_ExecCodeModule('a.c', noop());
    expect(system.modules.has('a')).toBe(false);
    expect(logged()).toEqual([]);
  });

  it('and do not set a.b on a package a that exists', () => {
    const { system, capi } = work.capiProject({ 'a/__init__.ts': '' });
    const a = system.importModule('a') as ModuleType;
    capi.PyImport_AddModule('a.b');
    capi.PyImport_ExecCodeModule('a.c', noop());
    expect(Object.keys(a)).toEqual([]);
  });
});

describe('reference semantics (PyImport_AddModuleObject: borrowed reference)', () => {
  class Forgetful extends Map<string, unknown> {
    override set(): this {
      return this;
    }
  }

  it('PyImport_AddModuleRef returns a strong reference: the module, even when modules keeps nothing', () => {
    const { system, capi } = work.capiProject();
    system.modules = new Forgetful();
    expect(capi.PyImport_AddModuleRef('m').__name__).toBe('m');
  });

  it('PyImport_AddModuleObject / PyImport_AddModule raise when modules does not keep the module (RuntimeError)', () => {
    const { system, capi } = work.capiProject();
    system.modules = new Forgetful();
    expect(thrownBy(() => capi.PyImport_AddModule('m'))).toBeInstanceOf(ImportStateError);
    expect(thrownBy(() => capi.PyImport_AddModuleObject('m'))).toBeInstanceOf(ImportStateError);
  });
});

describe('PyImport_ExecCodeModule(name, co) (PyImport_ExecCodeModuleObject)', () => {
  it('gets or creates the module and reuses its namespace, so it reloads when present', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_AddModule('m');
    module.kept = true;
    capi.PyImport_ExecCodeModule('m', new CodeObject('<string>', (m) => void (m.added = true)));
    expect([module.kept, module.added]).toEqual([true, true]);
  });

  it('runs the fix-up, executes co, then returns modules[name]', () => {
    const { system, capi } = work.capiProject();
    let fileDuringRun: unknown;
    const result = capi.PyImport_ExecCodeModule(
      'm',
      new CodeObject('/x/m.ts', (m) => void (fileDuringRun = m.__file__)),
    );
    expect(fileDuringRun).toBe('/x/m.ts');
    expect(result).toBe(system.modules.get('m'));
  });

  it("raises ImportError ('Loaded module … not found') when the code removed its own entry", () => {
    const { system, capi } = work.capiProject();
    const error = thrownBy(() =>
      capi.PyImport_ExecCodeModule('m', new CodeObject('<string>', () => void system.modules.delete('m'))),
    );
    expect(error).toBeInstanceOf(ImportError);
    expect(error.message).toMatch(/Loaded module 'm' not found/);
  });
});

describe('failure removes the entry (PyImport_ExecCodeModuleObject: remove_module)', () => {
  it('removes name from modules on failure even when it was imported normally before', () => {
    const { system, capi } = work.capiProject({ 'm.ts': '' });
    system.importModule('m');
    const co = new CodeObject('<string>', () => {
      throw new Error('no');
    });
    thrownBy(() => capi.PyImport_ExecCodeModule('m', co));
    expect(system.modules.has('m')).toBe(false);
  });
});

describe('the fix-up (_fix_up_module)', () => {
  it('gives a SourcelessFileLoader when pathname === cpathname', () => {
    const { root, system, capi } = work.capiProject({ 'm.ts': 'export const x = 1;\n' });
    const context = loaderContextOf(system)!;
    const cpath = compileFile(join(root, 'm.ts'), context).cachePath;
    const co = new SourcelessFileLoader('m', cpath, context).getCode('m');
    const module = capi.PyImport_ExecCodeModuleObject('m', co, cpath, cpath) as ModuleType;
    expect(module.__loader__).toBeInstanceOf(SourcelessFileLoader);
  });

  it('else a SourceFileLoader, with the spec made from the file location and cached = abspath(cpathname)', () => {
    const { root, system, capi } = work.capiProject({ 'm.ts': '' });
    const source = join(root, 'm.ts');
    const co = new SourceFileLoader('m', source, loaderContextOf(system)!).getCode('m');
    const relativeCached = 'some/where/m.jsc';
    const module = capi.PyImport_ExecCodeModuleObject('m', co, source, relativeCached) as ModuleType;
    expect(module.__loader__).toBeInstanceOf(SourceFileLoader);
    expect(module.__spec__?.origin).toBe(source);
    expect(module.__spec__?.cached).toBe(join(process.cwd(), relativeCached));
  });

  it('always sets __file__ = pathname and __cached__ = cpathname, over earlier values, keeping __spec__', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_AddModule('m');
    const spec = new ModuleSpec('m', null);
    module.__spec__ = spec;
    module.__file__ = '/old.ts';
    module.__cached__ = '/old.jsc';
    capi.PyImport_ExecCodeModuleObject('m', noop(), '/new.ts', '/new.jsc');
    expect([module.__file__, module.__cached__]).toEqual(['/new.ts', '/new.jsc']);
    expect(module.__spec__).toBe(spec);
  });
});

describe('pathname defaults across the variants (PyImport_ExecCodeModuleWithPathnames)', () => {
  it('ExecCodeModule: __file__ falls back to co.filename', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_ExecCodeModule('m', new CodeObject('/from/co.ts', () => undefined));
    expect((module as ModuleType).__file__).toBe('/from/co.ts');
  });

  it('…Ex(pathname): __file__ = pathname', () => {
    const { capi } = work.capiProject();
    const module = capi.PyImport_ExecCodeModuleEx(
      'm',
      new CodeObject('/from/co.ts', () => undefined),
      '/p.ts',
    );
    expect((module as ModuleType).__file__).toBe('/p.ts');
  });

  it('…WithPathnames(null, cpathname): the source its cache path names, when that file exists', () => {
    const { root, capi } = work.capiProject({ 'm.ts': '' });
    const cpath = cacheFromSource(join(root, 'm.ts'));
    const module = capi.PyImport_ExecCodeModuleWithPathnames('m', noop(), null, cpath) as ModuleType;
    expect(module.__file__).toBe(join(root, 'm.ts'));
    expect(module.__cached__).toBe(cpath);
  });

  it("…WithPathnames(null, cpathname): else cpathname without its trailing 'c' (x.jsc → x.js), when that exists", () => {
    const { root, capi } = work.capiProject({ 'm.js': '' });
    const module = capi.PyImport_ExecCodeModuleWithPathnames(
      'm',
      noop(),
      null,
      join(root, 'm.jsc'),
    ) as ModuleType;
    expect(module.__file__).toBe(join(root, 'm.js'));
  });

  it('…WithPathnames(null, cpathname): keeps the compiled path when no such source exists', () => {
    const { root, capi } = work.capiProject();
    const module = capi.PyImport_ExecCodeModuleWithPathnames(
      'm',
      noop(),
      null,
      join(root, 'm.jsc'),
    ) as ModuleType;
    expect(module.__file__).toBe(join(root, 'm.jsc'));
  });
});

describe('PyImport_Import(name)', () => {
  it("calls the __import__ of globals' __builtins__ with level 0 and an empty fromlist", () => {
    const { system, capi } = work.capiProject({ 'm.ts': '' });
    const calls: unknown[][] = [];
    const hook: ImportFunction = (...args) => {
      calls.push(args);
      return system.__import__(...args);
    };
    const globals = { __name__: 'caller', __builtins__: { __import__: hook } };
    capi.PyImport_Import('m', globals);
    expect(calls).toEqual([['m', globals, globals, [], 0]]);
  });

  it('returns modules[name], the leaf, not the top package __import__ returns', () => {
    const { system, capi } = work.capiProject({ 'a/__init__.ts': '', 'a/b.ts': '' });
    expect(capi.PyImport_Import('a.b')).toBe(system.modules.get('a.b'));
    expect(capi.PyImport_ImportModule('a.b')).toBe(system.modules.get('a.b'));
  });

  it("raises ImportError (Python's KeyError) when the entry is missing afterwards", () => {
    const { capi } = work.capiProject();
    const error = thrownBy(() => capi.PyImport_Import('m', { __builtins__: { __import__: () => ({}) } }));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.message).toMatch(/KeyError/);
  });

  it('uses the standard __import__ (system.__import__) when there are no globals', () => {
    const { system, capi } = work.capiProject({ 'm.ts': 'export const x = 1;\n' });
    expect(capi.PyImport_Import('m')).toBe(system.modules.get('m'));
  });
});

describe('PyImport_ReloadModule(m)', () => {
  it('is reload(m): the module runs again in place', () => {
    const { root, system, capi } = work.capiProject({ 'm.ts': 'export const v = 1;\n' });
    const module = system.importModule('m') as ModuleType;
    writeFileSync(join(root, 'm.ts'), 'export const v = 2;\n');
    expect(capi.PyImport_ReloadModule(module)).toBe(module);
    expect(module.v).toBe(2);
  });

  it('leaves the module in modules when the reload fails', () => {
    const { root, system, capi } = work.capiProject({ 'm.ts': 'export const v = 1;\n' });
    const module = system.importModule('m');
    writeFileSync(join(root, 'm.ts'), 'throw new Error("reload fails");\n');
    expect(() => capi.PyImport_ReloadModule(module)).toThrow('reload fails');
    expect(system.modules.get('m')).toBe(module);
  });
});

describe('PyImport_ImportModuleLevel mirrors __import__ (PyImport_ImportModuleLevelObject)', () => {
  let limit: number;
  beforeEach(() => {
    limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
  });
  afterEach(() => {
    Error.stackTraceLimit = limit;
  });

  const frames = (error: Error): string[] => (error.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  const machinery = /packages[\\/](core|loaders|finders|hooks|compat)[\\/]src[\\/]/;

  it('returns the top package without a fromlist and the named module with one', () => {
    const { system, capi } = work.capiProject({ 'a/__init__.ts': '', 'a/b.ts': '' });
    expect(capi.PyImport_ImportModuleLevel('a.b')).toBe(system.modules.get('a'));
    expect(capi.PyImport_ImportModuleLevel('a.b', null, null, ['x'])).toBe(system.modules.get('a.b'));
  });

  it('resolves a relative name against the package globals name, with level', () => {
    const { system, capi } = work.capiProject({ 'a/__init__.ts': '', 'a/b.ts': '', 'a/c.ts': '' });
    system.importModule('a.b');
    const result = capi.PyImport_ImportModuleLevel('c', { __package__: 'a' }, null, ['*'], 1);
    expect(result).toBe(system.modules.get('a.c'));
  });

  it("removes every frame of the import machinery from an ImportError's stack", () => {
    const { capi } = work.capiProject();
    const error = thrownBy(() => capi.PyImport_ImportModuleLevel('absent'));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(frames(error).some((l) => machinery.test(l))).toBe(false);
    expect(frames(error).some((l) => l.includes('capi.test.ts'))).toBe(true);
  });

  it("keeps the module code's frames of another error and removes the machinery's frames beneath them", () => {
    const { root, capi } = work.capiProject({
      'bad.ts': 'export function fail() {\n  throw new RangeError("bad");\n}\nfail();\n',
    });
    const error = thrownBy(() => capi.PyImport_ImportModuleLevel('bad'));
    expect(error).toBeInstanceOf(RangeError);
    const stack = frames(error);
    expect(stack[0], error.stack).toContain(join(root, 'bad.ts'));
    expect(
      stack.some((l) => machinery.test(l)),
      error.stack,
    ).toBe(false);
    expect(stack.some((l) => l.includes('capi.test.ts'))).toBe(true);
  });

  it('keeps the frames of the machinery that raised an error that is not an ImportError', () => {
    const { capi } = work.capiProject({ 'a/__init__.ts': '' });
    const error = thrownBy(() => capi.PyImport_ImportModuleLevel('a', null, null, [42]));
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect(machinery.test(frames(error)[0] ?? '')).toBe(true);
  });

  it("removes the machinery's file-less generator frames (`.next (<anonymous>)`) too", () => {
    const { capi } = work.capiProject();
    const error = thrownBy(() => capi.PyImport_ImportModuleLevel('absent'));
    expect(
      frames(error).some((l) => /\.next \(<anonymous>\)/.test(l)),
      error.stack,
    ).toBe(false);
  });

  it('still reaches the caller under the default limit of 10 frames, and keeps at most that many', () => {
    Error.stackTraceLimit = 10;
    const { capi } = work.capiProject();
    const error = thrownBy(() => capi.PyImport_ImportModuleLevel('absent'));
    expect(frames(error)[0]).toContain('capi.test.ts');
    expect(frames(error).length).toBeLessThanOrEqual(10);
    expect(Error.stackTraceLimit).toBe(10);
  });

  it('trims nothing while a tracer listens (-v)', () => {
    const { system, capi } = work.capiProject();
    system.addTracer(() => undefined);
    const error = thrownBy(() => capi.PyImport_ImportModuleLevel('absent'));
    expect(frames(error).some((l) => machinery.test(l))).toBe(true);
  });

  it('PyImport_GetModuleDict() is per system (C: per interpreter)', () => {
    const one = work.capiProject();
    const two = work.capiProject();
    expect(one.capi.PyImport_GetModuleDict()).toBe(one.system.modules);
    expect(two.capi.PyImport_GetModuleDict()).not.toBe(one.capi.PyImport_GetModuleDict());
  });
});

describe('PyImport_GetModule(name)', () => {
  it('returns undefined (C: NULL without an error) when absent, and never imports', () => {
    const { system, capi } = work.capiProject({ 'm.ts': `${say('m ran')}` });
    expect(capi.PyImport_GetModule('m')).toBeUndefined();
    expect(system.modules.has('m')).toBe(false);
    expect(logged()).toEqual([]);
  });

  it('returns the entry when present', () => {
    const { system, capi } = work.capiProject({ 'm.ts': '' });
    expect(capi.PyImport_GetModule('m')).toBeUndefined();
    const module = system.importModule('m');
    expect(capi.PyImport_GetModule('m')).toBe(module);
  });

  it('PyImport_GetModuleAsync waits for a module another task is initialising', async () => {
    const { system, capi } = work.capiProject();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    system.metaPath.unshift({
      findSpec: (name) =>
        name === 'slow'
          ? new ModuleSpec(name, {
              createModule: () => null,
              execModule: async (m) => {
                await gate;
                m.done = true;
              },
            })
          : null,
    });
    const importing = system.importModuleAsync('slow');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const got = capi.PyImport_GetModuleAsync('slow');
    open();
    expect(((await got) as ModuleType).done).toBe(true);
    await importing;
  });

  it('PyImport_GetModuleAsync gives undefined when the import it waited for failed', async () => {
    const { system, capi } = work.capiProject();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    system.metaPath.unshift({
      findSpec: (name) =>
        new ModuleSpec(name, {
          createModule: () => null,
          execModule: async () => {
            await gate;
            throw new Error('failed meanwhile');
          },
        }),
    });
    const importing = rejectionOf(system.importModuleAsync('slow'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const got = capi.PyImport_GetModuleAsync('slow');
    open();
    expect(await got).toBeUndefined();
    expect((await importing).message).toBe('failed meanwhile');
  });
});

describe('the other PyImport_* functions', () => {
  it('PyImport_GetMagicNumber() is the first 4 bytes of every compiled file, little-endian', () => {
    const { root, system, capi } = work.capiProject({ 'm.ts': '' });
    const bytes = Buffer.from(createImp(system).get_magic());
    expect(capi.PyImport_GetMagicNumber()).toBe(bytes.readUInt32LE(0));
    const file = compileFile(join(root, 'm.ts'), loaderContextOf(system)!).cachePath;
    expect(capi.PyImport_GetMagicNumber()).toBe(readFileSync(file).readUInt32LE(0));
  });

  it('PyImport_GetMagicTag() is the tag in compiled file names', () => {
    const { root, capi } = work.capiProject({ 'm.ts': '' });
    expect(capi.PyImport_GetMagicTag()).toBe(MAGIC_TAG);
    expect(cacheFromSource(join(root, 'm.ts'))).toContain(`.${capi.PyImport_GetMagicTag()}.`);
  });

  it('PyImport_ImportFrozenModule returns 1 after importing a frozen module', () => {
    const bundle = work.bundle({ 'cold.ts': 'export const c = 1;\n' }, ['cold']);
    const { system, capi } = work.capiProject({}, { frozen: [bundle] });
    expect(capi.PyImport_ImportFrozenModule('cold')).toBe(1);
    expect((system.modules.get('cold') as ModuleType).c).toBe(1);
  });

  it('PyImport_ImportFrozenModule returns 0 when there is no such frozen module', () => {
    const bundle = work.bundle({ 'cold.ts': 'export const c = 1;\n' }, ['cold']);
    const { capi } = work.capiProject({}, { frozen: [bundle] });
    expect(capi.PyImport_ImportFrozenModule('warm')).toBe(0);
  });

  it('PyImport_ImportFrozenModule throws (C: -1 with an exception set) when the module fails', () => {
    const bundle = work.bundle({ 'cold.ts': 'throw new Error("frozen failure");\n' }, ['cold']);
    const { system, capi } = work.capiProject({}, { frozen: [bundle] });
    expect(() => capi.PyImport_ImportFrozenModule('cold')).toThrow('frozen failure');
    expect(system.modules.has('cold')).toBe(false);
  });

  it('PyImport_AppendInittab adds a builtin that imports find, and returns its remover', () => {
    const { system, capi } = work.capiProject();
    const remove = capi.PyImport_AppendInittab('spam', (m) => void (m.ham = 1));
    expect((system.importModule('spam') as ModuleType).ham).toBe(1);
    remove();
    system.modules.delete('spam');
    expect(thrownBy(() => system.importModule('spam'))).toBeInstanceOf(ModuleNotFoundError);
  });

  it('PyImport_AppendInittab refuses a dotted name, and needs a builtin importer', () => {
    const { capi } = work.capiProject();
    expect(thrownBy(() => capi.PyImport_AppendInittab('a.b', () => undefined))).toBeInstanceOf(
      ImportArgumentError,
    );
    const bare = createCapi(createImportSystem({ builtins: false }));
    expect(thrownBy(() => bare.PyImport_AppendInittab('spam', () => undefined))).toBeInstanceOf(
      ImportStateError,
    );
  });

  it("PyImport_GetImporter returns the path entry's finder from the hooks, cached in pathImporterCache", () => {
    const { root, system, capi } = work.capiProject();
    const finder = capi.PyImport_GetImporter(root);
    expect(finder).toBeInstanceOf(FileFinder);
    expect(system.pathImporterCache.get(root)).toBe(finder);
    expect(capi.PyImport_GetImporter(root)).toBe(finder);
  });

  it('PyImport_GetImporter returns null (cached) when no hook accepts the entry', () => {
    const { root, system, capi } = work.capiProject({ 'f.txt': '' });
    expect(capi.PyImport_GetImporter(join(root, 'f.txt'))).toBeNull();
    expect(system.pathImporterCache.has(join(root, 'f.txt'))).toBe(true);
  });
});
