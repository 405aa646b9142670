/**
 * Running a code object as a module, C-API style (Python's `PyImport_ExecCodeModuleObject` and its
 * `_fix_up_module`).
 */
import { resolve } from 'node:path';

import { isThenable, type CodeObject } from './code.js';
import { abandon } from './drivers.js';
import { ImportError, RequireAsyncError } from './errors.js';
import { CodeLoader, type Loader } from './loader.js';
import { getAttr, setAttr, type ModuleType } from './module.js';
import { specFromFileLocation, type ModuleSpec } from './spec.js';

/** Options of `ImportSystem.execCodeModule`. */
export interface ExecCodeModuleOptions {
  /** The source file (`__file__`); defaults to the code object's `filename`. */
  pathname?: string | null;
  /** The compiled file (`__cached__`, and the spec's `cached`). */
  cpathname?: string | null;
  /**
   * The loader to record for a module that has none (Python records a `SourceFileLoader`).
   * @default a {@link CodeLoader} that re-runs `code`
   */
  loader?: Loader | null;
}

/**
 * Run `code` in `module`, the entry of `name` in `modules` (Python's `PyImport_ExecCodeModuleObject`
 * after `PyImport_AddModuleRef`): fix up its attributes, run the code synchronously, and return what
 * `modules` then holds for `name`. On any failure `name` is removed from `modules`.
 */
export function execCodeModule(
  modules: Map<string, unknown>,
  module: ModuleType,
  name: string,
  code: CodeObject,
  options: ExecCodeModuleOptions,
): unknown {
  try {
    fixUpModule(
      module,
      name,
      options.pathname ?? code.filename,
      options.cpathname ?? null,
      options.loader ?? null,
      code,
    );
    const result = code.exec(module);
    if (isThenable(result)) {
      abandon(result);
      throw new RequireAsyncError(
        `module '${name}' did not finish synchronously (its code returned a promise); execCodeModule() runs code synchronously`,
        { moduleName: name, path: code.filename },
      );
    }
  } catch (error) {
    modules.delete(name);
    throw error;
  }
  if (!modules.has(name)) {
    throw new ImportError(`Loaded module '${name}' not found in modules`, {
      moduleName: name,
      path: code.filename,
    });
  }
  return modules.get(name);
}

/**
 * Give a module run by `execCodeModule` its import attributes (Python's `_fix_up_module`): an existing
 * `__loader__` / `__spec__` is kept; `__file__` and `__cached__` are always set.
 */
function fixUpModule(
  module: ModuleType,
  name: string,
  pathname: string,
  cpathname: string | null,
  loaderOption: Loader | null,
  code: CodeObject,
): void {
  const existingSpec = getAttr(module, '__spec__') as ModuleSpec | null | undefined;
  let loader = getAttr(module, '__loader__') as Loader | null | undefined;
  if (!loader) loader = existingSpec?.loader ?? loaderOption ?? new CodeLoader(code);
  let spec = existingSpec;
  if (!spec) {
    spec = specFromFileLocation(name, pathname, { loader, isPackage: false });
    if (cpathname) spec.cached = resolve(cpathname);
  }
  setAttr(module, '__spec__', spec);
  setAttr(module, '__loader__', loader);
  setAttr(module, '__file__', pathname);
  setAttr(module, '__cached__', cpathname);
}
