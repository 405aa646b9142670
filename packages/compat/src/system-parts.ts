/**
 * What `imp` and the C API need from an import system besides its public methods: the lazily made
 * default system, its builtin importer, the loader context its file loaders share, the name check
 * and a helper that binds an object's methods so they can be passed around
 * (`const { find_module } = imp`).
 */
import { statSync } from 'node:fs';

import { ImportArgumentError, ImportStateError, type ImportSystem } from '@importlib/core';
import { BuiltinImporter, FrozenImporter } from '@importlib/finders';
import { createImportSystem, loaderContextOf } from '@importlib/hooks';
import { LoaderContext } from '@importlib/loaders';

let defaultSystem: ImportSystem | undefined;

/**
 * The import system the default `imp` and `capi` objects use, made by `createImportSystem()` the
 * first time either of them needs it (importing this package creates nothing).
 */
export function getDefaultSystem(): ImportSystem {
  defaultSystem ??= createImportSystem();
  return defaultSystem;
}

/** How an `imp` or `capi` object reaches its system: the system itself, or a function making it on demand. */
export type SystemSource = ImportSystem | (() => ImportSystem);

/** Turn a {@link SystemSource} into a function returning the system. */
export function systemGetter(source: SystemSource): () => ImportSystem {
  return typeof source === 'function' ? source : () => source;
}

/** The `BuiltinImporter` on `system.metaPath`, or `undefined` when the system has none. */
export function builtinImporterOf(system: ImportSystem): BuiltinImporter | undefined {
  return system.metaPath.find((finder): finder is BuiltinImporter => finder instanceof BuiltinImporter);
}

/** The `FrozenImporter` on `system.metaPath`, or `undefined` when the system has none. */
export function frozenImporterOf(system: ImportSystem): FrozenImporter | undefined {
  return system.metaPath.find((finder): finder is FrozenImporter => finder instanceof FrozenImporter);
}

/** The `BuiltinImporter` on `system.metaPath`; an `ImportStateError` naming `what` when there is none. */
export function requireBuiltinImporter(system: ImportSystem, what: string): BuiltinImporter {
  const importer = builtinImporterOf(system);
  if (!importer) {
    throw new ImportStateError(
      `${what} needs a BuiltinImporter on system.metaPath; this system has none (make it with createImportSystem())`,
    );
  }
  return importer;
}

const contexts = new WeakMap<ImportSystem, LoaderContext>();

/**
 * The loader context of `system`: the one `createImportSystem` gave it (so its cache and transpile
 * options apply), else one with the default options, made once per system.
 */
export function contextOf(system: ImportSystem): LoaderContext {
  const own = loaderContextOf(system);
  if (own) return own;
  let context = contexts.get(system);
  if (!context) {
    context = new LoaderContext(system);
    contexts.set(system, context);
  }
  return context;
}

/**
 * `name` itself when it is a string; the name check every `imp` and `capi` function starts with.
 * @throws ImportArgumentError naming the function `what` when `name` is not a string.
 */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string') {
    throw new ImportArgumentError(
      `${what}() needs a module name string, not ${name === null ? 'null' : typeof name}`,
    );
  }
  return name;
}

/** Tell whether `path` is an existing folder. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** Tell whether `path` is an existing file. */
export function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** Bind every method of `prototype` to `target`, as own properties, so they can be taken off it. */
export function bindMethods(target: object, prototype: object): void {
  for (const key of Object.getOwnPropertyNames(prototype)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (typeof descriptor?.value !== 'function') continue;
    Object.defineProperty(target, key, {
      value: (descriptor.value as (...args: unknown[]) => unknown).bind(target),
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
}
