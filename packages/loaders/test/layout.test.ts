// The layout rules (layout.ts): package markers, the folders the tools skip, and the tree walk that
// `importlib compile`, `freeze` and `buildZipApp` share. The walk must end on a link loop, never open
// what is not a regular file, and never enter a link to a folder (as CPython's `compileall._walk_dir`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  isPackageFile,
  isPackageMarker,
  isSkippedFolder,
  listFolder,
  PACKAGE_MARKERS,
  walkTree,
} from '../src/layout.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A fresh folder holding `files` (relative path → contents). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'importlib-layout-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}

const relatives = (root: string, options?: Parameters<typeof walkTree>[1]): string[] =>
  walkTree(root, options).map((file) => file.relative);

const posix = process.platform !== 'win32';

describe('package markers', () => {
  it('puts __init__ before index', () => {
    expect(PACKAGE_MARKERS).toEqual(['__init__', 'index']);
  });

  it('knows a marker stem and a marker file, whatever the suffix', () => {
    expect(isPackageMarker('__init__')).toBe(true);
    expect(isPackageMarker('index')).toBe(true);
    expect(isPackageMarker('main')).toBe(false);
    expect(isPackageMarker('Index')).toBe(false);
    expect(isPackageFile('/p/pkg/index.ts')).toBe(true);
    expect(isPackageFile('/p/pkg/__init__.jsc')).toBe(true);
    expect(isPackageFile('/p/index/mod.ts')).toBe(false);
  });
});

describe('walkTree', () => {
  it('returns every file depth first, in name order, with files and folders interleaved', () => {
    const root = tree({ 'b.ts': '', 'a/z.ts': '', 'a/y/x.ts': '', 'c/w.js': '', 'a.ts': '' });
    expect(relatives(root)).toEqual(['a/y/x.ts', 'a/z.ts', 'a.ts', 'b.ts', 'c/w.js']);
    expect(walkTree(root)[0]?.path).toBe(path.join(root, 'a', 'y', 'x.ts'));
  });

  it('leaves out __pycache__, node_modules and dot-folders by default, and what skipFolder says', () => {
    const root = tree({
      'm.ts': '',
      '__pycache__/m.ts.importlib-1.jsc': '',
      'node_modules/dep/index.js': '',
      '.git/config': '',
      'pkg/.env': '',
    });
    expect(relatives(root)).toEqual(['m.ts', 'pkg/.env']);
    expect(isSkippedFolder('.cache')).toBe(true);
    expect(relatives(root, { skipFolder: (name) => name === '__pycache__' })).toEqual([
      '.git/config',
      'm.ts',
      'node_modules/dep/index.js',
      'pkg/.env',
    ]);
  });

  it('does not enter a folder that exclude leaves out, and tells onFolder of each folder it lists', () => {
    const root = tree({ 'a/x.ts': '', 'b/y.ts': '', 'b/z.ts': '' });
    const folders: string[] = [];
    const found = relatives(root, {
      exclude: (p) => p === path.join(root, 'a') || p.endsWith('z.ts'),
      onFolder: (folder) => folders.push(folder),
    });
    expect(found).toEqual(['b/y.ts']);
    expect(folders).toEqual([root, path.join(root, 'b')]);
  });

  it.runIf(posix)('ends on a symbolic-link loop, and never enters a link to a folder', () => {
    const root = tree({ 'pkg/a.ts': '', 'other/b.ts': '' });
    symlinkSync(root, path.join(root, 'pkg', 'loop')); // pkg/loop -> the root: a cycle
    symlinkSync(path.join(root, 'pkg', 'loop'), path.join(root, 'pkg', 'loop2')); // a link to the link
    symlinkSync(path.join(root, 'other'), path.join(root, 'linked')); // a link to a folder
    expect(relatives(root)).toEqual(['other/b.ts', 'pkg/a.ts']);
  });

  it.runIf(posix)('takes a link to a regular file, and skips a broken link', () => {
    const root = tree({ 'real.ts': '' });
    symlinkSync(path.join(root, 'real.ts'), path.join(root, 'alias.ts'));
    symlinkSync(path.join(root, 'missing.ts'), path.join(root, 'broken.ts'));
    expect(relatives(root)).toEqual(['alias.ts', 'real.ts']);
  });

  it.runIf(posix)('skips a FIFO (reading one would block) and lists it as nothing', () => {
    const root = tree({ 'a.ts': '' });
    execFileSync('mkfifo', [path.join(root, 'pipe.ts')]);
    symlinkSync(path.join(root, 'pipe.ts'), path.join(root, 'to-pipe.ts'));
    expect(relatives(root)).toEqual(['a.ts']);
    expect(listFolder(root)).toEqual([{ name: 'a.ts', isFolder: false }]);
  });

  it('throws when a folder cannot be listed, or tells onError and goes on', () => {
    const root = tree({ 'a.ts': '' });
    const missing = path.join(root, 'gone');
    expect(() => walkTree(missing)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const errors: string[] = [];
    expect(walkTree(missing, { onError: (p) => errors.push(p) })).toEqual([]);
    expect(errors).toEqual([missing]);
  });
});
