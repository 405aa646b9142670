/**
 * `ModuleSpec`: everything that passes between finding a module and loading it (PEP 451), and the
 * helpers that build one (`spec_from_loader`, `spec_from_file_location`). Only finders build specs.
 */
import { dirname, isAbsolute, resolve } from 'node:path';

import { ImportError } from './errors.js';
import type { Loader } from './loader.js';
import type { SearchLocations } from './module.js';

/** Options of the {@link ModuleSpec} constructor. */
export interface ModuleSpecOptions {
  /** Where the module comes from: a file for file-based loaders, a word like `'built-in'` otherwise. */
  origin?: string | null;
  /** Anything the loader wants to carry from finding to loading. */
  loaderState?: unknown;
  /** `true` for a package: its `submoduleSearchLocations` starts as `[]`. */
  isPackage?: boolean | null;
}

/** The specification of a module: what a finder found and how to load it (Python's `ModuleSpec`). */
export class ModuleSpec {
  /** The fully qualified module name. */
  name: string;
  /** The loader, or `null` for a namespace package (a `NamespaceLoader` is put here on load). */
  loader: Loader | null;
  /** Where the module comes from (a path when {@link hasLocation}), or `null`. */
  origin: string | null;
  /** Data the finder hands to the loader. */
  loaderState: unknown;
  /** The package's `__path__`: `null` for a plain module. */
  submoduleSearchLocations: SearchLocations | null;
  /** `true` when {@link origin} is a location the module can be loaded from again (sets `__file__`). */
  hasLocation = false;
  /**
   * `true` while the module's code is running (Python's `spec._initializing`). Another import task
   * that meets such a module waits for it, or gets it partly filled on a cycle.
   */
  initializing = false;
  #cached: string | null | undefined = undefined;

  constructor(name: string, loader: Loader | null, options: ModuleSpecOptions = {}) {
    this.name = name;
    this.loader = loader;
    this.origin = options.origin ?? null;
    this.loaderState = options.loaderState;
    this.submoduleSearchLocations = options.isPackage ? [] : null;
  }

  /**
   * The compiled-cache file of this module, or `null`. Computed lazily, only for a spec with a location,
   * by asking the loader's `getCached(origin)`; assign to override.
   */
  get cached(): string | null {
    if (this.#cached === undefined) {
      // Not remembered without a location: Python recomputes `cached` while it is None.
      if (!this.hasLocation || this.origin === null || typeof this.loader?.getCached !== 'function') {
        return null;
      }
      this.#cached = this.loader.getCached(this.origin);
    }
    return this.#cached;
  }

  set cached(value: string | null) {
    this.#cached = value;
  }

  /** The package the module belongs to: its own name for a package, else the name up to the last dot. */
  get parent(): string {
    if (this.submoduleSearchLocations !== null) return this.name;
    const dot = this.name.lastIndexOf('.');
    return dot === -1 ? '' : this.name.slice(0, dot);
  }

  /** Compare two specs field by field, as Python's `ModuleSpec.__eq__` does. */
  equals(other: unknown): boolean {
    if (!(other instanceof ModuleSpec)) return false;
    return (
      this.name === other.name &&
      this.loader === other.loader &&
      this.origin === other.origin &&
      sameLocations(this.submoduleSearchLocations, other.submoduleSearchLocations) &&
      this.cached === other.cached &&
      this.hasLocation === other.hasLocation
    );
  }

  toString(): string {
    const parts = [
      `name='${this.name}'`,
      `loader=${this.loader === null ? 'null' : describeLoader(this.loader)}`,
    ];
    if (this.origin !== null) parts.push(`origin='${this.origin}'`);
    if (this.submoduleSearchLocations !== null) {
      parts.push(`submoduleSearchLocations=${JSON.stringify([...this.submoduleSearchLocations])}`);
    }
    return `ModuleSpec(${parts.join(', ')})`;
  }
}

function sameLocations(a: SearchLocations | null, b: SearchLocations | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const left = [...a];
  const right = [...b];
  return left.length === right.length && left.every((entry, i) => entry === right[i]);
}

function describeLoader(loader: Loader): string {
  const name = (loader as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `<${name}>` : '<loader>';
}

/** Options of {@link specFromLoader}. */
export interface SpecFromLoaderOptions {
  origin?: string | null;
  /** Whether the module is a package; when absent, the loader's `isPackage(name)` is asked. */
  isPackage?: boolean | null;
}

/**
 * Build a spec from a loader (Python's `spec_from_loader`). A loader with `getFilename` gets a
 * file-location spec; otherwise `isPackage` comes from the options or the loader (an `ImportError`
 * from `loader.isPackage` means "unknown").
 */
export function specFromLoader(
  name: string,
  loader: Loader | null,
  options: SpecFromLoaderOptions = {},
): ModuleSpec {
  let origin = options.origin ?? undefined; // null is Python's None: the default
  if (origin === undefined && loader !== null) {
    const own = (loader as { ORIGIN?: unknown }).ORIGIN;
    if (typeof own === 'string') origin = own;
  }
  if (origin === undefined && loader !== null && typeof loader.getFilename === 'function') {
    let location: string | undefined;
    try {
      location = loader.getFilename(name);
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
    }
    if (location !== undefined) {
      const isPackage = options.isPackage ?? askIsPackage(loader, name);
      return specFromFileLocation(name, location, { loader, isPackage: isPackage ?? false });
    }
  }
  const isPackage = options.isPackage ?? (loader ? askIsPackage(loader, name) : false);
  return new ModuleSpec(name, loader, { origin: origin ?? null, isPackage: isPackage ?? false });
}

function askIsPackage(loader: Loader, name: string): boolean | null {
  if (typeof loader.isPackage !== 'function') return null;
  try {
    return loader.isPackage(name);
  } catch (error) {
    if (error instanceof ImportError) return null;
    throw error;
  }
}

/** Options of {@link specFromFileLocation}. */
export interface SpecFromFileLocationOptions {
  loader: Loader | null;
  /**
   * A package's search locations (`[]` gives `[dirname(location)]`, `null`: not a package);
   * `isPackage: true` alone gives `[dirname(location)]`.
   */
  submoduleSearchLocations?: string[] | null;
  isPackage?: boolean;
}

/**
 * Build a spec for a module loaded from a file (Python's `spec_from_file_location`): the location is
 * made absolute, `hasLocation` is set, and a package gets `[dirname(location)]` as its search path.
 * The core knows no file suffixes, so the loader must be given.
 */
export function specFromFileLocation(
  name: string,
  location: string,
  options: SpecFromFileLocationOptions,
): ModuleSpec {
  const origin = isAbsolute(location) ? location : resolve(location);
  const spec = new ModuleSpec(name, options.loader, { origin });
  spec.hasLocation = true;
  let locations: string[] | null = null;
  if (options.submoduleSearchLocations !== undefined) {
    // Explicit locations (null: not a package) win over asking the loader, as in Python.
    locations = options.submoduleSearchLocations && [...options.submoduleSearchLocations];
  } else if (options.isPackage ?? askIsPackageOrFalse(options.loader, name)) {
    locations = [];
  }
  if (locations?.length === 0) locations.push(dirname(origin)); // `[]` means "the location's directory"
  spec.submoduleSearchLocations = locations;
  return spec;
}

function askIsPackageOrFalse(loader: Loader | null, name: string): boolean {
  return loader ? (askIsPackage(loader, name) ?? false) : false;
}
