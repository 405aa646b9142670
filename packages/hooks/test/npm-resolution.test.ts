// How bare specifiers and npm packages resolve under createImportSystem (docs/guide/npm.md): Node's
// builtins by bare name at top level, Node's resolution from the importing file (nested versions,
// `exports` conditions, ESM-only packages), package folders on `path` entered at their package.json
// entry, and a file beside a folder of the same name. Every package here is a small tree written by
// the test, so nothing is fetched.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

import { type ModuleType } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';

import { tree, workFolder } from './helpers.js';

const work = workFolder('npm-');
const nodeRequire = createRequire(import.meta.url);

describe('Node builtins by bare name at top level', () => {
  it('importModule("fs") is Node\'s fs when nothing on the path is called fs', () => {
    const root = tree(work.path, { 'app.ts': 'export const x = 1;\n' });
    const system = createImportSystem({ path: [root] });
    expect(system.importModule('fs')).toBe(nodeRequire('node:fs'));
    expect(system.importModule('events')).toBe(nodeRequire('node:events'));
  });

  it('a project module of that name shadows it, as a module on sys.path shadows the stdlib', () => {
    const root = tree(work.path, { 'fs.ts': 'export const project = true;\n' });
    const system = createImportSystem({ path: [root] });
    expect((system.importModule('fs') as ModuleType).project).toBe(true);
  });
});
