// ExtensionFileLoader: a real Node-API addon, built by node-gyp from test/fixtures/addon before the
// tests (see build-addon.ts), loaded through real ImportSystems.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ErrorCodes, ImportArgumentError, ImportError, ModuleType, type ImportEvent } from '@importlib/core';

import { ExtensionFileLoader, ExtensionLoadError } from '../src/extension-loader.js';
import { buildAddon, type BuiltAddon } from './build-addon.js';
import { fileSystem } from './file-map-finder.js';
import { thrownBy } from './helpers.js';

interface Addon {
  hello(): string;
  add(a: number, b: number): number;
  initCount: number;
}

let built: BuiltAddon;
const dir = mkdtempSync(join(tmpdir(), 'importlib-ext-'));

beforeAll(() => {
  built = buildAddon();
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A system serving the file `path` as the module `name`. */
function systemWith(path: string, name = 'native') {
  return fileSystem(ExtensionFileLoader, { [name]: path });
}

describe('ExtensionFileLoader: loading an addon', () => {
  it('returns the addon exports, whose native functions work', () => {
    const addon = systemWith(built.addon).importModule('native') as Addon;
    expect(addon.hello()).toBe('world');
    expect(addon.add(2, 3)).toBe(5);
  });

  it('makes the addon exports the registry entry, replacing the module object', () => {
    const system = systemWith(built.addon);
    const addon = system.importModule('native');
    expect(system.modules.get('native')).toBe(addon);
    expect(addon).not.toBeInstanceOf(ModuleType);
    expect(Object.hasOwn(addon as object, '__spec__')).toBe(false);
  });

  it('returns the same exports on a second import in the same system', () => {
    const system = systemWith(built.addon);
    expect(system.importModule('native')).toBe(system.importModule('native'));
  });

  it('runs the init again for another system, giving new exports over the same C state', () => {
    const first = systemWith(built.addon).importModule('native') as Addon;
    const second = systemWith(built.addon).importModule('native') as Addon;
    expect(second).not.toBe(first);
    expect(second.initCount).toBeGreaterThan(first.initCount);
  });

  it('loads one file under two names as two exports objects', () => {
    const system = fileSystem(ExtensionFileLoader, { foo: built.addon, bar: built.addon });
    const foo = system.importModule('foo') as Addon;
    const bar = system.importModule('bar') as Addon;
    expect(foo).not.toBe(bar);
    expect(bar.hello()).toBe('world');
  });

  it('refuses to reload the addon exports, which are not a module object', () => {
    const system = systemWith(built.addon);
    const addon = system.importModule('native');
    expect(() => system.reload(addon)).toThrow(ImportArgumentError);
    expect(system.modules.get('native')).toBe(addon);
  });

  it('reports the load as a verbose trace event', () => {
    const system = systemWith(built.addon);
    const events: ImportEvent[] = [];
    system.addTracer((event) => events.push(event));
    system.importModule('native');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'verbose',
        level: 1,
        message: `extension module 'native' loaded from '${built.addon}'`,
      }),
    );
  });
});

describe('ExtensionFileLoader: errors', () => {
  it('raises an ExtensionLoadError for a shared library that registers no module', () => {
    const system = systemWith(built.notAnAddon);
    const error = thrownBy<ExtensionLoadError>(() => system.importModule('native'));
    expect(error).toBeInstanceOf(ExtensionLoadError);
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe(ErrorCodes.EXTENSION);
    expect(error.code).toBe('ERR_IMPORTLIB_EXTENSION');
    expect(error.message).toMatch(/did not self-register/);
  });

  it('names the module and the file in the error', () => {
    const system = systemWith(built.notAnAddon);
    const error = thrownBy<ExtensionLoadError>(() => system.importModule('native'));
    expect(error.moduleName).toBe('native');
    expect(error.path).toBe(built.notAnAddon);
    expect(error.message).toContain("'native'");
    expect(error.message).toContain(built.notAnAddon);
  });

  it("keeps Node's own error as the cause", () => {
    const system = systemWith(built.notAnAddon);
    const error = thrownBy<ExtensionLoadError>(() => system.importModule('native'));
    expect((error.cause as { code?: string }).code).toBe('ERR_DLOPEN_FAILED');
  });

  it('raises an ExtensionLoadError for a file that is not a shared library', () => {
    const file = join(dir, 'text.node');
    writeFileSync(file, 'not a shared library\n');
    const error = thrownBy<ExtensionLoadError>(() => systemWith(file).importModule('native'));
    expect(error).toBeInstanceOf(ExtensionLoadError);
    expect(error.path).toBe(file);
  });

  it('raises an ExtensionLoadError for a missing file', () => {
    const file = join(dir, 'missing.node');
    const error = thrownBy<ExtensionLoadError>(() => systemWith(file).importModule('native'));
    expect(error).toBeInstanceOf(ExtensionLoadError);
    expect(error.moduleName).toBe('native');
  });

  it('leaves nothing in modules after a failed load', () => {
    const system = systemWith(built.notAnAddon);
    expect(() => system.importModule('native')).toThrow(ExtensionLoadError);
    expect(system.modules.has('native')).toBe(false);
  });
});

describe('ExtensionFileLoader: the loader protocol', () => {
  it('returns the file from getFilename()', () => {
    const loader = new ExtensionFileLoader('native', built.addon, systemWith(built.addon));
    expect(loader.getFilename('native')).toBe(built.addon);
  });

  it('refuses getFilename() for a name it was not made for', () => {
    const loader = new ExtensionFileLoader('native', built.addon, systemWith(built.addon));
    expect(() => loader.getFilename('other')).toThrow(ImportError);
  });

  it('makes a relative path absolute, so dlopen never searches the library path', () => {
    const loader = new ExtensionFileLoader('native', 'addon.node', systemWith(built.addon));
    expect(loader.path).toBe(join(process.cwd(), 'addon.node'));
  });

  it('says the module is no package and has neither source nor code', () => {
    const loader = new ExtensionFileLoader('native', built.addon, systemWith(built.addon));
    expect(loader.isPackage()).toBe(false);
    expect(loader.getSource()).toBeNull();
    expect(loader.getCode()).toBeNull();
  });

  it('gives a spec whose origin is the file', () => {
    const spec = systemWith(built.addon).findSpec('native');
    expect(spec?.origin).toBe(built.addon);
    expect(spec?.loader).toBeInstanceOf(ExtensionFileLoader);
  });

  it('names the module and the file in toString()', () => {
    const loader = new ExtensionFileLoader('native', built.addon, systemWith(built.addon));
    expect(String(loader)).toBe(`<ExtensionFileLoader for 'native' from '${built.addon}'>`);
  });
});
