// A real project tree (packages, TS and JS mixed, a cycle, JSON, CommonJS, a dotted file name,
// decorators, a namespace package over two path entries, an npm dependency, Node builtins) imported
// through createImportSystem, cold and then warm from the compiled cache.
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ImportError,
  ModuleNotFoundError,
  RequireAsyncError,
  type ImportSystem,
  type ModuleType,
} from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';

// The loaders' own test helper builds the tiny Node-API addon with node-gyp (offline, once).
import { buildAddon } from '../../loaders/test/build-addon.js';

const fixture = fileURLToPath(new URL('./fixtures/project', import.meta.url));
// Its own folder under test/.work: other test files keep their trees beside it, in parallel.
const workRoot = fileURLToPath(new URL('./.work/project', import.meta.url));
let root: string;

function system(options: Parameters<typeof createImportSystem>[0] = {}): ImportSystem {
  return createImportSystem({ path: [root, join(root, 'extra')], ...options });
}

const expected = {
  add: 5,
  shape: 'Circle',
  area: 16,
  version: '1.0.0',
  cycle: ['ping->pong', 'pong->ping'],
  greet: 'hello from ts',
  legacy: 40,
  data: 'fixture-data',
  appModule: 'app.module',
  decorated: 'service (decorated: describe)',
  npm: 2000,
  builtin: 'b.txt',
  fsIsNode: true,
  namespacePortion: 'one',
  events: ['project bus', true, 'app.events'],
};

beforeAll(() => {
  // Inside the package, so Node's resolution from the project's files still finds `ms`.
  rmSync(workRoot, { recursive: true, force: true });
  cpSync(fixture, join(workRoot, 'template'), { recursive: true });
  root = mkdtempSync(join(workRoot, 'project-'));
  cpSync(join(workRoot, 'template'), root, { recursive: true });
  copyFileSync(buildAddon().addon, join(root, 'app', 'native.node'));
}, 180_000);

afterAll(() => {
  rmSync(workRoot, { recursive: true, force: true });
});

describe('a real project imported through createImportSystem', () => {
  it('runs the whole tree cold, from TypeScript and JavaScript sources', () => {
    const entry = system().importModule('entry') as ModuleType;
    expect(entry.report).toEqual(expected);
  });

  it('writes a compiled file for every source it ran, in __pycache__ beside it', () => {
    system().importModule('entry');
    const cached = readdirSync(join(root, 'app', 'core', '__pycache__'));
    expect(cached).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^math\.ts\.importlib-\d+\.jsc$/),
        expect.stringMatching(/^cycle_a\.ts\.importlib-\d+\.jsc$/),
        expect.stringMatching(/^__init__\.ts\.importlib-\d+\.jsc$/),
      ]),
    );
    expect(readdirSync(join(root, 'app', '__pycache__'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^app\.module\.ts\.importlib-\d+\.jsc$/)]),
    );
  });

  it('runs the tree again warm, from the compiled cache, with the same results and no transpiling', () => {
    system().importModule('entry'); // make sure the cache is there
    const warm = system();
    const messages: string[] = [];
    warm.addTracer((event) => {
      if (event.type === 'verbose') messages.push(event.message);
    });
    const entry = warm.importModule('entry') as ModuleType;
    expect(entry.report).toEqual(expected);
    expect(messages.filter((m) => m.startsWith('# code object from')).length).toBeGreaterThan(10);
    expect(messages.some((m) => m.includes('stale') || m.includes('rebuilding'))).toBe(false);
  });

  it('names the module of a dotted file with the %2E escape', () => {
    const s = system();
    s.importModule('entry');
    expect(s.modules.has('app.app%2Emodule')).toBe(true);
    expect(String(s.modules.get('app.app%2Emodule'))).toContain('app.module.ts');
  });

  it('merges the namespace package ns from both path entries', () => {
    const s = system();
    const two = s.importModule('ns.two') as ModuleType;
    expect(two.portion).toBe('two');
    expect([...((s.modules.get('ns') as ModuleType).__path__ as Iterable<string>)]).toEqual([
      join(root, 'ns'),
      join(root, 'extra', 'ns'),
    ]);
  });

  it('lets CommonJS replace its registry entry with module.exports', () => {
    const s = system();
    const legacy = s.importModule('app.legacy');
    expect(typeof legacy).toBe('function');
    expect((legacy as (n: number) => number)(4)).toBe(8);
  });

  it("serves Node's builtins as Node's own modules, under their node: names", () => {
    const s = system();
    const requireHere = createRequire(import.meta.url);
    expect(s.importModule('node:fs')).toBe(requireHere('node:fs'));
    expect(s.importModule('node:fs.promises')).toBe(requireHere('node:fs/promises'));
  });

  it("keeps a project package named like a Node core module apart from Node's", () => {
    const s = system();
    s.importModule('entry');
    expect((s.modules.get('events') as ModuleType).project).toBe(true);
    expect(s.importModule('node:events')).toBe(createRequire(import.meta.url)('node:events'));
  });

  it('imports a native addon (.node) from the project folder', () => {
    const native = system().importModule('app.native') as {
      hello(): string;
      add(a: number, b: number): number;
    };
    expect(native.hello()).toBe('world');
    expect(native.add(2, 3)).toBe(5);
  });

  it('resolves an npm dependency that no finder claims through Node', () => {
    const s = system();
    expect((s.importModule('ms') as (v: string) => number)('1m')).toBe(60_000);
  });

  it('runs dynamic import() through the async import path', async () => {
    const s = system();
    const lazy = s.importModule('app.lazy') as ModuleType;
    await expect((lazy.loadMath as () => Promise<number>)()).resolves.toBe(42);
    expect(s.modules.has('app.core.math')).toBe(true);
  });

  it('imports a module with top-level await through importModuleAsync', async () => {
    const s = system();
    const tla = (await s.importModuleAsync('app.tla')) as ModuleType;
    expect(tla.answer).toBe(42);
  });

  it('refuses a module with top-level await on the sync path, naming it, and leaves no entry', () => {
    const s = system({ cache: { read: false, write: false } });
    expect(() => s.importModule('app.tla')).toThrow(RequireAsyncError);
    expect(() => s.importModule('app.tla')).toThrow(/app\.tla/);
    expect(s.modules.has('app.tla')).toBe(false);
  });

  it('points an error thrown by a module at the original .ts file and line, cold and warm', () => {
    for (const round of ['cold', 'warm']) {
      const thrower = system().importModule('app.thrower') as ModuleType;
      let stack = '';
      try {
        (thrower.explode as () => never)();
      } catch (error) {
        stack = String((error as Error).stack);
      }
      expect(stack, round).toContain(`${join(root, 'app', 'thrower.ts')}:7:`);
    }
  });

  it('gives a syntax error with the file, line and column, caches nothing and registers nothing', () => {
    const s = system();
    let error: unknown;
    try {
      s.importModule('app.broken');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toMatchObject({ code: 'ERR_IMPORTLIB_SYNTAX', moduleName: 'app.broken', line: 2 });
    expect((error as ImportError).path).toBe(join(root, 'app', 'broken.ts'));
    expect(s.modules.has('app.broken')).toBe(false);
    const cache = join(root, 'app', '__pycache__');
    expect(existsSync(cache) ? readdirSync(cache).filter((f) => f.startsWith('broken.')) : []).toEqual([]);
  });

  it('rebuilds a corrupt compiled file silently and keeps working', () => {
    system().importModule('app.core.math');
    const dir = join(root, 'app', 'core', '__pycache__');
    const file = readdirSync(dir).find((f) => f.startsWith('math.ts.'));
    expect(file).toBeDefined();
    writeFileSync(join(dir, file as string), 'garbage, not a compiled file');
    const math = system().importModule('app.core.math') as ModuleType;
    expect((math.add as (a: number, b: number) => number)(1, 1)).toBe(2);
  });

  it('works with the cache turned off and writes nothing', () => {
    const fresh = mkdtempSync(join(workRoot, 'nocache-'));
    cpSync(join(workRoot, 'template'), fresh, { recursive: true });
    const s = createImportSystem({ path: [fresh, join(fresh, 'extra')], cache: { write: false } });
    expect((s.importModule('entry') as ModuleType).report).toEqual(expected);
    expect(existsSync(join(fresh, 'app', '__pycache__'))).toBe(false);
  });

  it('reports a missing module as ModuleNotFoundError naming it', () => {
    expect(() => system({ nodeFallback: false }).importModule('app.nothing_here')).toThrow(
      ModuleNotFoundError,
    );
  });

  it('reloads a transpiled ESM module in place after its source changed', () => {
    const s = system();
    const math = s.importModule('app.core.math') as ModuleType;
    writeFileSync(
      join(root, 'app', 'core', 'math.ts'),
      "export const version = '2.0.0';\nexport function add(a: number, b: number) { return a + b + 1; }\n",
    );
    s.invalidateCaches();
    expect(s.reload(math)).toBe(math);
    expect(math.version).toBe('2.0.0');
    expect((math.add as (a: number, b: number) => number)(1, 1)).toBe(3);
  });
});
