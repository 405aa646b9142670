/**
 * `FrozenLoader`: runs modules from frozen bundles (Python's `FrozenImporter` as a loader, with
 * `_imp.find_frozen` / `_imp.get_frozen_object`). The bundles are searched in the order given; the
 * first that has an entry for a name serves it. A bundle's program (all its module functions, see
 * `format.ts`) is compiled once, when its first module is imported, with the bundle's V8 cache when
 * the bundle's runtime key matches this process; each import then calls its module's function with
 * the module's own `require`, `module` and `exports`. Stack frames in frozen code are mapped to the
 * original files through the source maps in the bundle.
 */
import vm from 'node:vm';

import {
  CodeObject,
  getAttr,
  ImportError,
  isThenable,
  ModuleType,
  setAttr,
  type ImportSystem,
  type Loader,
  type ModuleSpec,
} from '@importlib/core';

import type { ModuleFunction } from '../module-body.js';
import { callModuleFunction, checkAsyncAllowed, createModuleScope } from '../runtime.js';
import { registerSourceMap } from '../stack-traces.js';
import { FrozenBundleError } from './format.js';
import type { FrozenBundle, FrozenEntry } from './reader.js';

/** The origin of every frozen module's spec (Python's `'frozen'`). */
export const FROZEN_ORIGIN = 'frozen';

/** What a frozen module's spec carries to its loader (Python's `loader_state`). */
export interface FrozenLoaderState {
  /** The file the module was frozen from (its `__file__`), or `null`. */
  filename: string | null;
  /** The module's original name, or `null`. */
  origname: string | null;
}

/** Where a name was found: the bundle and its entry. */
export interface FrozenLookup {
  bundle: FrozenBundle;
  entry: FrozenEntry;
}

/** Options of the {@link FrozenLoader} constructor. */
export interface FrozenLoaderOptions {
  /**
   * Fall back to Node's own resolution for a bare specifier no finder claims (npm dependencies),
   * from the module's original file (or the bundle when it has none).
   * @default true
   */
  nodeFallback?: boolean;
  /** @internal Told of every bundle program compiled (`freeze` makes the V8 cache after a run with it). */
  onCompiled?: (bundle: FrozenBundle, script: vm.Script) => void;
}

/** Loads the modules of frozen bundles into one import system. */
export class FrozenLoader implements Loader {
  /** The system whose modules this loader's code imports. */
  readonly system: ImportSystem;
  /** The bundles, in search order. */
  readonly bundles: readonly FrozenBundle[];
  readonly #nodeFallback: boolean;
  readonly #onCompiled: FrozenLoaderOptions['onCompiled'];
  readonly #programs = new Map<FrozenBundle, readonly (ModuleFunction | null)[]>();

  constructor(system: ImportSystem, bundles: readonly FrozenBundle[], options: FrozenLoaderOptions = {}) {
    this.system = system;
    this.bundles = [...bundles];
    this.#nodeFallback = options.nodeFallback ?? true;
    this.#onCompiled = options.onCompiled;
  }

  /** The bundle and entry serving `name` (the first bundle with an entry), or `null`. */
  lookup(name: string): FrozenLookup | null {
    for (const bundle of this.bundles) {
      const entry = bundle.entry(name);
      if (entry) return { bundle, entry };
    }
    return null;
  }

  /**
   * A new module for `spec`, with `__file__` set when the bundle recorded the original file (Python's
   * `FrozenImporter.create_module` + `_fix_up_module`).
   */
  createModule(spec: ModuleSpec): ModuleType {
    const module = new ModuleType(spec.name);
    const state = spec.loaderState as FrozenLoaderState | undefined;
    if (state?.filename) setAttr(module, '__file__', state.filename);
    return module;
  }

  /**
   * Run the frozen code of the module's name in `module`. Throws `ImportError` when the name is not
   * frozen, is excluded or invalid; `FrozenBundleError` when its record is damaged; whatever the
   * module's code throws. Returns a promise for an async body.
   */
  execModule(module: ModuleType): void | Promise<void> {
    const spec = getAttr(module, '__spec__') as ModuleSpec | null | undefined;
    const name = spec?.name ?? module.__name__;
    return this.#run(this.#found(name), module);
  }

  /**
   * The code object of `fullname` (Python's `get_code` / `_imp.get_frozen_object`). Throws
   * `ImportError` when it is not frozen, excluded (`Excluded frozen object named …`) or invalid, and
   * `FrozenBundleError` when its record is damaged.
   */
  getCode(fullname: string): CodeObject {
    const found = this.#found(fullname);
    return new CodeObject(found.entry.filename ?? `<frozen ${fullname}>`, (module) =>
      this.#run(found, module),
    );
  }

  /** Frozen modules have no source (Python's `get_source` returns `None`). */
  getSource(): null {
    return null;
  }

  /** Tell whether `fullname` is a frozen package. Throws `ImportError` when it is not frozen. */
  isPackage(fullname: string): boolean {
    const found = this.lookup(fullname);
    if (!found) throw notFrozen(fullname);
    return found.entry.isPackage;
  }

  toString(): string {
    return '<FrozenLoader>';
  }

  /** The lookup of a name with usable code, or the `ImportError` Python raises. */
  #found(name: string): FrozenLookup {
    const found = this.lookup(name);
    if (!found) throw notFrozen(name);
    checkFrozenUsable(found);
    return found;
  }

  /** The module functions of `bundle`'s program, compiled on first use (one script per bundle). */
  #functions(bundle: FrozenBundle): readonly (ModuleFunction | null)[] {
    const known = this.#programs.get(bundle);
    if (known) return known;
    const { text, v8 } = bundle.program();
    let script: vm.Script;
    let functions: unknown;
    try {
      script = new vm.Script(text, {
        filename: bundle.path,
        cachedData: v8 ? Buffer.from(v8.buffer, v8.byteOffset, v8.byteLength) : undefined,
      });
      functions = script.runInThisContext();
    } catch (error) {
      throw new FrozenBundleError(
        `the frozen bundle '${bundle.path}' holds code that does not compile (${(error as Error).message}); freeze the modules again`,
        'corrupt',
        { path: bundle.path, cause: error },
      );
    }
    if (!Array.isArray(functions) || functions.length !== bundle.count) {
      throw new FrozenBundleError(
        `the frozen bundle '${bundle.path}' holds a program that does not match its index; freeze the modules again`,
        'corrupt',
        { path: bundle.path },
      );
    }
    registerSourceMap(bundle.path, bundle.mapLoader(), 0, { originalFiles: true });
    const list = functions as (ModuleFunction | null)[];
    this.#programs.set(bundle, list);
    this.#onCompiled?.(bundle, script);
    return list;
  }

  #run({ bundle, entry }: FrozenLookup, module: ModuleType): void | Promise<void> {
    let functions: readonly (ModuleFunction | null)[];
    try {
      functions = this.#functions(bundle);
    } catch (error) {
      if (!(error instanceof FrozenBundleError) || error.moduleName !== null) throw error;
      // Name the module whose import met the damage, as well as the bundle.
      throw new FrozenBundleError(`${error.message} (importing '${entry.name}')`, error.reason, {
        path: bundle.path,
        moduleName: entry.name,
        cause: error.cause,
      });
    }
    const fn = functions[entry.slot];
    if (typeof fn !== 'function') {
      throw new FrozenBundleError(
        `the frozen bundle '${bundle.path}' has no function for '${entry.name}'; freeze the modules again`,
        'corrupt',
        { path: bundle.path, moduleName: entry.name },
      );
    }
    const file = entry.filename ?? bundle.path;
    checkAsyncAllowed(this.system, entry.isAsync, module.__name__, file);
    const scope = createModuleScope(this.system, module, file, { nodeFallback: this.#nodeFallback });
    const result = callModuleFunction(fn, scope, file);
    if (isThenable(result)) {
      return Promise.resolve(result).then(() => {
        scope.module.loaded = true;
      });
    }
    scope.module.loaded = true;
  }
}

/**
 * Check that a frozen entry has code to run (Python's `find_frozen` statuses `FROZEN_EXCLUDED` and
 * `FROZEN_INVALID`). Throws `ImportError` naming the module and the bundle: `Excluded frozen object
 * named …` for an entry frozen without code, `Frozen object named … is invalid` for empty code.
 */
export function checkFrozenUsable({ bundle, entry }: FrozenLookup): void {
  if (entry.excluded) {
    throw new ImportError(`Excluded frozen object named '${entry.name}'`, {
      moduleName: entry.name,
      path: bundle.path,
    });
  }
  if (entry.invalid) {
    throw new ImportError(`Frozen object named '${entry.name}' is invalid`, {
      moduleName: entry.name,
      path: bundle.path,
    });
  }
}

function notFrozen(name: string): ImportError {
  return new ImportError(`No such frozen object named '${name}'`, { moduleName: name });
}
