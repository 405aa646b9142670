// transpile(): swc's output shapes this package relies on, pinned against the installed swc version.
import { describe, expect, it } from 'vitest';

import { compileBody, DYNAMIC_IMPORT, ImportSyntaxError, transpile } from '@importlib/loaders';

import { runtimeHelpers } from '../src/interop.js';

/** Call a compiled body for the module `a` of `/x/a.ts`, with `target` as its exports and `require`. */
function runAs(body: ReturnType<typeof compileBody>, target: object, require: never): unknown {
  return body.fn.call(
    target,
    target,
    require,
    {} as never,
    '/x/a.ts',
    '/x',
    async () => ({}),
    null,
    'a',
    null,
    runtimeHelpers,
  );
}
describe('transpile', () => {
  it('turns TypeScript with ESM syntax into a CommonJS body without types', () => {
    const { code, map } = transpile('import { b } from "./b";\nexport const a: number = b + 1;', '/x/a.ts');
    expect(code).toContain('require("./b")');
    expect(code).not.toContain(': number');
    expect(JSON.parse(map as string).sources).toEqual(['/x/a.ts']);
  });

  it('leaves a .cjs file as it is, with no map', () => {
    const source = 'var x = 010;\nmodule.exports = x;';
    expect(transpile(source, '/x/a.cjs')).toEqual({
      code: source,
      map: null,
      isModule: false,
      isAsync: false,
    });
  });

  it('keeps a plain CommonJS .js script sloppy (no "use strict" added)', () => {
    const { code } = transpile('var x = 010; module.exports = x;', '/x/a.js');
    expect(code).not.toContain('use strict');
  });

  it("rewrites import() to the module wrapper's async import, literal or computed", () => {
    const { code } = transpile('export const a = import("./x"); export const b = import(name);', '/x/a.js');
    expect(code.match(new RegExp(`${DYNAMIC_IMPORT}\\(\\(`, 'g'))).toHaveLength(2);
    expect(code).not.toMatch(/_interop_require_wildcard\(require\(/);
  });

  it('makes every export getter configurable, so a module can run again in the same object', () => {
    const sources = [
      'export const a = 1;',
      'export const a = 1; export const b = 2;',
      'export * from "./x"; export const a = 1;',
      'export default function f() {}',
    ];
    for (const source of sources) {
      const { code } = transpile(source, '/x/a.ts');
      const body = compileBody(code, '/x/a.ts');
      const target = {};
      const require = (() => ({ x: 1 })) as never;
      const run = () => runAs(body, target, require);
      run();
      expect(run, source).not.toThrow();
    }
  });

  it('reports a syntax error with the file, the line and the column', () => {
    let error: unknown;
    try {
      transpile('export const ok = 1;\nexport const broken = ;', '/x/broken.ts', {}, 'pkg.broken');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImportSyntaxError);
    expect(error).toMatchObject({
      code: 'ERR_IMPORTLIB_SYNTAX',
      moduleName: 'pkg.broken',
      path: '/x/broken.ts',
      line: 2,
    });
  });

  it('compiles TC39 decorators by default and legacy ones on request', () => {
    const source = 'function d(t: unknown, c?: unknown) { return t; }\nexport class K { @d m() {} }';
    expect(transpile(source, '/x/k.ts').code).toContain('_apply_decs');
    expect(transpile(source, '/x/k.ts', { decorators: 'legacy' }).code).toContain('_ts_decorate');
  });

  it('tells an ES module from a script by the file format, then by the syntax', () => {
    const facts = (source: string, file: string, format?: 'module' | 'commonjs' | 'detect') => {
      const { isModule, isAsync } = transpile(source, file, {}, undefined, { format });
      return { isModule, isAsync };
    };
    const script = { isModule: false, isAsync: false };
    const esm = { isModule: true, isAsync: false };
    expect(facts('console.log(this);', '/x/a.mjs')).toEqual(esm);
    expect(facts('console.log(this);', '/x/a.mts')).toEqual(esm);
    expect(facts('console.log(this);', '/x/a.js', 'module')).toEqual(esm);
    expect(facts('console.log(this);', '/x/a.js', 'detect')).toEqual(script);
    expect(facts('export {};', '/x/a.js', 'detect')).toEqual(esm);
    expect(facts('/* license */\n// more\nimport "x";', '/x/a.ts', 'detect')).toEqual(esm);
    expect(facts('console.log(import.meta.url);', '/x/a.ts', 'detect')).toEqual(esm);
    // Babel's CommonJS output starts as an ES module's transpiled body does: still a script.
    const babel =
      '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = 1;';
    expect(facts(babel, '/x/a.js', 'detect')).toEqual(script);
    expect(facts('export const a = 1;', '/x/a.cts')).toEqual(script);
  });

  it('finds top-level await in the code, including await (0, f)() after an import', () => {
    const awaits = (source: string, file = '/x/a.ts') =>
      transpile(source, file, {}, undefined, { format: 'detect' }).isAsync;
    expect(awaits('import f from "./f";\nawait f();')).toBe(true);
    expect(transpile('import f from "./f";\nawait f();', '/x/a.ts').code).toContain(
      'await (0, _f.default)()',
    );
    expect(awaits('const x = await 1;\nexport { x };')).toBe(true);
    expect(awaits('for await (const x of []) {}\nexport {};')).toBe(true);
    expect(awaits('export async function f() { await g(); }\nexport const h = async () => await 1;')).toBe(
      false,
    );
    expect(awaits('export class K { async m() { await 1; } }')).toBe(false);
    // A CommonJS script may call a function named await (sloppy mode): never async.
    expect(awaits('var await = (x) => x; module.exports = await (1);', '/x/a.js')).toBe(false);
    expect(
      compileBody(transpile('import f from "./f";\nawait f();', '/x/a.ts').code, '/x/a.ts').isAsync,
    ).toBe(true);
  });

  it('turns a hashbang line into a comment on the same line', () => {
    for (const file of ['/x/a.js', '/x/a.cjs', '/x/a.mjs', '/x/a.ts']) {
      const syntax = file.endsWith('.cjs') ? 'exports.a = 1;' : 'export const a = 1;';
      const { code } = transpile(`#!/usr/bin/env node\n${syntax}\nconsole.log(1);`, file);
      expect(code, file).toMatch(/\/\/\/usr\/bin\/env node\n/);
      expect(() => compileBody(code, file), file).not.toThrow();
    }
  });

  it("guards swc's _export helper against enumerable properties of Object.prototype", () => {
    const { code } = transpile('export const a = 1; export const b = 2;', '/x/a.ts');
    const body = compileBody(code, '/x/a.ts');
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      const target = {};
      runAs(body, target, (() => ({})) as never);
      expect(Object.keys(target)).toEqual(['a', 'b']);
    } finally {
      delete proto.polluted;
    }
  });
});
