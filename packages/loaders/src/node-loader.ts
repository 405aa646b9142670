/**
 * The loader of modules Node resolves itself (npm dependencies no finder of the system claims): the
 * registry entry becomes what Node's `require` returns, so a package is shared with the rest of the
 * process exactly as Node shares it.
 *
 * Must not import anything but `@importlib/core` and node built-ins.
 */
import { createRequire } from 'node:module';

import type { ImportSystem, Loader, ModuleType } from '@importlib/core';

/** Loads a file Node resolved, with Node's own `require` (its cache, its CommonJS loader). */
export class NodeRequireLoader implements Loader {
  readonly name: string;
  readonly path: string;
  readonly system: ImportSystem;

  constructor(name: string, path: string, system: ImportSystem) {
    this.name = name;
    this.path = path;
    this.system = system;
  }

  createModule(): null {
    return null;
  }

  execModule(module: ModuleType): void {
    this.system.modules.set(module.__name__, createRequire(this.path)(this.path));
  }

  getFilename(): string {
    return this.path;
  }

  isPackage(): boolean {
    return false;
  }

  toString(): string {
    return `<NodeRequireLoader '${this.path}'>`;
  }
}
