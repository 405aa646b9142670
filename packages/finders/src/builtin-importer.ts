/**
 * `BuiltinImporter`: the meta-path finder of built-in modules (Python's `BuiltinImporter`, with
 * `imp.is_builtin` and `imp.init_builtin`): Node's core modules and the user builtins of an
 * `Inittab`. The loading and the naming rule (a core module is named only under Node's scheme: `fs` is
 * `node:fs`, `fs/promises` is `node:fs.promises`; the bare names are left to the user's modules) live in
 * `BuiltinLoader` (`@importlib/loaders`).
 *
 * Builtins are top-level modules: a search with a parent package's path finds none.
 */
import {
  getAttr,
  initModuleAttrs,
  isModule,
  moduleFromSpec,
  ModuleSpec,
  type ImportSystem,
  type MetaPathFinder,
} from '@importlib/core';
import { BUILTIN_ORIGIN, BuiltinLoader, Inittab } from '@importlib/loaders';

/** Options of the {@link BuiltinImporter} constructor. */
export interface BuiltinImporterOptions {
  /** The system the importer serves: its loader puts Node's module objects into `system.modules`. */
  system: ImportSystem;
  /**
   * The user builtins (Python's inittab), shared with whoever appends to it.
   * @default an empty {@link Inittab}
   */
  inittab?: Inittab;
}

/** Finds built-in modules for one import system (put it on `system.metaPath`). */
export class BuiltinImporter implements MetaPathFinder {
  /** The system this importer serves. */
  readonly system: ImportSystem;
  /** The user builtins. */
  readonly inittab: Inittab;
  /** The loader of every spec this importer returns. */
  readonly loader: BuiltinLoader;

  constructor(options: BuiltinImporterOptions) {
    this.system = options.system;
    this.inittab = options.inittab ?? new Inittab();
    this.loader = new BuiltinLoader(this.system, { inittab: this.inittab });
  }

  /**
   * Return a spec (origin `'built-in'`, no location) for a builtin asked for at the top level, or
   * `null`: for any other name, and for any name searched on a package's path.
   */
  findSpec(name: string, path: readonly string[] | null = null): ModuleSpec | null {
    if (path !== null && path !== undefined) return null;
    if (this.isBuiltin(name) === 0) return null;
    return new ModuleSpec(name, this.loader, { origin: BUILTIN_ORIGIN });
  }

  /**
   * Tell what kind of builtin `name` is (Python's `imp.is_builtin`): 1 for an inittab entry (it can be
   * initialised again), -1 for a Node core module (it cannot), 0 when there is no such builtin.
   */
  isBuiltin(name: string): 1 | -1 | 0 {
    return this.loader.isBuiltin(name);
  }

  /**
   * Initialise the builtin `name` and return what `modules` holds for it afterwards (Python's
   * `imp.init_builtin`), or `null` when there is no such builtin. An inittab module already in
   * `modules` is initialised again in place (its `init` runs on the same object, whose other
   * attributes stay); otherwise a new module is made and registered, and removed again if `init`
   * throws. A Node core module is Node's own object, put (back) into `modules` over whatever is there.
   */
  initBuiltin(name: string): unknown {
    const kind = this.isBuiltin(name);
    if (kind === 0) return null;
    const modules = this.system.modules;
    const existing = modules.get(name);
    if (kind === 1 && isModule(existing)) {
      if (getAttr(existing, '__spec__') == null) initModuleAttrs(this.#spec(name), existing);
      this.loader.execModule(existing);
      return modules.get(name);
    }
    const spec = this.#spec(name);
    const module = moduleFromSpec(spec);
    spec.initializing = true;
    modules.set(name, module);
    try {
      this.loader.execModule(module);
    } catch (error) {
      modules.delete(name);
      throw error;
    } finally {
      spec.initializing = false;
    }
    return modules.get(name);
  }

  toString(): string {
    return '<BuiltinImporter>';
  }

  #spec(name: string): ModuleSpec {
    return new ModuleSpec(name, this.loader, { origin: BUILTIN_ORIGIN });
  }
}
