// How often createImportSystem's folder finders look at a folder's mtime: once per outer synchronous
// import (not on every lookup, as Python's FileFinder does). What users rely on: a module file
// added between two imports is found. (One created and imported within the same import needs
// invalidateCaches() first: the listing cache's own tests in @importlib/finders hold that rule.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { createImportSystem } from '@importlib/hooks';

import { tree, workFolder } from './helpers.js';

const work = workFolder('listing-checks-');

describe('folder checks of createImportSystem', () => {
  it('finds a module file added between two imports', () => {
    const root = tree(work.path, { 'first.ts': 'export const one = 1;\n' });
    const system = createImportSystem({ path: [root], nodeFallback: false });
    system.importModule('first');
    writeFileSync(join(root, 'second.ts'), 'export const two = 2;\n');
    expect((system.importModule('second') as { two: number }).two).toBe(2);
  });
});
