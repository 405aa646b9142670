// resolveSpecifier(): what a specifier written in module code names, by the rules of the guide
// "Importing from folders".
import { describe, expect, it } from 'vitest';

import { resolveSpecifier } from '@importlib/loaders';

const inPackage = (specifier: string) =>
  resolveSpecifier(specifier, 'app.views.page', 'app.views', '/p/app/views/page.ts');
const topLevel = (specifier: string) => resolveSpecifier(specifier, 'entry', '', '/p/entry.ts');

describe('resolveSpecifier', () => {
  it.each([
    ['./widget', 'app.views.widget'],
    ['./widget.js', 'app.views.widget'],
    ['./widget.ts', 'app.views.widget'],
    ['../core/math', 'app.core.math'],
    ['./forms', 'app.views.forms'],
    ['./forms/index', 'app.views.forms'],
    ['./forms/__init__', 'app.views.forms'],
    ['./index', 'app.views'],
    ['.', 'app.views'],
    ['..', 'app'],
    ['./app.module', 'app.views.app%2Emodule'],
    ['./app.module.js', 'app.views.app%2Emodule'],
    ['./a/../b', 'app.views.b'],
  ])('reads the path %s in package app.views as %s', (specifier, name) => {
    expect(inPackage(specifier)).toEqual({ kind: 'relative', name });
  });

  it('reads ./x in a top-level module as the top-level module x', () => {
    expect(topLevel('./x')).toEqual({ kind: 'relative', name: 'x' });
    expect(topLevel('./index')).toEqual({ kind: 'relative', name: 'index' });
  });

  it('refuses a path that climbs above the path entry, naming the importing file', () => {
    expect(() => topLevel('../x')).toThrow(
      expect.objectContaining({ code: 'ERR_IMPORTLIB_BAD_SPECIFIER', path: '/p/entry.ts' }),
    );
    expect(() => inPackage('../../../x')).toThrow(/climbs above the path entry/);
  });

  it("maps Node's builtin ids to their node: names, with or without the prefix", () => {
    expect(inPackage('fs')).toEqual({ kind: 'builtin', name: 'node:fs' });
    expect(inPackage('node:fs/promises')).toEqual({ kind: 'builtin', name: 'node:fs.promises' });
    expect(inPackage('events')).toEqual({ kind: 'builtin', name: 'node:events' });
  });

  it('reads a bare a/b as a.b and keeps the dots of a one-segment package name', () => {
    expect(inPackage('lodash/fp')).toEqual({ kind: 'bare', name: 'lodash.fp' });
    expect(inPackage('chart.js')).toEqual({ kind: 'bare', name: 'chart%2Ejs' });
    expect(inPackage('pkg/util.js')).toEqual({ kind: 'bare', name: 'pkg.util' });
    expect(inPackage('@scope/pkg')).toEqual({ kind: 'bare', name: '@scope.pkg' });
  });
});
