// The worked example of docs/guide/import-system.md, run as a test so the guide cannot rot. Keep the
// code here and in the guide the same in substance: when one changes, change the other.
import { describe, expect, it } from 'vitest';

import {
  ImportError,
  ImportSystem,
  ModuleNotFoundError,
  ModuleSpec,
  type Loader,
  type MetaPathFinder,
  type ModuleType,
  type PathEntryFinder,
  type PathHook,
} from '@importlib/core';

// ---------------------------------------------------------------- guide: "A meta-path finder and its loader"

/** The code of an in-memory module: it fills the module object, which is its namespace. */
type Code = (module: ModuleType) => void;

interface Source {
  code: Code;
  isPackage?: boolean;
}

class MemoryLoader implements Loader {
  constructor(private readonly code: Code) {}

  createModule(): null {
    return null; // null: use the default module object
  }

  execModule(module: ModuleType): void {
    this.code(module);
  }
}

class MemoryFinder implements MetaPathFinder {
  constructor(private readonly sources: Map<string, Source>) {}

  findSpec(name: string): ModuleSpec | null {
    const source = this.sources.get(name);
    if (!source) return null; // not mine: the next finder on the meta path is asked
    return new ModuleSpec(name, new MemoryLoader(source.code), {
      origin: 'memory',
      isPackage: source.isPackage ?? false,
    });
  }
}

interface Greet extends ModuleType {
  greeting: string;
  greet(who: string): string;
}
interface Util extends ModuleType {
  shout(text: string): string;
}
interface App extends ModuleType {
  util: Util;
  banner: string;
}

function buildMetaPathExample() {
  const sources = new Map<string, Source>([
    [
      'greet',
      {
        code: (m) => {
          m.greeting = 'hello';
          m.greet = (who: string) => `${m.greeting as string}, ${who}`;
        },
      },
    ],
    [
      'app',
      {
        isPackage: true,
        code: (m) => {
          // A relative import from inside the package: '.util' in package 'app' is 'app.util'.
          const util = system.importModule('.util', m.__package__) as Util;
          m.banner = util.shout('app');
        },
      },
    ],
    ['app.util', { code: (m) => void (m.shout = (text: string) => `${text.toUpperCase()}!`) }],
  ]);

  const system = new ImportSystem();
  system.metaPath.unshift(new MemoryFinder(sources));

  const log: string[] = [];
  system.addTracer((event) => {
    if (event.type === 'loaded') log.push(`import '${event.name}' # ${event.loader}`);
  });

  return { system, sources, log };
}

describe('the guide: a meta-path finder and its loader', () => {
  it('imports a module whose namespace is the module object', () => {
    const { system } = buildMetaPathExample();

    const greet = system.importModule('greet') as Greet;
    expect(greet.greet('Ada')).toBe('hello, Ada');
    expect(Object.keys(greet)).toEqual(['greeting', 'greet']);
    expect(greet.__name__).toBe('greet');
    expect(String(greet)).toBe("<module 'greet' (memory)>");
    expect(system.modules.get('greet')).toBe(greet);
  });

  it('imports a package before its submodule and binds the submodule on it', () => {
    const { system, log } = buildMetaPathExample();

    const util = system.importModule('app.util') as Util;
    const app = system.modules.get('app') as App;
    expect(app.banner).toBe('APP!');
    expect(app.util).toBe(util);
    expect(Object.keys(app)).toEqual(['banner']);
    expect(app.__path__).toEqual([]);
    expect(app.__package__).toBe('app');
    expect(util.__package__).toBe('app');
    expect(log).toEqual(["import 'app.util' # <MemoryLoader>", "import 'app' # <MemoryLoader>"]);
  });

  it('returns the top package from __import__ unless a fromlist is given', () => {
    const { system } = buildMetaPathExample();

    const util = system.importModule('app.util');
    const app = system.modules.get('app');
    expect(system.__import__('app.util')).toBe(app);
    expect(system.__import__('app.util', null, null, ['shout'])).toBe(util);
  });

  it('reloads a module in place, keeping names the new code no longer defines', () => {
    const { system, sources } = buildMetaPathExample();

    const greet = system.importModule('greet') as Greet;
    sources.set('greet', { code: (m) => void (m.greeting = 'hi') });
    expect(system.reload(greet)).toBe(greet);
    expect(greet.greeting).toBe('hi');
    expect(greet.greet('Ada')).toBe('hi, Ada');
  });

  it('throws errors with a stable code and the module name', () => {
    const { system } = buildMetaPathExample();

    let caught: unknown;
    try {
      system.importModule('app.missing');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ModuleNotFoundError);
    const error = caught as ModuleNotFoundError;
    expect(error.code).toBe('ERR_IMPORTLIB_NOT_FOUND');
    expect(error.moduleName).toBe('app.missing');
    expect(error.name).toBe('ModuleNotFoundError');
    expect(error.message).toBe("No module named 'app.missing'");
    // The failed import leaves the package it imported in the registry.
    expect(system.modules.has('app')).toBe(true);
    expect(system.modules.has('app.missing')).toBe(false);
  });
});

// ---------------------------------------------------------------- guide: "A path hook"

/** A tiny virtual file system: a path, and the code of the module at that path. */
const files = new Map<string, Code>([
  ['mem:one/config', (m) => void (m.debug = true)],
  ['mem:one/plugins/a', (m) => void (m.title = 'plugin a')],
  ['mem:two/plugins/b', (m) => void (m.title = 'plugin b')],
]);

class MemoryEntryFinder implements PathEntryFinder {
  constructor(private readonly entry: string) {}

  findSpec(name: string): ModuleSpec | null {
    const base = `${this.entry}/${name.slice(name.lastIndexOf('.') + 1)}`;
    const init = files.get(`${base}/__init__`);
    const code = init ?? files.get(base);
    if (code) {
      const spec = new ModuleSpec(name, new MemoryLoader(code), { origin: init ? `${base}/__init__` : base });
      spec.hasLocation = true; // origin is a place the module can be loaded from again: sets __file__
      if (init) spec.submoduleSearchLocations = [base];
      return spec;
    }
    if ([...files.keys()].some((path) => path.startsWith(`${base}/`))) {
      // A folder without __init__: one portion of a namespace package (no loader, one location).
      const portion = new ModuleSpec(name, null);
      portion.submoduleSearchLocations = [base];
      return portion;
    }
    return null;
  }
}

const memoryHook: PathHook = (entry) => {
  if (!entry.startsWith('mem:')) throw new ImportError(`not a memory entry: '${entry}'`, { path: entry });
  return new MemoryEntryFinder(entry);
};

interface Config extends ModuleType {
  debug: boolean;
}
interface Plugin extends ModuleType {
  title: string;
}

describe('the guide: a path hook', () => {
  it('finds modules on path entries it claims and caches null for the others', () => {
    const host = new ImportSystem({ path: ['/srv/app', 'mem:one', 'mem:two'], pathHooks: [memoryHook] });

    const config = host.importModule('config') as Config;
    expect(config.debug).toBe(true);
    expect(config.__file__).toBe('mem:one/config');
    expect(String(config)).toBe("<module 'config' from 'mem:one/config'>");
    expect(host.pathImporterCache.get('/srv/app')).toBeNull();
    expect(host.pathImporterCache.get('mem:one')).toBeInstanceOf(MemoryEntryFinder);
  });

  it('merges folders of the same name on several entries into a namespace package', () => {
    const host = new ImportSystem({ path: ['/srv/app', 'mem:one', 'mem:two'], pathHooks: [memoryHook] });

    const b = host.importModule('plugins.b') as Plugin;
    const plugins = host.modules.get('plugins') as ModuleType;
    expect(b.title).toBe('plugin b');
    expect([...(plugins.__path__ ?? [])]).toEqual(['mem:one/plugins', 'mem:two/plugins']);
    expect(plugins.__file__).toBeNull();
    expect(String(plugins)).toBe(`<module 'plugins' (namespace) from ["mem:one/plugins","mem:two/plugins"]>`);
  });

  it('asks the hooks again for an entry cached as null after invalidateCaches()', () => {
    const host = new ImportSystem({ path: ['/srv/app', 'mem:one', 'mem:two'], pathHooks: [memoryHook] });

    host.importModule('config');
    host.invalidateCaches();
    expect(host.pathImporterCache.has('/srv/app')).toBe(false); // a cached null is dropped...
    expect(host.pathImporterCache.has('mem:one')).toBe(false); // ...and so is every non-absolute entry
  });
});
