// createImportSystem({ traceFiles }): the folder finders' `trying <file>` lines (Python's -vv) are
// reported as verbose events only when asked.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import type { ImportEvent } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';

import { tree, workFolder } from './helpers.js';

const work = workFolder('trace-files-');
let root: string;

beforeAll(() => {
  root = tree(work.path, { 'mod.js': 'exports.x = 1;\n' });
});

function verboseMessages(traceFiles: boolean | undefined): string[] {
  const system = createImportSystem({ path: [root], cache: { write: false }, traceFiles });
  const messages: string[] = [];
  system.addTracer((event: ImportEvent) => {
    if (event.type === 'verbose') messages.push(event.message);
  });
  system.importModule('mod');
  return messages;
}

describe('createImportSystem traceFiles', () => {
  it('reports each file tried, in suffix order, up to the one found', () => {
    const tried = verboseMessages(true).filter((message) => message.startsWith('trying '));
    expect(tried[0]).toBe(`trying ${join(root, 'mod.node')}`);
    expect(tried.at(-1)).toBe(`trying ${join(root, 'mod.js')}`);
  });

  it('reports no file tried by default', () => {
    expect(verboseMessages(undefined).some((message) => message.startsWith('trying '))).toBe(false);
  });
});
