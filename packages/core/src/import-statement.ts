/**
 * The `import` statement: Python's `__import__` (`_bootstrap.__import__`, with the level handling of
 * `PyImport_ImportModuleLevelObject`), `_calc___package__` and `_handle_fromlist`.
 */
import type { ImportAlgorithm } from './algorithm.js';
import type { Ctx, Op } from './drivers.js';
import { ImportArgumentError, ImportError, InvalidModuleNameError, ModuleNotFoundError } from './errors.js';
import { getAttr, hasAttr } from './module.js';
import { absoluteName, splitName } from './names.js';
import type { ModuleSpec } from './spec.js';

/** Python's `globals()` as `__import__` reads it: a module object, or any object with these keys. */
export interface ImportGlobals {
  __name__?: unknown;
  __package__?: unknown;
  __spec__?: unknown;
  __path__?: unknown;
}

/**
 * Python's `__import__`: import `name` (relative to `globals`' package when `level > 0`). Without a
 * fromlist, return the top package (or, for a relative name, the entry of its first component); with
 * one, return the module and import each fromlist entry that is a submodule.
 */
export function* importStatement(
  algorithm: ImportAlgorithm,
  ctx: Ctx,
  name: string,
  globals: ImportGlobals | null,
  fromlist: readonly unknown[],
  level: number,
): Op<unknown> {
  const pkg = level > 0 ? calcPackage(algorithm, globals ?? {}) : null;
  const fullname = absoluteName(name, pkg, level);
  const module = yield* algorithm.findAndLoad(ctx, fullname);
  if (!fromlist || fromlist.length === 0) {
    const front = name.split('.', 1)[0] as string;
    if (level === 0) return yield* algorithm.gcdImport(ctx, front, null, 0);
    if (front.length === name.length) return module;
    // Relative without fromlist: the entry of the first component after the dots, cut from the
    // absolute name (as PyImport_ImportModuleLevelObject does, so an entry that is not a module works).
    const toReturn = fullname.slice(0, fullname.length - (name.length - front.length));
    const modules = algorithm.host.modules;
    if (!modules.has(toReturn)) {
      const message = `'${toReturn}' not in modules as expected (removed while '${fullname}' was imported)`;
      throw new ImportError(message, { moduleName: toReturn });
    }
    return modules.get(toReturn);
  }
  if (hasAttr(module, '__path__') || algorithm.searchPathOf(fullname, module) !== null) {
    return yield* handleFromlist(algorithm, ctx, module, fullname, fromlist, false);
  }
  return module;
}

/** Work out the package a relative import is made from (Python's `_calc___package__`). */
function calcPackage(algorithm: ImportAlgorithm, globals: ImportGlobals): unknown {
  const pkg = getAttr(globals, '__package__');
  const spec = getAttr(globals, '__spec__') as ModuleSpec | null | undefined;
  if (pkg !== null && pkg !== undefined) {
    if (spec && pkg !== spec.parent) {
      algorithm.tracing.warn('DeprecationWarning', '__package__ != __spec__.parent');
    }
    return pkg;
  }
  if (spec) return spec.parent;
  algorithm.tracing.warn(
    'ImportWarning',
    "can't resolve package from __spec__ or __package__, falling back on __name__ and __path__",
  );
  const name = getAttr(globals, '__name__');
  if (typeof name !== 'string') throw new ImportArgumentError("'__name__' not in globals");
  return hasAttr(globals, '__path__') ? name : splitName(name)[0];
}

/**
 * Python's `_handle_fromlist`: import each fromlist entry of the package `module` that is not one of
 * its attributes as a submodule (`'*'`: the names in its `__all__`). A name that is not a submodule
 * is skipped; a blocked one, or any other error, propagates.
 */
function* handleFromlist(
  algorithm: ImportAlgorithm,
  ctx: Ctx,
  module: unknown,
  fullname: string,
  fromlist: Iterable<unknown>,
  recursive: boolean,
): Op<unknown> {
  // Python names the submodules after `module.__name__`; an entry that is not a module has none.
  const ownName = getAttr(module, '__name__');
  const pkgName = typeof ownName === 'string' ? ownName : fullname;
  for (const item of fromlist) {
    if (typeof item !== 'string') {
      const where = recursive ? `${pkgName}.__all__` : "``from list''";
      throw new ImportArgumentError(`Item in ${where} must be str, not ${typeof item}`);
    }
    if (item === '*') {
      const all = getAttr(module, '__all__');
      if (!recursive && all !== undefined && all !== null) {
        yield* handleFromlist(algorithm, ctx, module, fullname, all as Iterable<unknown>, true);
      }
    } else if (!hasAttr(module, item)) {
      const fromName = `${pkgName}.${item}`;
      try {
        yield* algorithm.gcdImport(ctx, fromName, null, 0);
      } catch (error) {
        // A fromlist name that is not a submodule is not an error (it may be an attribute set later)...
        if (
          // 'pkg.' + '' and the like: Python finds no such module; the port refuses the name before any finder.
          (error instanceof ModuleNotFoundError || error instanceof InvalidModuleNameError) &&
          error.moduleName === fromName &&
          algorithm.host.modules.get(fromName) !== null
        ) {
          continue;
        }
        throw error; // ...but anything else, including a blocked (null) entry, is.
      }
    }
  }
  return module;
}
