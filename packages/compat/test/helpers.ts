// Shared set-up of the compat tests: real folders under test/.work (made and removed by each test
// file), systems over them, frozen bundles made with `freeze`, and small helpers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach } from 'vitest';

import type { ImportSystem } from '@importlib/core';
import { createImportSystem, freeze, type CreateImportSystemOptions } from '@importlib/hooks';

import { createCapi, createImp, type CApi, type Imp } from '@importlib/compat';

const workRoot = fileURLToPath(new URL('./.work', import.meta.url));

/** Module code reports what it did by pushing to this global array (module code runs in this realm). */
const LOG = '__compatTestLog';
const globals = globalThis as Record<string, unknown>;

/** A line of module code that logs `entry`. */
export const say = (entry: string): string => `globalThis.${LOG}.push(${JSON.stringify(entry)});\n`;

/** What module code logged since the last {@link resetLog}. */
export const logged = (): string[] => globals[LOG] as string[];

/** Empty the log ({@link useWorkArea} does it before each test). */
function resetLog(): void {
  globals[LOG] = [];
}

/** Files to write: path relative to a folder → text. */
export type Files = Record<string, string>;

/**
 * The work area of the calling test file, made before its tests and removed after them; the log is
 * emptied before each test.
 */
export function useWorkArea(label: string): WorkArea {
  const work = new WorkArea(label);
  beforeAll(() => work.create());
  afterAll(() => work.remove());
  beforeEach(() => resetLog());
  return work;
}

/** A work area for one test file: `create()` in `beforeAll`, `remove()` in `afterAll` (see {@link useWorkArea}). */
export class WorkArea {
  #base: string | null = null;

  constructor(readonly label: string) {}

  create(): void {
    mkdirSync(workRoot, { recursive: true });
    this.#base = mkdtempSync(join(workRoot, `${this.label}-`));
    resetLog();
  }

  remove(): void {
    if (this.#base) rmSync(this.#base, { recursive: true, force: true });
    delete globals[LOG];
  }

  /** A new folder holding `files`. */
  folder(files: Files = {}): string {
    if (!this.#base) throw new Error('WorkArea.create() was not called');
    mkdirSync(this.#base, { recursive: true });
    const dir = mkdtempSync(join(this.#base, 'dir-'));
    write(dir, files);
    return dir;
  }

  /** A system whose only path entry is a new folder holding `files`; no Node fallback. */
  project(
    files: Files = {},
    options: CreateImportSystemOptions = {},
  ): { root: string; system: ImportSystem } {
    const root = this.folder(files);
    return { root, system: createImportSystem({ path: [root], nodeFallback: false, ...options }) };
  }

  /** A {@link project}, with an `imp` bound to its system. */
  impProject(
    files: Files = {},
    options: CreateImportSystemOptions = {},
  ): { root: string; system: ImportSystem; imp: Imp } {
    const { root, system } = this.project(files, options);
    return { root, system, imp: createImp(system) };
  }

  /** A {@link project}, with a `capi` bound to its system. */
  capiProject(
    files: Files = {},
    options: CreateImportSystemOptions = {},
  ): { root: string; system: ImportSystem; capi: CApi } {
    const { root, system } = this.project(files, options);
    return { root, system, capi: createCapi(system) };
  }

  /** A frozen bundle of the modules `names`, found in a new folder holding `files`. */
  bundle(files: Files, names: string[]): string {
    const dir = this.folder(files);
    const output = join(this.folder(), 'modules.frozen');
    freeze(names, { output, path: [dir] });
    return output;
  }
}

/** Write `files` under `dir`, making folders as needed. */
function write(dir: string, files: Files): void {
  for (const [file, text] of Object.entries(files)) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
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

/** The rejection of `promise`, typed as `E` (fails the test when it resolves). */
export async function rejectionOf<E = Error & Record<string, unknown>>(
  promise: Promise<unknown>,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected a rejection, the promise resolved');
}
