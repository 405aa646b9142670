// The imp page's examples (docs/conformance.md#imp-import-emulation), written in TypeScript against
// `imp`:
// 1. the `__import__` emulation "up to Python 1.4" (no hierarchical names), as the page gives it;
// 2. a hierarchical version in the spirit of the page's `knee` module: dotted names by recursing
//    through each package's `__path__`, a fromlist, and a reload that works.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import {
  getAttr,
  hasAttr,
  ImportError,
  ModuleNotFoundError,
  setAttr,
  type ModuleType,
} from '@importlib/core';

import { createCapi, type Imp, type ModuleFile } from '@importlib/compat';

import { logged, say, thrownBy, useWorkArea } from './helpers.js';

const work = useWorkArea('import-emulation');

// ------------------------------------------------------------------ example 1, as the page has it

/** The page's `__import__`, over `imp` (Python's `sys` is `imp.system`). */
function emulatedImport(imp: Imp) {
  return function __import__(
    name: string,
    _globals: unknown = null,
    _locals: unknown = null,
    _fromlist: unknown = null,
  ): unknown {
    // Fast path: see if the module has already been imported.
    const modules = imp.system.modules;
    if (modules.has(name)) return modules.get(name);

    // If any of the following calls raises an exception,
    // there's a problem we can't handle -- let the caller handle it.

    const [fp, pathname, description] = imp.find_module(name);

    try {
      return imp.load_module(name, fp, pathname, description);
    } finally {
      // Since we may exit via an exception, close fp explicitly.
      fp?.close();
    }
  };
}

/** An `imp` over a new folder holding `files`, and the page's `__import__` over it. */
function setup(files: Record<string, string>): {
  root: string;
  imp: Imp;
  __import__: ReturnType<typeof emulatedImport>;
} {
  const { root, imp } = work.impProject(files);
  return { root, imp, __import__: emulatedImport(imp) };
}

/** Record the files `find_module` hands out, to check they get closed. */
function trackFiles(imp: Imp): (ModuleFile | null)[] {
  const files: (ModuleFile | null)[] = [];
  const find = imp.find_module;
  imp.find_module = (name, path) => {
    const result = find(name, path);
    files.push(result[0]);
    return result;
  };
  return files;
}

describe('example 1: the __import__ emulation (no hierarchical module names)', () => {
  it('imports a module from the search path and returns it, registered in modules', () => {
    const { imp, __import__ } = setup({ 'spam.ts': `${say('spam ran')}export const eggs = 3;\n` });
    const spam = __import__('spam') as ModuleType;
    expect(spam.eggs).toBe(3);
    expect(imp.system.modules.get('spam')).toBe(spam);
    expect(logged()).toEqual(['spam ran']);
  });

  it('takes the fast path for a module already imported: the entry in modules, nothing searched', () => {
    const { imp, __import__ } = setup({ 'spam.ts': `${say('spam ran')}` });
    const first = __import__('spam');
    const files = trackFiles(imp);
    expect(__import__('spam')).toBe(first);
    expect(files).toEqual([]);
    expect(logged()).toEqual(['spam ran']);
  });

  it('lets the caller handle a module that cannot be found (ImportError)', () => {
    const { __import__ } = setup({});
    const error = thrownBy(() => __import__('nowhere'));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.moduleName).toBe('nowhere');
  });

  it('closes the file explicitly after loading', () => {
    const { imp, __import__ } = setup({ 'spam.ts': '' });
    const files = trackFiles(imp);
    __import__('spam');
    expect(files).toHaveLength(1);
    expect(files[0]?.closed).toBe(true);
  });

  it('closes the file explicitly also when loading exits via an exception', () => {
    const { imp, __import__ } = setup({ 'broken.ts': 'throw new Error("broken module");\n' });
    const files = trackFiles(imp);
    expect(() => __import__('broken')).toThrow('broken module');
    expect(files[0]?.closed).toBe(true);
    expect(imp.system.modules.has('broken')).toBe(false);
  });

  it('imports builtins and packages too (find_module returns no file for them)', () => {
    const { imp, __import__ } = setup({ 'pkg/__init__.ts': 'export const p = 1;\n' });
    expect((__import__('pkg') as ModuleType).p).toBe(1);
    expect(__import__('node:path')).toBe(imp.system.importModule('node:path'));
  });

  it('has no package support: a dotted name is refused (hierarchical import needs knee)', () => {
    const { __import__ } = setup({ 'pkg/__init__.ts': '', 'pkg/sub.ts': '' });
    expect(thrownBy(() => __import__('pkg.sub'))).toBeInstanceOf(ImportError);
  });

  it('can stand in for the import function PyImport_Import calls (Python: __builtins__.__import__)', () => {
    const { imp, __import__ } = setup({ 'spam.ts': 'export const via = "emulation";\n' });
    const files = trackFiles(imp);
    const capi = createCapi(imp.system);
    const spam = capi.PyImport_Import('spam', { __builtins__: { __import__ } }) as ModuleType;
    expect(spam.via).toBe('emulation');
    expect(files).toHaveLength(1);
  });
});

// ------------------------------------------------------------------ example 2: knee

/** Python's `knee` module, over `imp`: hierarchical names through `__path__`, fromlist, reload. */
function createKnee(imp: Imp) {
  const modules = (): Map<string, unknown> => imp.system.modules;

  /** Import one name part as `fqname` (inside `parent`, or at the top); `null` when not found. */
  function importModule(partname: string, fqname: string, parent: unknown): unknown {
    if (modules().has(fqname)) return modules().get(fqname);
    let found: ReturnType<Imp['find_module']>;
    try {
      found = imp.find_module(partname, parent ? (getAttr(parent, '__path__') as string[]) : null);
    } catch (error) {
      if (error instanceof ImportError) return null;
      throw error;
    }
    const [fp, pathname, stuff] = found;
    let module: unknown;
    try {
      module = imp.load_module(fqname, fp, pathname, stuff);
    } finally {
      fp?.close();
    }
    if (parent) setAttr(parent, partname, module);
    return module;
  }

  function notFound(name: string): never {
    throw new ModuleNotFoundError(`No module named '${name}'`, { moduleName: name });
  }

  /** Import every part of `tail` below the module `q`; return the last. */
  function loadTail(q: unknown, tail: string): unknown {
    let module = q;
    for (const part of tail ? tail.split('.') : []) {
      const fqname = `${String(getAttr(module, '__name__'))}.${part}`;
      module = importModule(part, fqname, module) ?? notFound(fqname);
    }
    return module;
  }

  function ensureFromlist(module: unknown, fromlist: readonly string[], recursive = false): void {
    for (const sub of fromlist) {
      if (sub === '*') {
        if (!recursive) {
          const all = getAttr(module, '__all__') as string[] | undefined;
          if (all) ensureFromlist(module, all, true);
        }
      } else if (!hasAttr(module, sub)) {
        const fqname = `${String(getAttr(module, '__name__'))}.${sub}`;
        if (importModule(sub, fqname, module) === null) notFound(fqname);
      }
    }
  }

  /** The import hook: `import a.b.c` returns `a`; with a fromlist, `a.b.c` with the listed submodules. */
  function importHook(name: string, fromlist: readonly string[] = []): unknown {
    const dot = name.indexOf('.');
    const head = dot === -1 ? name : name.slice(0, dot);
    const q = importModule(head, head, null) ?? notFound(head);
    const module = loadTail(q, dot === -1 ? '' : name.slice(dot + 1));
    if (fromlist.length === 0) return q;
    if (hasAttr(module, '__path__')) ensureFromlist(module, fromlist);
    return module;
  }

  /** reload(): find the module again where its parent's `__path__` says, and load it in place. */
  function reloadHook(module: unknown): unknown {
    const name = String(getAttr(module, '__name__'));
    const dot = name.lastIndexOf('.');
    const parent = dot === -1 ? null : modules().get(name.slice(0, dot));
    const [fp, pathname, stuff] = imp.find_module(
      name.slice(dot + 1),
      parent ? (getAttr(parent, '__path__') as string[]) : null,
    );
    try {
      return imp.load_module(name, fp, pathname, stuff);
    } finally {
      fp?.close();
    }
  }

  return { importHook, reloadHook };
}

function kneeSetup(files: Record<string, string>) {
  const { root, imp } = work.impProject(files);
  return { root, imp, ...createKnee(imp) };
}

const TREE = {
  'a/__init__.ts': `${say('a')}`,
  'a/b/__init__.ts': `${say('a.b')}export const __all__ = ['d'];\n`,
  'a/b/c.ts': `${say('a.b.c')}export const leaf = 'c';\n`,
  'a/b/d.ts': `${say('a.b.d')}export const leaf = 'd';\n`,
  'c.ts': `${say('top-level c')}`, // a decoy: a.b.c must come from a/b, through a.b.__path__
};

describe('example 2: hierarchical import in the manner of knee', () => {
  it("imports a dotted name part by part, each found on its parent package's __path__, returning the top package", () => {
    const { imp, importHook } = kneeSetup(TREE);
    const a = importHook('a.b.c') as ModuleType;
    expect(a).toBe(imp.system.modules.get('a'));
    expect(logged()).toEqual(['a', 'a.b', 'a.b.c']);
    expect(((a.b as ModuleType).c as ModuleType).leaf).toBe('c');
  });

  it('binds each submodule as an attribute of its parent', () => {
    const { imp, importHook } = kneeSetup(TREE);
    importHook('a.b.c');
    const modules = imp.system.modules;
    expect(getAttr(modules.get('a'), 'b')).toBe(modules.get('a.b'));
    expect(getAttr(modules.get('a.b'), 'c')).toBe(modules.get('a.b.c'));
  });

  it('with a fromlist, returns the named module and imports the listed submodules', () => {
    const { imp, importHook } = kneeSetup(TREE);
    const b = importHook('a.b', ['c']) as ModuleType;
    expect(b).toBe(imp.system.modules.get('a.b'));
    expect((b.c as ModuleType).leaf).toBe('c');
  });

  it("expands '*' in a fromlist to the package's __all__", () => {
    const { importHook } = kneeSetup(TREE);
    const b = importHook('a.b', ['*']) as ModuleType;
    expect((b.d as ModuleType).leaf).toBe('d');
    expect(logged()).toEqual(['a', 'a.b', 'a.b.d']);
  });

  it('returns modules already imported without searching again', () => {
    const { importHook } = kneeSetup(TREE);
    importHook('a.b.c');
    importHook('a.b.c');
    expect(logged()).toEqual(['a', 'a.b', 'a.b.c']);
  });

  it('throws ModuleNotFoundError naming the first missing part', () => {
    const { importHook } = kneeSetup(TREE);
    const error = thrownBy(() => importHook('a.b.missing.x'));
    expect(error).toBeInstanceOf(ModuleNotFoundError);
    expect(error.moduleName).toBe('a.b.missing');
  });

  it('reloads a submodule in place from its package folder: same object, new code, old names kept', () => {
    const { root, imp, importHook, reloadHook } = kneeSetup(TREE);
    importHook('a.b.c');
    const c = imp.system.modules.get('a.b.c') as ModuleType;
    writeFileSync(join(root, 'a', 'b', 'c.ts'), `${say('a.b.c again')}export const added = 1;\n`);
    expect(reloadHook(c)).toBe(c);
    expect(c.added).toBe(1);
    expect(c.leaf).toBe('c');
    expect(logged()).toEqual(['a', 'a.b', 'a.b.c', 'a.b.c again']);
  });
});
