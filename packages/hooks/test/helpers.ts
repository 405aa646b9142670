// Test setup shared by the hooks tests: a folder of each test file's own under the git-ignored
// test/.work (other test files, and other runs, keep theirs beside it), and trees of files in it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

/**
 * A fresh folder `test/.work/<prefix>XXXXXX`, made before the calling file's tests and removed after
 * them. Read `.path` inside hooks and tests (it is empty until the tests start).
 */
export function workFolder(prefix: string): { readonly path: string } {
  const folder = { path: '' };
  beforeAll(() => {
    const work = fileURLToPath(new URL('./.work', import.meta.url));
    mkdirSync(work, { recursive: true });
    folder.path = mkdtempSync(join(work, prefix));
  });
  afterAll(() => {
    if (folder.path !== '') rmSync(folder.path, { recursive: true, force: true });
  });
  return folder;
}

/** Write `files` (path relative to `root` → text) under `root`, making folders as needed. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

/** A new folder `<prefix>XXXXXX` in `parent` holding `files`. */
export function tree(parent: string, files: Record<string, string>, prefix = 'tree-'): string {
  const root = mkdtempSync(join(parent, prefix));
  writeTree(root, files);
  return root;
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
