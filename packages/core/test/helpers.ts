// In-memory finders and loaders for the core's tests: modules are functions, packages are flags, and
// path entries are keys of a plain object. Nothing here touches the file system.
import {
  ImportError,
  ImportSystem,
  ModuleSpec,
  type ImportEvent,
  type Loader,
  type MetaPathFinder,
  type ModuleType,
  type PathEntryFinder,
  type PathHook,
} from '@importlib/core';

/** The body of an in-memory module: runs with the module as its namespace. May be async. */
export type Body = (module: ModuleType, system: ImportSystem) => unknown;

/** One in-memory module: a body, or a body plus flags. */
export type ModuleDef = Body | { body?: Body; package?: boolean; origin?: string };

function normalise(def: ModuleDef): { body: Body; package: boolean; origin: string | undefined } {
  if (typeof def === 'function') return { body: def, package: false, origin: undefined };
  return { body: def.body ?? (() => undefined), package: def.package ?? false, origin: def.origin };
}

/** A loader that runs `body`, counting its executions in `loader.runs`. */
export class BodyLoader implements Loader {
  runs = 0;
  constructor(
    readonly system: ImportSystem,
    readonly body: Body,
    readonly pkg = false,
  ) {}
  createModule(): null {
    return null;
  }
  execModule(module: ModuleType): void | PromiseLike<void> {
    this.runs++;
    return this.body(module, this.system) as void | PromiseLike<void>;
  }
  isPackage(): boolean {
    return this.pkg;
  }
  toString(): string {
    return '<BodyLoader>';
  }
}

/**
 * A meta-path finder serving `defs` (name → module). Names ending a package get `__path__ = [name]`.
 * `finder.calls` records every name asked for.
 */
export class MemoryFinder implements MetaPathFinder {
  readonly calls: string[] = [];
  readonly loaders = new Map<string, BodyLoader>();
  constructor(
    readonly system: ImportSystem,
    readonly defs: Record<string, ModuleDef>,
  ) {}
  findSpec(name: string): ModuleSpec | null {
    this.calls.push(name);
    if (!Object.prototype.hasOwnProperty.call(this.defs, name)) return null;
    const def = normalise(this.defs[name] as ModuleDef);
    let loader = this.loaders.get(name);
    if (!loader) {
      loader = new BodyLoader(this.system, def.body, def.package);
      this.loaders.set(name, loader);
    }
    const spec = new ModuleSpec(name, loader, {
      origin: def.origin ?? `memory:${name}`,
      isPackage: def.package,
    });
    if (def.package) spec.submoduleSearchLocations = [`memory:${name}`];
    return spec;
  }
  toString(): string {
    return '<MemoryFinder>';
  }
}

/** A fresh system whose meta path is one {@link MemoryFinder} over `defs` (its PathFinder removed). */
export function memorySystem(defs: Record<string, ModuleDef>): {
  system: ImportSystem;
  finder: MemoryFinder;
} {
  const system = new ImportSystem();
  const finder = new MemoryFinder(system, defs);
  system.metaPath = [finder];
  return { system, finder };
}

/**
 * A path hook over a virtual tree: `tree[entry][name]` is a module in that entry (a top-level name, or
 * a dotted name for a module inside a package folder); `tree[entry]['pkg/']` marks a folder. Entries
 * not in `tree` are declined with an `ImportError`. `hook.calls` records every entry it was asked for.
 */
export function memoryPathHook(
  system: ImportSystem,
  tree: Record<string, Record<string, ModuleDef>>,
): PathHook & { calls: string[] } {
  const calls: string[] = [];
  const hook = ((entry: string): PathEntryFinder => {
    calls.push(entry);
    const files = tree[entry];
    if (!files) throw new ImportError(`not a memory entry: ${entry}`, { path: entry });
    return new MemoryEntryFinder(system, entry, files);
  }) as PathHook & { calls: string[] };
  hook.calls = calls;
  return hook;
}

/** A path-entry finder for one virtual folder: modules, packages (`name/` with `__init__`) and namespace folders. */
export class MemoryEntryFinder implements PathEntryFinder {
  invalidated = 0;
  constructor(
    readonly system: ImportSystem,
    readonly entry: string,
    readonly files: Record<string, ModuleDef>,
  ) {}
  findSpec(name: string): ModuleSpec | null {
    const tail = name.slice(name.lastIndexOf('.') + 1);
    const prefix = this.entry; // this finder is asked with the package's own entry as `entry`
    const init = this.files[`${tail}/__init__`];
    if (init !== undefined) {
      const def = normalise(init);
      const spec = new ModuleSpec(name, new BodyLoader(this.system, def.body, true), {
        origin: `${prefix}/${tail}/__init__`,
      });
      spec.hasLocation = true;
      spec.submoduleSearchLocations = [`${prefix}/${tail}`];
      return spec;
    }
    const file = this.files[tail];
    if (file !== undefined) {
      const def = normalise(file);
      const spec = new ModuleSpec(name, new BodyLoader(this.system, def.body, false), {
        origin: `${prefix}/${tail}`,
      });
      spec.hasLocation = true;
      return spec;
    }
    if (this.files[`${tail}/`] !== undefined) {
      const portion = new ModuleSpec(name, null);
      portion.submoduleSearchLocations = [`${prefix}/${tail}`];
      return portion;
    }
    return null;
  }
  invalidateCaches(): void {
    this.invalidated++;
  }
}

/** Collect the events of `system` while the test runs. */
export function recordEvents(system: ImportSystem): ImportEvent[] {
  const events: ImportEvent[] = [];
  system.addTracer((event) => events.push(event));
  return events;
}

/** Resolve after `ms` milliseconds (for interleaving async imports). */
export function sleep(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error `fn` throws, typed as `E` (fails the test when it throws nothing). */
export function thrownBy<E = Error & Record<string, unknown>>(fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    return error as E;
  }
  throw new Error('expected an error, nothing was thrown');
}

/** A promise with its `resolve` handed out, to release a waiting module body at a chosen moment. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

/** Make a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

/** Fail instead of hanging when `promise` never settles (a hang is the failure mode under test). */
export async function noHang<T>(promise: Promise<T>, what = 'the import'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung`)), 5_000);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Let every pending promise continuation run (a macrotask turn or a few). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await sleep(0);
}
