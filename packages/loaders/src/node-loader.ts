/**
 * The loader of modules Node resolves itself (npm dependencies no finder of the system claims): the
 * registry entry becomes what Node's `require` returns, so a package is shared with the rest of the
 * process exactly as Node shares it.
 */
import { createRequire } from 'node:module';

import type { ModuleType } from '@importlib/core';

import { ValueFileLoader } from './value-loader.js';

/** Loads a file Node resolved, with Node's own `require` (its cache, its CommonJS loader). */
export class NodeRequireLoader extends ValueFileLoader {
  override execModule(module: ModuleType): void {
    this.replaceEntry(this.nameOf(module), createRequire(this.path)(this.path));
  }

  override toString(): string {
    return `<NodeRequireLoader '${this.path}'>`;
  }
}
