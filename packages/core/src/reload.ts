/**
 * `importlib.reload`: find a module's spec again and execute it in the same object (Python's `reload`
 * and `_bootstrap._exec`).
 */
import type { ImportAlgorithm } from './algorithm.js';
import { initModuleAttrs } from './attrs.js';
import type { Ctx, Op } from './drivers.js';
import { ImportArgumentError, ImportError, ModuleNotFoundError } from './errors.js';
import type { Loader } from './loader.js';
import type { ModuleLock } from './locks.js';
import { getAttr, setAttr, type ModuleType } from './module.js';
import { splitName } from './names.js';
import { moveToEnd } from './registry.js';
import { ModuleSpec } from './spec.js';

/**
 * Python's `importlib.reload`: the module must be its name's registry entry; its spec is found again
 * (on the parent's `__path__`, with the module as `target`) and executed in the same object. Returns
 * what the registry holds afterwards; `reload(m)` while `m` is reloading returns `m`.
 */
export function* reloadModule(algorithm: ImportAlgorithm, ctx: Ctx, module: unknown): Op<unknown> {
  const modules = algorithm.host.modules;
  const spec = getAttr(module, '__spec__');
  const name = spec instanceof ModuleSpec ? spec.name : getAttr(module, '__name__');
  if (typeof name !== 'string') throw new ImportArgumentError('reload() argument must be a module');
  if (modules.get(name) !== module) {
    throw new ImportError(`module '${name}' not in modules`, { moduleName: name });
  }
  const reloading = algorithm.reloading;
  if (reloading.has(name)) return reloading.get(name); // reload(m) while reloading m
  reloading.set(name, module);
  try {
    const [parentName] = splitName(name);
    let pkgPath: readonly string[] | null = null;
    if (parentName) {
      if (!modules.has(parentName)) {
        throw new ImportError(`parent '${parentName}' not in modules`, { moduleName: parentName });
      }
      pkgPath = algorithm.searchPathOf(parentName, modules.get(parentName));
      if (pkgPath === null) {
        throw new ModuleNotFoundError(`No module named '${name}'; '${parentName}' is not a package`, {
          moduleName: name,
        });
      }
    }
    const newSpec = yield* algorithm.findSpec(ctx, name, pkgPath, module);
    setAttr(module, '__spec__', newSpec);
    if (newSpec === null) {
      throw new ModuleNotFoundError(`spec not found for the module '${name}'`, { moduleName: name });
    }
    yield* execInModule(algorithm, ctx, newSpec, module);
    return modules.get(name);
  } finally {
    reloading.delete(name);
  }
}

/** Execute `spec` in the existing `module` (Python's `_exec`), holding its module lock on the async path. */
function* execInModule(algorithm: ImportAlgorithm, ctx: Ctx, spec: ModuleSpec, module: unknown): Op<unknown> {
  const modules = algorithm.host.modules;
  const name = spec.name;
  const isPackage = spec.submoduleSearchLocations !== null;
  const task = ctx.async ? ctx.task : null;
  const lock = task ? ((yield algorithm.moduleLocks.acquire(name, task)) as ModuleLock) : null;
  try {
    if (modules.get(name) !== module) {
      throw new ImportError(`module '${name}' not in modules`, { moduleName: name });
    }
    try {
      const loader = spec.loader;
      if (loader === null && spec.submoduleSearchLocations === null) {
        throw new ImportError('missing loader', { moduleName: name });
      }
      initModuleAttrs(spec, module as object, true);
      const current = spec.loader as Loader; // a namespace spec got its NamespaceLoader just now
      if (isPackage) algorithm.beginPackageCode(name, module as object);
      if (typeof current.execModule === 'function') {
        yield* algorithm.runLoader(ctx, spec, () => current.execModule?.(module as ModuleType));
      } else {
        yield* algorithm.runLegacyLoader(ctx, spec, current);
      }
    } finally {
      if (isPackage) algorithm.endPackageCode(name, module as object);
      // Keep teardown order: the reloaded module moves to the end of the registry.
      if (modules.has(name)) moveToEnd(modules, name);
    }
    return modules.get(name);
  } finally {
    if (lock && task) algorithm.moduleLocks.release(lock, task);
  }
}
