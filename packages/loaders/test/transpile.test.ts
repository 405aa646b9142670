// transpile(): swc's output shapes this package relies on, pinned against the installed swc version.
import { describe, expect, it } from 'vitest';

import { compileBody, DYNAMIC_IMPORT, ImportSyntaxError, transpile } from '@importlib/loaders';

describe('transpile', () => {
  it('turns TypeScript with ESM syntax into a CommonJS body without types', () => {
    const { code, map } = transpile('import { b } from "./b";\nexport const a: number = b + 1;', '/x/a.ts');
    expect(code).toContain('require("./b")');
    expect(code).not.toContain(': number');
    expect(JSON.parse(map as string).sources).toEqual(['/x/a.ts']);
  });

  it('leaves a .cjs file as it is, with no map', () => {
    const source = 'var x = 010;\nmodule.exports = x;';
    expect(transpile(source, '/x/a.cjs')).toEqual({ code: source, map: null });
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
      const run = () => body.fn.call(target, target, require, {} as never, '/x/a.ts', '/x', async () => ({}));
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
});
