// createImportSystem({ traceFiles }): the folder finders' `trying <file>` lines (Python's -vv) are
// reported as verbose events only when asked.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ImportEvent } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';

const workRoot = fileURLToPath(new URL('./.work', import.meta.url));
let root: string;

beforeAll(() => {
  mkdirSync(workRoot, { recursive: true });
  root = mkdtempSync(join(workRoot, 'trace-files-'));
  writeFileSync(join(root, 'mod.js'), 'exports.x = 1;\n');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
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
