// How often createImportSystem's folder finders look at a folder's mtime: once per outer synchronous
// import (not on every lookup, as Python's FileFinder does). What users rely on: a module file
// added between two imports is found. (One created and imported within the same import needs
// invalidateCaches() first: the listing cache's own tests in @importlib/finders hold that rule.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createImportSystem } from '@importlib/hooks';

let work: string;

beforeAll(() => {
  const root = fileURLToPath(new URL('./.work', import.meta.url));
  mkdirSync(root, { recursive: true });
  work = mkdtempSync(join(root, 'listing-checks-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(work, 'tree-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

describe('folder checks of createImportSystem', () => {
  it('finds a module file added between two imports', () => {
    const root = folder({ 'first.ts': 'export const one = 1;\n' });
    const system = createImportSystem({ path: [root], nodeFallback: false });
    system.importModule('first');
    writeFileSync(join(root, 'second.ts'), 'export const two = 2;\n');
    expect((system.importModule('second') as { two: number }).two).toBe(2);
  });
});
