/**
 * The module object. It is the namespace: what a module's code exports are its own (enumerable)
 * properties, and the Python attributes (`__name__`, `__spec__`, `__loader__`, `__package__`,
 * `__file__`, `__cached__`, `__path__`) live on it too, as non-enumerable properties, so
 * `Object.keys(module)` lists exactly the exports.
 *
 * Attribute access goes through {@link getAttr} / {@link setAttr}, which never reach
 * `Object.prototype`: a submodule or export called `__proto__`, `constructor` or `toString` is an
 * ordinary attribute.
 */
import { describeObject, type Loader } from './loader.js';
import { NamespaceLoader } from './namespace.js';
import type { ModuleSpec } from './spec.js';

/** The keys of the Python attributes the import system sets on a module. */
export const MODULE_ATTRS = [
  '__name__',
  '__loader__',
  '__package__',
  '__spec__',
  '__path__',
  '__file__',
  '__cached__',
] as const;
const DUNDER = new Set<PropertyKey>(MODULE_ATTRS);

/** A package's search locations: an array for a regular package, a live view for a namespace one. */
export type SearchLocations = string[] | Iterable<string>;

/** A module object (Python's `types.ModuleType`). Create one with {@link newModule}. */
export class ModuleType {
  declare __name__: string;
  declare __spec__: ModuleSpec | null;
  declare __loader__: Loader | null;
  declare __package__: string | null;
  declare __file__?: string | null;
  declare __cached__?: string | null;
  declare __path__?: SearchLocations;
  [attribute: string]: unknown;

  constructor(name: string) {
    // Python's ModuleType(name) sets exactly these; the others appear when a spec is applied.
    defineHidden(this, '__name__', name);
    defineHidden(this, '__loader__', null);
    defineHidden(this, '__package__', null);
    defineHidden(this, '__spec__', null);
  }

  /** Describe the module the way Python's `repr(module)` does. */
  toString(): string {
    return moduleRepr(this);
  }

  /** `String(module)` / `${module}` give the repr even when an export or submodule is called `toString` or `valueOf`. */
  [Symbol.toPrimitive](): string {
    return moduleRepr(this);
  }

  /** Used by `util.inspect` / `console.log`: the Python repr plus the exports. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    const exports = Object.fromEntries(Object.entries(this));
    return Object.keys(exports).length
      ? `${moduleRepr(this)} ${inspect(exports, options)}`
      : moduleRepr(this);
  }

  get [Symbol.toStringTag](): string {
    return 'Module';
  }
}

/** Create a module that is not registered anywhere (Python's `types.ModuleType(name)` / `imp.new_module`). */
export function newModule(name: string): ModuleType {
  return new ModuleType(name);
}

/** Tell whether `value` is a module object made by this package. */
export function isModule(value: unknown): value is ModuleType {
  return value instanceof ModuleType;
}

const STOP_PROTOTYPES = new Set<unknown>([Object.prototype, Function.prototype, ModuleType.prototype, null]);

/**
 * Read an attribute of a module (or of whatever object replaced it in the registry), the way
 * Python's `getattr(obj, key, undefined)` would: own properties and those inherited from a class,
 * never those of `Object.prototype`, `Function.prototype` or the module type itself.
 */
export function getAttr(obj: unknown, key: string): unknown {
  const descriptor = findAttr(obj, key);
  if (descriptor === undefined) return undefined;
  return descriptor.get ? descriptor.get.call(obj) : descriptor.value;
}

/** Tell whether `obj` has the attribute `key` (Python's `hasattr`), with {@link getAttr}'s rules. */
export function hasAttr(obj: unknown, key: string): boolean {
  return findAttr(obj, key) !== undefined;
}

/** The descriptor of `key` on `obj` or the first prototype holding it, stopping at the built-in ones. */
function findAttr(obj: unknown, key: string): PropertyDescriptor | undefined {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return undefined;
  let current: object | null = obj;
  while (!STOP_PROTOTYPES.has(current)) {
    const descriptor = Object.getOwnPropertyDescriptor(current, key);
    if (descriptor) return descriptor;
    current = Object.getPrototypeOf(current) as object | null;
  }
  return undefined;
}

/**
 * Set an attribute on a module object. Python attributes are non-enumerable, everything else (child
 * modules, exports) enumerable. Returns `false` instead of throwing when the object refuses it
 * (frozen, a primitive, a setter that throws), as Python ignores `AttributeError` there.
 */
export function setAttr(obj: unknown, key: string, value: unknown): boolean {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return false;
  try {
    if (key === '__proto__' || (DUNDER.has(key) && !Object.prototype.hasOwnProperty.call(obj, key))) {
      // defineProperty, not assignment: `obj.__proto__ = x` would change the prototype, and Python
      // attributes are non-enumerable.
      return Reflect.defineProperty(obj, key, {
        value,
        writable: true,
        enumerable: !DUNDER.has(key),
        configurable: true,
      });
    }
    // Module code is strict: a frozen object, a read-only property or a getter without a setter throws.
    // The common refusal, an export getter of the same name (a package re-exporting its submodule),
    // is told apart first: a thrown TypeError costs more than the rest of an import's bookkeeping.
    const own = Object.getOwnPropertyDescriptor(obj, key);
    if (own !== undefined && (own.get !== undefined || own.set !== undefined ? !own.set : !own.writable))
      return false;
    (obj as Record<string, unknown>)[key] = value;
    return true;
  } catch {
    return false;
  }
}

/** The setters of the submodule bindings made by {@link bindSubmodule} on objects, by object and name. */
const BINDINGS = new WeakMap<object, Map<string, (value: unknown) => void>>();
/** The prototypes that hold the submodules bound on a module object (one per package, made on its first). */
const BINDING_PROTOTYPES = new WeakSet<object>();

/**
 * Bind the submodule `module` as the attribute `child` of its package `parent` (the
 * `setattr(parent_module, child, module)` of `_find_and_load_unlocked`) so that `pkg.sub` is reachable
 * as in Python while the package's exports (`Object.keys`, namespace objects, `export *` copies)
 * stay exactly what its code exported, as under Node. On a module object the binding is a
 * non-enumerable property of a prototype of its own, between it and `ModuleType.prototype`: not an
 * own property, so an `export * from './sub'` helper (which skips names the target already owns) and
 * an assignment `exports.sub = …` both create the export as Node would. On any other object (a
 * package that replaced its entry) it is a non-enumerable own accessor whose setter turns an
 * assignment into an ordinary export. An own attribute of that name (an export) is left to
 * {@link setAttr}, which keeps its enumerability. Returns `false` when the object refuses it.
 */
export function bindSubmodule(parent: unknown, child: string, module: unknown): boolean {
  if (!(parent instanceof ModuleType)) return bindOnObject(parent, child, module);
  if (Object.prototype.hasOwnProperty.call(parent, child)) return setAttr(parent, child, module);
  let holder = Object.getPrototypeOf(parent) as object;
  if (!BINDING_PROTOTYPES.has(holder)) {
    // An accessor of a ModuleType subclass: leave it to setAttr, as Python's setattr calls it.
    if (findAttr(parent, child) !== undefined) return setAttr(parent, child, module);
    const created = Object.create(holder) as object;
    if (!Reflect.setPrototypeOf(parent, created)) return false; // frozen, sealed, or a refusing proxy
    BINDING_PROTOTYPES.add(created);
    holder = created;
  }
  return Reflect.defineProperty(holder, child, {
    value: module,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

/** {@link bindSubmodule} on an object that is not a module: a non-enumerable own accessor. */
function bindOnObject(parent: unknown, child: string, module: unknown): boolean {
  if ((typeof parent !== 'object' && typeof parent !== 'function') || parent === null) return false;
  let bindings = BINDINGS.get(parent);
  const own = Object.getOwnPropertyDescriptor(parent, child);
  const rebind = own?.set !== undefined && bindings?.get(child) === own.set;
  if (!rebind && findAttr(parent, child) !== undefined) return setAttr(parent, child, module);
  const target = parent;
  const setter = function (this: unknown, value: unknown): void {
    // An assignment by the package's code: from now on an export like any other, at the end of the
    // key order, where Node's assignment would have created it.
    const receiver = (this ?? target) as object;
    if (Object.getOwnPropertyDescriptor(receiver, child)?.set === setter)
      Reflect.deleteProperty(receiver, child);
    Object.defineProperty(receiver, child, { value, writable: true, enumerable: true, configurable: true });
  };
  try {
    const descriptor = { get: () => module, set: setter, enumerable: false, configurable: true };
    if (!Reflect.defineProperty(parent, child, descriptor)) return false;
  } catch {
    return false; // a proxy whose defineProperty trap throws
  }
  if (bindings === undefined) BINDINGS.set(parent, (bindings = new Map()));
  bindings.set(child, setter);
  return true;
}

function defineHidden(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: false, configurable: true });
}

/**
 * Describe a module the way Python's `repr(module)` does (`_module_repr_from_spec`):
 * `<module 'n' from '/p/n.ts'>`, `<module 'fs' (built-in)>`, `<module 'ns' (namespace) from [...]>`,
 * or `<module 'n'>`.
 */
export function moduleRepr(module: unknown): string {
  const spec = getAttr(module, '__spec__') as ModuleSpec | null | undefined;
  if (spec instanceof Object && typeof spec.name === 'string') {
    const name = spec.name;
    if (spec.origin === null || spec.origin === undefined) {
      const loader = spec.loader;
      if (loader === null) return `<module '${name}'>`;
      if (loader instanceof NamespaceLoader) {
        return `<module '${name}' (namespace) from ${JSON.stringify([...loader.path])}>`;
      }
      return `<module '${name}' (${describeObject(loader)})>`;
    }
    return spec.hasLocation
      ? `<module '${name}' from '${spec.origin}'>`
      : `<module '${name}' (${spec.origin})>`;
  }
  const name = String(getAttr(module, '__name__') ?? '?');
  const file = getAttr(module, '__file__');
  if (typeof file === 'string') return `<module '${name}' from '${file}'>`;
  return `<module '${name}'>`;
}
