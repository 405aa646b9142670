/**
 * The last finder on the meta path: a top-level name nothing else claims is handed to Node's own
 * resolution (`node_modules`, `exports` maps with the `require` conditions on the synchronous path and
 * `import` on the async one), tried from each path entry and then from the current directory. This is
 * how `system.importModule('lodash')` finds an npm dependency, and `importModule('fs')` Node's `fs`.
 * Module code never gets here: what the system does not own, it resolves with Node from the importing
 * file (see the loaders' module runtime).
 */
import { createRequire, isBuiltin } from 'node:module';
import { resolve } from 'node:path';

import {
  decodeSegment,
  ModuleSpec,
  type ImportSystem,
  type Loader,
  type MetaPathFinder,
} from '@importlib/core';
import { BUILTIN_ORIGIN, isModuleCodeLookup, NodeRequireLoader, nodeResolve } from '@importlib/loaders';

const requireBuiltin = createRequire(import.meta.url);

/**
 * A Node core module asked for by its bare id at top level (`importModule('fs')`): the entry is Node's
 * own object, the one `node:fs` holds. Only names nothing on the path claimed get here, so a project
 * module `fs` shadows it, as a module on `sys.path` shadows a stdlib one in Python.
 */
function builtinAliasSpec(system: ImportSystem, name: string, id: string): ModuleSpec {
  const loader: Loader = {
    createModule: () => null,
    execModule: () => void system.modules.set(name, requireBuiltin(id)),
  };
  return new ModuleSpec(name, loader, { origin: BUILTIN_ORIGIN });
}

/** Finds top-level names with Node's module resolution. */
export class NodeFallbackFinder implements MetaPathFinder {
  readonly #system: ImportSystem;

  constructor(system: ImportSystem) {
    this.#system = system;
  }

  findSpec(name: string, path: readonly string[] | null): ModuleSpec | null {
    if (path !== null || name.includes('.')) return null; // top-level names only
    // Module code resolves what the system does not own from its own file, not from the path entries.
    if (isModuleCodeLookup(this.#system, name)) return null;
    const specifier = decodeSegment(name);
    if (isBuiltin(specifier)) return builtinAliasSpec(this.#system, name, specifier);
    // The async path (no outer synchronous import) resolves with Node's `import` conditions.
    const conditions = this.#system.outerImportId === null ? 'import' : 'require';
    for (const base of [...this.#system.path, process.cwd()]) {
      if (typeof base !== 'string') continue;
      const from = resolve(base, '__importlib__.js'); // '' and relative entries: from the current directory
      let resolved: string;
      try {
        resolved = nodeResolve(specifier, from, conditions);
      } catch {
        continue;
      }
      const spec = new ModuleSpec(name, new NodeRequireLoader(name, resolved, this.#system), {
        origin: resolved,
      });
      spec.hasLocation = true;
      return spec;
    }
    return null;
  }

  toString(): string {
    return '<NodeFallbackFinder>';
  }
}
