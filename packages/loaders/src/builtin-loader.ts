/**
 * Built-in modules: Node's core modules, and user builtins registered on an {@link Inittab} (Python's
 * `PyImport_AppendInittab`). {@link BuiltinLoader} is the loader half of Python's `BuiltinImporter`;
 * the finder half is `BuiltinImporter` in `@importlib/finders`.
 *
 * **Names.** A Node core module lives in the registry under Node's own scheme only: `node:` and its
 * id with `/` written `.` (`fs` → `node:fs`, `fs/promises` → `node:fs.promises`, `node:test`). The bare
 * names stay free for the user's own modules: projects are full of folders called `events`, `util`,
 * `http` or `constants`, and `./events/bus` must find the project's `events` package, never Node's.
 * (In module code a bare `require('fs')` still means Node's `fs`, as in Node: the module runtime maps
 * it to `node:fs`.) Every name is one Node id and back, with no table to keep.
 *
 * **Node core modules** are Node's own objects: the registry entry *is* `require(id)`, so
 * `importModule('node:fs') === require('fs')`. The loader never writes to them (no `__spec__`, no
 * `__name__`): they are shared by every import system in the process. Loading one also registers its
 * child modules (`node:fs` puts `node:fs.promises` into `modules`), the way Python's `os` registers
 * `os.path`: Node's `fs` is no package, so `node:fs.promises` could not be found under it. Such a
 * module cannot be re-initialised (`isBuiltin` gives -1); `system.reload()` refuses it, since it is not
 * a module object.
 *
 * **Inittab modules** are ordinary module objects filled by their `init` function; they can be
 * re-initialised (reload, `BuiltinImporter.initBuiltin`) by running `init` again in the same object.
 */
import { builtinModules, createRequire, isBuiltin as isNodeBuiltinId } from 'node:module';

import {
  checkModuleName,
  getAttr,
  ImportArgumentError,
  ImportError,
  isThenable,
  ModuleSpec,
  type ImportSystem,
  type Loader,
  type ModuleType,
} from '@importlib/core';

/** The `origin` of a built-in module's spec (Python's `BuiltinImporter._ORIGIN`). */
export const BUILTIN_ORIGIN = 'built-in';

const NODE_PREFIX = 'node:';
const requireBuiltin = createRequire(import.meta.url);

/**
 * Prefix-only modules that Node 20 leaves out of `builtinModules` (later versions list them with their
 * prefix); each is kept only if this Node has it.
 */
const UNLISTED_PREFIX_ONLY = ['node:sea', 'node:sqlite', 'node:test', 'node:test/reporters'];

/**
 * Return the Node id of the module name `name` (`node:fs.promises` → `node:fs/promises`), or
 * `null` when `name` is no Node core module.
 */
export function nodeBuiltinId(name: string): string | null {
  if (typeof name !== 'string' || !name.startsWith(NODE_PREFIX) || name.includes('/')) return null;
  const id = name.replace(/\./g, '/');
  return isNodeBuiltinId(id) ? id : null;
}

/**
 * Return the module name of the Node id `id` (`fs/promises` or `node:fs/promises` → `node:fs.promises`,
 * `node:test` stays `node:test`), or `null` when `id` is no Node core module.
 */
export function nodeBuiltinName(id: string): string | null {
  if (typeof id !== 'string' || !isNodeBuiltinId(id)) return null;
  const bare = id.startsWith(NODE_PREFIX) ? id.slice(NODE_PREFIX.length) : id;
  return (NODE_PREFIX + bare).replace(/\//g, '.');
}

let names: readonly string[] | undefined;

/** The module names of every Node core module, sorted (the Node half of Python's `sys.builtin_module_names`). */
export function nodeBuiltinNames(): readonly string[] {
  if (!names) {
    const all = new Set<string>();
    for (const id of [...builtinModules, ...UNLISTED_PREFIX_ONLY]) {
      const name = nodeBuiltinName(id);
      if (name !== null) all.add(name);
    }
    names = Object.freeze([...all].sort());
  }
  return names;
}

/** Fill a user builtin's module object (Python's inittab init function). Must finish synchronously. */
export type InittabInit = (module: ModuleType) => void;

/**
 * The user builtins of one import system (Python's inittab, `PyImport_AppendInittab`). Unlike
 * Python's, it is an ordinary object: give it to the `BuiltinImporter` of the system it belongs to,
 * and append to it at any time (an import of a name finds the entries present at that moment).
 * An entry's name is a top-level module name; it wins over a Node core module of the same name
 * (an entry `node:os` is imported instead of Node's `os`; an entry `os` is just a module called `os`).
 */
export class Inittab {
  readonly #entries = new Map<string, InittabInit>();

  constructor(entries: Iterable<readonly [string, InittabInit]> = []) {
    this.extendInittab(entries);
  }

  /**
   * Register the builtin `name`, filled by `init` (Python's `PyImport_AppendInittab`). Returns a
   * function that removes the entry again (modules already imported stay in `modules`).
   */
  appendInittab(name: string, init: InittabInit): () => void {
    checkModuleName(name);
    if (name.includes('.')) {
      throw new ImportArgumentError(`inittab names are top-level module names, not '${name}'`);
    }
    if (typeof init !== 'function') {
      throw new ImportArgumentError(`the init of inittab entry '${name}' must be a function`);
    }
    if (this.#entries.has(name)) {
      throw new ImportArgumentError(`inittab already has an entry named '${name}'`);
    }
    this.#entries.set(name, init);
    return () => {
      if (this.#entries.get(name) === init) this.#entries.delete(name);
    };
  }

  /**
   * Register several builtins at once (Python's `PyImport_ExtendInittab`): all of them, or none when
   * one is refused. Returns a function that removes them all.
   */
  extendInittab(entries: Iterable<readonly [string, InittabInit]>): () => void {
    const removers: Array<() => void> = [];
    try {
      for (const [name, init] of entries) removers.push(this.appendInittab(name, init));
    } catch (error) {
      for (const remove of removers) remove();
      throw error;
    }
    return () => {
      for (const remove of removers) remove();
    };
  }

  /** The init function of `name`, or `undefined`. */
  get(name: string): InittabInit | undefined {
    return this.#entries.get(name);
  }

  /** Tell whether `name` is registered. */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  toString(): string {
    return `<Inittab ${JSON.stringify(this.names())}>`;
  }
}

/** Options of the {@link BuiltinLoader} constructor. */
export interface BuiltinLoaderOptions {
  /**
   * The user builtins this loader serves besides Node's core modules.
   * @default an empty {@link Inittab}
   */
  inittab?: Inittab;
}

/**
 * Loads built-in modules into one import system (the loader half of Python's `BuiltinImporter`):
 * a Node core module replaces its registry entry with Node's own module object; an inittab module is
 * the default module object, filled by its `init`.
 */
export class BuiltinLoader implements Loader {
  /** Read by `specFromLoader()` as the spec's origin (Python's `_ORIGIN`). */
  readonly ORIGIN = BUILTIN_ORIGIN;
  /** The system whose `modules` receive Node's module objects. */
  readonly system: ImportSystem;
  /** The user builtins. */
  readonly inittab: Inittab;

  constructor(system: ImportSystem, options: BuiltinLoaderOptions = {}) {
    this.system = system;
    this.inittab = options.inittab ?? new Inittab();
  }

  /**
   * Tell what kind of builtin `name` is (Python's `imp.is_builtin`): 1 for an inittab entry (can be
   * initialised again), -1 for a Node core module (cannot), 0 for no builtin.
   */
  isBuiltin(name: string): 1 | -1 | 0 {
    if (typeof name !== 'string') return 0;
    if (this.inittab.has(name)) return 1;
    return nodeBuiltinId(name) === null ? 0 : -1;
  }

  /** Refuse a spec that names no builtin (as Python does); otherwise ask for the default module object. */
  createModule(spec: ModuleSpec): null {
    if (this.isBuiltin(spec.name) === 0) {
      throw new ImportError(`'${spec.name}' is not a built-in module`, { moduleName: spec.name });
    }
    return null;
  }

  /**
   * Run an inittab entry's `init` in `module`, or replace the registry entry with Node's module object
   * (registering its child modules that `modules` does not hold yet).
   */
  execModule(module: ModuleType): void {
    const name = moduleName(module);
    const init = this.inittab.get(name);
    if (init) {
      const result: unknown = init(module);
      if (isThenable(result)) {
        void Promise.resolve(result).catch(() => undefined);
        const message = `the init of built-in module '${name}' returned a promise; it must be synchronous`;
        throw new ImportError(message, { moduleName: name });
      }
      return;
    }
    const id = nodeBuiltinId(name);
    if (id === null) throw new ImportError(`'${name}' is not a built-in module`, { moduleName: name });
    this.system.modules.set(name, requireBuiltin(id));
    this.#registerChildren(name, id);
  }

  /** Built-in modules have no code object. */
  getCode(): null {
    return null;
  }

  /** Built-in modules have no source. */
  getSource(): null {
    return null;
  }

  /** Built-in modules are never packages. */
  isPackage(): boolean {
    return false;
  }

  toString(): string {
    return '<BuiltinLoader>';
  }

  /** Put Node's child modules of `id` into `modules` under `name` (`node:fs.promises` for `node:fs`). */
  #registerChildren(name: string, id: string): void {
    const canonical = nodeBuiltinName(id);
    if (canonical === null) return;
    for (const child of nodeBuiltinNames()) {
      if (!child.startsWith(`${canonical}.`) || child.includes('.', canonical.length + 1)) continue;
      const childName = name + child.slice(canonical.length);
      const childId = nodeBuiltinId(child);
      if (childId === null || this.system.modules.has(childName)) continue;
      this.system.modules.set(childName, requireBuiltin(childId));
      this.#registerChildren(childName, childId);
    }
  }
}

/** The name a module is loaded as: its spec's name, else its `__name__`. */
function moduleName(module: ModuleType): string {
  const spec = getAttr(module, '__spec__');
  if (spec instanceof ModuleSpec) return spec.name;
  const name = getAttr(module, '__name__');
  if (typeof name !== 'string') throw new ImportArgumentError('execModule() needs a module with a name');
  return name;
}
