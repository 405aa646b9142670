/**
 * The loader of files Node runs itself: npm dependencies no finder of the system claims, and the
 * JavaScript files of installed packages (a `node_modules` folder on the path). The registry entry
 * becomes what Node's loader gives, so a package is shared with the rest of the process exactly as
 * Node shares it: one file, one module object (Node's cache), and everything inside the file (its
 * `require`, nested `node_modules` versions, `exports` conditions) is Node's own.
 *
 * On the synchronous import path the file is loaded with Node's `require` (an ES module too: Node
 * requires those from 20.19 and 22.12 on, which is why `engines` says so). On the async path (no outer
 * synchronous import is running) an ES module is loaded with Node's `import()`, so top-level `await`
 * works and the entry is Node's namespace object itself, with exactly Node's keys.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

import { getAttr, ModuleSpec, RequireAsyncError, type ModuleType } from '@importlib/core';

import { isEsmFile } from './node-resolve.js';
import { ValueFileLoader } from './value-loader.js';

/** A spec's `loaderState` for a package whose `import` condition names another file than `require`. */
export interface NodeEntryState {
  /** The file Node's ES module loader enters the package at. */
  importPath: string;
}

/** Node's `require` of `file`; an ES module with top-level await is a typed error naming it. */
export function requireFile(name: string, file: string): unknown {
  try {
    return createRequire(file)(file);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
    throw new RequireAsyncError(
      `module '${name}' (${file}) is an ES module with top-level await: Node cannot require() it; import it with importModuleAsync() or import()`,
      { moduleName: name, path: file },
    );
  }
}

/** Loads a file Node resolved, with Node's own loaders (their cache, their rules). */
export class NodeRequireLoader extends ValueFileLoader {
  override execModule(module: ModuleType): void | Promise<void> {
    const name = this.nameOf(module);
    if (this.system.outerImportId === null) {
      const spec = getAttr(module, '__spec__');
      const state = spec instanceof ModuleSpec ? (spec.loaderState as Partial<NodeEntryState> | null) : null;
      const file = typeof state?.importPath === 'string' ? state.importPath : this.path;
      if (isEsmFile(file)) {
        return import(pathToFileURL(file).href).then((namespace: unknown) =>
          this.replaceEntry(name, namespace),
        );
      }
    }
    this.replaceEntry(name, requireFile(name, this.path));
  }

  override toString(): string {
    return `<NodeRequireLoader '${this.path}'>`;
  }
}
