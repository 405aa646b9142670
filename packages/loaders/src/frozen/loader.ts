/**
 * `FrozenLoader`: runs modules from frozen bundles (Python's `FrozenImporter` as a loader, with
 * `_imp.find_frozen` / `_imp.get_frozen_object`). The bundles are searched in the order given; the
 * first that has an entry for a name serves it. A module's body is compiled with V8's cache from the
 * bundle when the bundle's runtime key matches this process (the JS is run otherwise), and its stack
 * frames are mapped to the original file through the source map in the bundle.
 *
 * Must not import anything but `@importlib/core` and node built-ins.
 */
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

import { compileBody, createModuleScope, runBody, type CompiledBody } from '../runtime.js';
import { registerSourceMap } from '../stack-traces.js';
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
  /** @internal Told of every body compiled (`freeze` uses it to make V8 caches after a run). */
  onCompiled?: (name: string, body: CompiledBody) => void;
}

/** Loads the modules of frozen bundles into one import system. */
export class FrozenLoader implements Loader {
  /** The system whose modules this loader's code imports. */
  readonly system: ImportSystem;
  /** The bundles, in search order. */
  readonly bundles: readonly FrozenBundle[];
  readonly #nodeFallback: boolean;
  readonly #onCompiled: ((name: string, body: CompiledBody) => void) | undefined;

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
    const { bundle, entry } = found;
    if (entry.excluded) {
      throw new ImportError(`Excluded frozen object named '${name}'`, {
        moduleName: name,
        path: bundle.path,
      });
    }
    if (entry.invalid) {
      throw new ImportError(`Frozen object named '${name}' is invalid`, {
        moduleName: name,
        path: bundle.path,
      });
    }
    return found;
  }

  #compile({ bundle, entry }: FrozenLookup): CompiledBody {
    const { js, v8 } = bundle.code(entry.name);
    const filename = entry.filename ?? `<frozen ${entry.name}>`;
    const body = compileBody(js, filename, {
      isAsync: entry.isAsync,
      cachedData: v8,
      moduleName: entry.name,
    });
    registerSourceMap(filename, bundle.mapLoader(entry.name), body.firstLineOffset);
    this.#onCompiled?.(entry.name, body);
    return body;
  }

  #run(found: FrozenLookup, module: ModuleType): void | Promise<void> {
    const body = this.#compile(found);
    const file = found.entry.filename ?? found.bundle.path;
    const scope = createModuleScope(this.system, module, file, { nodeFallback: this.#nodeFallback });
    const result = runBody(body, scope, file);
    if (isThenable(result)) {
      return Promise.resolve(result).then(() => {
        scope.module.loaded = true;
      });
    }
    scope.module.loaded = true;
  }
}

function notFrozen(name: string): ImportError {
  return new ImportError(`No such frozen object named '${name}'`, { moduleName: name });
}
