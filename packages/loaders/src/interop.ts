/**
 * Node's interop for module code: which objects are ES modules (`esModules`), the helpers transpiled
 * bodies call (`runtimeHelpers`), and the namespace `import()` and an ES module's imports see of a
 * module (`namespaceOf`, `importedView`).
 */
import { isModuleNamespaceObject } from 'node:util/types';

/** The helpers transpiled bodies call (the wrapper's `__importlib_runtime__`). */
export interface RuntimeHelpers {
  /** Record that `exports` belongs to an ES module (for Node's default-import interop). */
  markModule(exports: object): void;
  /**
   * Whether `value` is an ES module's exports, or the namespace of one Node loaded (Node's interop:
   * its default import is `.default`, and it is its own namespace).
   */
  isModule(value: unknown): boolean;
  /**
   * The namespace `import * as` gives of an ES module (one {@link isModule} accepts): the module
   * itself, except Node's `require(esm)` namespace of a module with a default export, which carries an
   * `__esModule` key that Node's `import` does not show: a view without it (one per namespace).
   */
  namespace(value: object): object;
  /**
   * Drop the re-exported names (`name, source, key` triples) whose source module has no `key`: in a
   * TypeScript file they named types only, which `tsc` drops (swc cannot tell without type information).
   */
  pruneTypeExports(exports: object, entries: readonly unknown[]): void;
}

export const esModules = new WeakSet<object>();
const hasOwn = (target: object, key: string): boolean => Object.prototype.hasOwnProperty.call(target, key);

/** @internal The helpers every module body gets (one object for the process: no state per module). */
export const runtimeHelpers: RuntimeHelpers = Object.freeze({
  markModule(exports: object): void {
    esModules.add(exports);
  },
  isModule(value: unknown): boolean {
    if (typeof value !== 'object' && typeof value !== 'function') return false;
    // An ES module transpiled here, or one Node loaded itself (its namespace, from `require(esm)`).
    return value !== null && (esModules.has(value) || isModuleNamespaceObject(value));
  },
  namespace(value: object): object {
    return importedView(value) as object;
  },
  pruneTypeExports(exports: object, entries: readonly unknown[]): void {
    for (let i = 0; i + 2 < entries.length; i += 3) {
      const name = entries[i] as string;
      const source = entries[i + 1];
      const key = entries[i + 2] as string;
      const present =
        (typeof source === 'object' || typeof source === 'function') &&
        source !== null &&
        (hasOwn(source, key) || (source as Record<string, unknown>)[key] !== undefined);
      if (!present) {
        const descriptor = Object.getOwnPropertyDescriptor(exports, name);
        if (descriptor?.configurable && descriptor.get) delete (exports as Record<string, unknown>)[name];
      }
    }
  },
});

/** Files whose default-import interop is TypeScript's `esModuleInterop` (the rest follow Node). */
export const TS_INTEROP = /\.(?:[cm]?tsx?|jsx)$/i;

/**
 * What `import()` of an import-system module gives: an ES namespace-like object. Under Node's interop
 * only an ES module is its own namespace (a CommonJS module's, Babel's `__esModule` ones included, is
 * its keys plus `default`: `module.exports`); under TypeScript's, `__esModule` decides.
 */
export function namespaceOf(value: unknown, nodeInterop: boolean): unknown {
  if ((typeof value === 'object' || typeof value === 'function') && value !== null) {
    // Node's own namespace (an ES module Node loaded): exactly the keys Node's import gives.
    if (isModuleNamespaceObject(value)) return importedView(value);
    if (nodeInterop ? esModules.has(value) : (value as { __esModule?: unknown }).__esModule) return value;
    const namespace: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) namespace[key] = (value as Record<string, unknown>)[key];
    namespace.default = value;
    if (nodeInterop && hasOwn(value, '__esModule'))
      namespace.__esModule = (value as { __esModule?: unknown }).__esModule;
    return namespace;
  }
  return { default: value };
}

const views = new WeakMap<object, object>();

/**
 * What an ES module importing `value` sees, when `value` came from Node's `require()` of an ES module:
 * for a module with a default export, Node 20's `require()` gives a namespace with an added
 * `__esModule` key, which Node's `import` never shows. The view has the module's own keys (live),
 * one per namespace; anything else is returned as it is.
 */
export function importedView(value: unknown): unknown {
  if (!isModuleNamespaceObject(value) || !Object.prototype.hasOwnProperty.call(value, '__esModule')) {
    return value;
  }
  const namespace = value as Record<string, unknown>;
  let view = views.get(namespace);
  if (view === undefined) {
    const made = Object.create(null) as Record<string | symbol, unknown>;
    for (const key of Object.keys(namespace)) {
      if (key === '__esModule') continue;
      Object.defineProperty(made, key, { enumerable: true, get: () => namespace[key] });
    }
    Object.defineProperty(made, Symbol.toStringTag, { value: 'Module' });
    // Not a key (Object.keys is Node's), but TypeScript's interop in .ts files still sees an ES module.
    Object.defineProperty(made, '__esModule', { value: true });
    esModules.add(Object.preventExtensions(made));
    views.set(namespace, (view = made));
  }
  return view;
}
