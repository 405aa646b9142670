/**
 * Running a module or a path as the main program (Python's `runpy`): `runModule` is
 * `runpy.run_module` (what `python -m pkg.mod` does), `runPath` is `runpy.run_path` (what
 * `python file`, `python folder` and `python app.zip` do).
 */
import { extname, resolve } from 'node:path';

import {
  checkModuleName,
  CodeObject,
  ImportError,
  isThenable,
  ModuleNotFoundError,
  ModuleType,
  setAttr,
  type ImportSystem,
  type Loader,
  type ModuleSpec,
} from '@importlib/core';
import { LoaderContext, SourceFileLoader } from '@importlib/loaders';

import { loaderContextOf, supportedLoaderDetails } from './create-import-system.js';

/** Options of {@link runModule} and {@link runPath}. */
export interface RunOptions {
  /**
   * The name the code runs under (its `__name__`, and its entry in `system.modules` while it runs).
   * @default '__main__'
   */
  runName?: string;
  /**
   * The program's arguments. When given, `process.argv` is `[process.execPath, <the file run>,
   * ...argv]` while the code runs (Python sets `sys.argv`), so the program reads them the usual way.
   */
  argv?: readonly string[];
  /**
   * Leave `system.modules[runName]`, `process.argv` and (for {@link runPath}) the path entry in place
   * after the code ran, as `python -m` and `python file` do, instead of restoring them as `runpy`
   * does. A program that keeps running (a server, timers that import later) needs this.
   * @default false
   */
  keep?: boolean;
}

/**
 * Run the module `name`, found through `system`, as the main program (Python's
 * `runpy.run_module(name, run_name='__main__', alter_sys=True)`): its parent packages are imported
 * normally, but the module itself is *not* registered under its own name; it runs in a fresh module
 * object called `runName` (`'__main__'`), with `__spec__`, `__file__`, `__cached__`, `__loader__` and
 * `__package__` from its spec. A package runs its `__main__` submodule. Resolves to the module object
 * the code ran in, once the code (and any top-level `await`) has finished.
 *
 * The code comes from the loader's `getCode` (as in Python), so a `SourceFileLoader` writes no
 * compiled file for the main module.
 *
 * Rejects with `ModuleNotFoundError` when nothing finds `name` or a package (namespace packages
 * included) has no `__main__`, an `ImportError` for a loader that gives no code, and with whatever the
 * code throws.
 */
export async function runModule(
  system: ImportSystem,
  name: string,
  options: RunOptions = {},
): Promise<ModuleType> {
  const spec = moduleDetails(system, name);
  return runCode(system, codeOf(spec), spec, null, options);
}

/**
 * Run a path as the main program (Python's `runpy.run_path`). A path that a path hook claims (a
 * folder, a zip app, a frozen bundle) goes first on `system.path` and its `__main__` module runs
 * there; any other file runs as a script, with the loader its suffix calls for (TypeScript or
 * JavaScript source when the suffix is unknown), `__spec__` and `__loader__` left `null` and
 * `__file__` set. Resolves to the module object the code ran in.
 *
 * Rejects with `ImportError` when a claimed path has no `__main__` module or a script cannot be read,
 * and with whatever the code throws.
 */
export async function runPath(
  system: ImportSystem,
  path: string,
  options: RunOptions = {},
): Promise<ModuleType> {
  const target = resolve(path);
  const finder = system.pathFinder.finderFor(target);
  if (finder === null) {
    const loader = scriptLoader(system, target);
    return runCode(system, codeFromLoader(loader, '__main__', target), null, target, options);
  }
  system.path.unshift(target);
  let ok = false;
  try {
    const spec = mainModuleDetails(system, target);
    const module = await runCode(system, codeOf(spec), spec, null, options);
    ok = true;
    return module;
  } finally {
    if (!options.keep || !ok) removeEntry(system, target);
  }
}

function removeEntry(system: ImportSystem, entry: string): void {
  const index = system.path.indexOf(entry);
  if (index !== -1) system.path.splice(index, 1);
}

/** Python's `_get_module_details`: the spec of what runs, a package's `__main__` for a package. */
function moduleDetails(system: ImportSystem, name: string): ModuleSpec {
  if (name.startsWith('.')) {
    throw new ImportError(`Relative module names not supported: '${name}'`, { moduleName: name });
  }
  checkModuleName(name);
  const spec = system.findSpec(name);
  if (spec === null) throw new ModuleNotFoundError(`No module named '${name}'`, { moduleName: name });
  if (spec.submoduleSearchLocations !== null) {
    if (name === '__main__' || name.endsWith('.__main__')) {
      throw new ImportError(`Cannot use package '${name}' as the __main__ module`, { moduleName: name });
    }
    const main = `${name}.__main__`;
    try {
      return moduleDetails(system, main);
    } catch (error) {
      if (error instanceof ModuleNotFoundError && error.moduleName === main) {
        throw new ModuleNotFoundError(
          `No module named '${main}'; '${name}' is a package and cannot be directly executed (add a __main__ module to it)`,
          { moduleName: main, path: spec.origin },
        );
      }
      throw error;
    }
  }
  return spec;
}

/**
 * Python's `_get_main_module_details`: find `__main__` on the path (the claimed entry is first), with
 * any registered `__main__` out of the way meanwhile.
 */
function mainModuleDetails(system: ImportSystem, entry: string): ModuleSpec {
  const had = system.modules.has('__main__');
  const saved = system.modules.get('__main__');
  system.modules.delete('__main__');
  try {
    return moduleDetails(system, '__main__');
  } catch (error) {
    if (error instanceof ModuleNotFoundError && error.moduleName === '__main__') {
      throw new ModuleNotFoundError(
        `can't find '__main__' module in '${entry}' (add a __main__.ts or __main__.js to it)`,
        { moduleName: '__main__', path: entry, cause: error },
      );
    }
    throw error;
  } finally {
    if (had) system.modules.set('__main__', saved);
  }
}

function codeOf(spec: ModuleSpec): CodeObject {
  return codeFromLoader(spec.loader as Loader, spec.name, spec.hasLocation ? spec.origin : null);
}

function codeFromLoader(loader: Loader, name: string, origin: string | null): CodeObject {
  const code = typeof loader.getCode === 'function' ? loader.getCode(name) : null;
  if (!(code instanceof CodeObject)) {
    throw new ImportError(`No code object available for '${name}' (its loader cannot run it as a program)`, {
      moduleName: name,
      path: origin,
    });
  }
  return code;
}

/** The loader of a script file: the one the file finder would use for its suffix. */
function scriptLoader(system: ImportSystem, file: string): Loader {
  const context = loaderContextOf(system) ?? new LoaderContext(system);
  const suffix = extname(file);
  for (const [factory, suffixes] of supportedLoaderDetails(context)) {
    if (suffixes.includes(suffix)) return factory('__main__', file);
  }
  return new SourceFileLoader('__main__', file, context);
}

/** Python's `_run_module_code`: a fresh module named `runName`, registered while the code runs. */
async function runCode(
  system: ImportSystem,
  code: CodeObject,
  spec: ModuleSpec | null,
  file: string | null,
  options: RunOptions,
): Promise<ModuleType> {
  const runName = options.runName ?? '__main__';
  const module = new ModuleType(runName);
  setAttr(module, '__file__', spec?.hasLocation ? spec.origin : file);
  setAttr(module, '__cached__', spec?.cached ?? null);
  setAttr(module, '__loader__', spec?.loader ?? null);
  setAttr(module, '__package__', spec ? spec.parent : '');
  setAttr(module, '__spec__', spec);

  const hadModule = system.modules.has(runName);
  const savedModule = system.modules.get(runName);
  const savedArgv = process.argv;
  system.modules.set(runName, module);
  if (options.argv) process.argv = [process.execPath, module.__file__ ?? code.filename, ...options.argv];
  try {
    const result = code.exec(module);
    if (isThenable(result)) await result;
    return module;
  } finally {
    if (!options.keep) {
      if (hadModule) system.modules.set(runName, savedModule);
      else system.modules.delete(runName);
      process.argv = savedArgv;
    }
  }
}
