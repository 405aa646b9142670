/**
 * Making a module from a spec: `moduleFromSpec` and the attributes a spec puts on a module
 * (Python's `module_from_spec` and `_init_module_attrs`).
 */
import { ImportError } from './errors.js';
import { getAttr, ModuleType, setAttr } from './module.js';
import { NamespaceLoader } from './namespace.js';
import type { ModuleSpec } from './spec.js';

/**
 * Create the module object for `spec` (Python's `module_from_spec`): `loader.createModule(spec)`, or a
 * fresh {@link ModuleType} when it returns `null`; then the spec's attributes are set on it.
 * A loader with `execModule` but no `createModule` is refused, as in Python.
 */
export function moduleFromSpec(spec: ModuleSpec): ModuleType {
  let module: object | null | undefined = null;
  const loader = spec.loader;
  if (loader && typeof loader.createModule === 'function') {
    module = loader.createModule(spec);
  } else if (loader && typeof loader.execModule === 'function') {
    throw new ImportError(
      `loaders that define execModule() must also define createModule() (the loader of '${spec.name}'); ` +
        'return null from createModule() to get the default module object',
      { moduleName: spec.name, path: spec.hasLocation ? spec.origin : null },
    );
  }
  const result = (module ?? new ModuleType(spec.name)) as ModuleType;
  initModuleAttrs(spec, result);
  return result;
}

/** Tell whether `module` lacks `key`, or has it set to `null`/`undefined` (Python's `getattr(m, k, None) is None`). */
function missing(module: object, key: string): boolean {
  return getAttr(module, key) == null;
}

/**
 * Set the import attributes of `module` from `spec` (Python's `_init_module_attrs`). Without
 * `override`, an attribute is set only when it is missing or `null`; `__spec__` is always set.
 * A namespace spec (no loader, with search locations) gets a {@link NamespaceLoader}, assigned to
 * `spec.loader` too. Attributes the object refuses are skipped silently, as Python ignores
 * `AttributeError` there.
 */
export function initModuleAttrs(spec: ModuleSpec, module: object, override = false): object {
  if (override || missing(module, '__name__')) setAttr(module, '__name__', spec.name);
  if (override || missing(module, '__loader__')) {
    let loader = spec.loader;
    if (loader === null && spec.submoduleSearchLocations !== null) {
      loader = new NamespaceLoader(spec.submoduleSearchLocations);
      spec.loader = loader;
      setAttr(module, '__file__', null);
    }
    setAttr(module, '__loader__', loader);
  }
  if (override || missing(module, '__package__')) setAttr(module, '__package__', spec.parent);
  setAttr(module, '__spec__', spec);
  if ((override || missing(module, '__path__')) && spec.submoduleSearchLocations !== null) {
    setAttr(module, '__path__', spec.submoduleSearchLocations);
  }
  if (spec.hasLocation) {
    if (override || missing(module, '__file__')) setAttr(module, '__file__', spec.origin);
    if ((override || missing(module, '__cached__')) && spec.cached !== null) {
      setAttr(module, '__cached__', spec.cached);
    }
  }
  return module;
}
