// ModuleFile, the open file find_module() returns, and the default system the package's imp and capi
// objects share.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { ImportArgumentError } from '@importlib/core';

import { capi, getDefaultSystem, imp, ModuleFile } from '@importlib/compat';

import { thrownBy, useWorkArea } from './helpers.js';

const work = useWorkArea('module-file');

describe('ModuleFile', () => {
  it('reads from its current position to the end: a second read() gets what is left, nothing', () => {
    const dir = work.folder({ 'm.ts': 'text é\n' });
    const file = new ModuleFile(join(dir, 'm.ts'), 'r');
    try {
      expect(file.read()).toBe('text é\n');
      expect(file.read()).toBe('');
    } finally {
      file.close();
    }
  });

  it('exposes its file descriptor while open, and refuses reads once closed', () => {
    const dir = work.folder({ 'm.ts': 'x' });
    const file = new ModuleFile(join(dir, 'm.ts'), 'rb');
    expect(typeof file.fd).toBe('number');
    file.close();
    expect(thrownBy(() => file.read())).toBeInstanceOf(ImportArgumentError);
    expect(thrownBy(() => file.fd)).toBeInstanceOf(ImportArgumentError);
  });

  it('closing it again does nothing', () => {
    const dir = work.folder({ 'm.ts': 'x' });
    const file = new ModuleFile(join(dir, 'm.ts'));
    file.close();
    expect(() => file.close()).not.toThrow();
    expect(file.closed).toBe(true);
  });

  it("refuses a mode other than 'r' and 'rb' before opening anything", () => {
    const dir = work.folder({ 'm.ts': 'x' });
    expect(thrownBy(() => new ModuleFile(join(dir, 'm.ts'), 'w'))).toBeInstanceOf(ImportArgumentError);
  });
});

describe('the default imp and capi', () => {
  it('share one system, made by createImportSystem(): builtins are there', () => {
    expect(imp.system).toBe(getDefaultSystem());
    expect(capi.system).toBe(imp.system);
    expect(capi.PyImport_ImportModule('node:path')).toBe(imp.system.modules.get('node:path'));
  });
});
