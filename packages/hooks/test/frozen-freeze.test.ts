// freeze() and createImportSystem({ frozen }) (issue #4, frozen modules): bundles written from real
// TypeScript trees made in each test's setup under test/.work, imported with no source files
// around, with the default meta-path order (`_install_external_importers`,
// docs/conformance.md#default-meta-path) and stack traces pointing at the sources.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { ImportError } from '@importlib/core';
import { ImportArgumentError, ModuleNotFoundError, type ModuleType } from '@importlib/core';
import { BuiltinImporter, FrozenImporter } from '@importlib/finders';
import { FrozenBundle, FrozenBundleError, ImportSyntaxError } from '@importlib/loaders';

import { createImportSystem, freeze } from '../src/index.js';
import { thrownBy, writeTree } from './helpers.js';

const work = join(dirname(fileURLToPath(import.meta.url)), '.work', 'frozen-freeze');
const src = join(work, 'src');
const out = join(work, 'app.frozen');

const app = {
  'app/__init__.ts': 'import { greet } from "./greet";\nexport const message: string = greet("frozen");\n',
  'app/greet.ts': 'export function greet(who: string): string {\n  return `hello ${who}`;\n}\n',
  'app/deep/__init__.ts': 'export const deep = true;\n',
  'app/deep/leaf.ts': 'export const leaf = "leaf";\n',
  'app/data.loader.ts': 'export const dotted = 1;\n',
  'app/ns/only.ts': 'export const only = "in a folder without init";\n',
  'app/boom.ts': 'type N = number;\n\nexport function fail(): N {\n  throw new Error("frozen failure");\n}\n',
  'tool.ts': 'export const tool = "top";\n',
};

beforeEach(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeTree(src, app);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Move the sources away, so only the bundle can serve the modules. */
function hideSources(): void {
  renameSync(src, join(work, 'moved-away'));
}

describe('freeze', () => {
  it('freezes a package found by name on the path with everything under its folder', () => {
    const result = freeze(['app'], { output: out, path: [src] });
    expect(result.modules.map((m) => m.name)).toEqual([
      'app',
      'app.boom',
      'app.data%2Eloader',
      'app.deep',
      'app.deep.leaf',
      'app.greet',
      'app.ns',
      'app.ns.only',
    ]);
  });

  it('freezes every module of a folder target as if the folder were on the path', () => {
    const names = freeze([src], { output: out }).modules.map((m) => m.name);
    expect(names).toContain('tool');
    expect(names).toContain('app.deep.leaf');
  });

  it.runIf(process.platform !== 'win32')(
    'walks a folder as the tools do: a link to a source file is a module, a link loop ends, a FIFO is skipped',
    () => {
      symlinkSync(join(src, 'tool.ts'), join(src, 'app', 'alias.ts')); // the file finder imports it too
      symlinkSync(src, join(src, 'app', 'loop')); // app/loop -> src: a cycle, not entered
      execFileSync('mkfifo', [join(src, 'app', 'pipe.ts')]); // reading it would block for ever
      const names = freeze(['app'], { output: out, path: [src] }).modules.map((m) => m.name);
      expect(names).toContain('app.alias');
      expect(names.filter((name) => name.startsWith('app.loop') || name === 'app.pipe')).toEqual([]);
    },
  );

  it('freezes one file target as a top-level module', () => {
    expect(freeze([join(src, 'tool.ts')], { output: out }).modules.map((m) => m.name)).toEqual(['tool']);
  });

  it('says which modules are packages and where they came from', () => {
    const modules = freeze(['app'], { output: out, path: [src] }).modules;
    expect(modules.find((m) => m.name === 'app')).toMatchObject({
      isPackage: true,
      filename: join(src, 'app', '__init__.ts'),
    });
    expect(modules.find((m) => m.name === 'app.ns')).toMatchObject({ isPackage: true, filename: null });
  });

  it('writes one bundle file and nothing else', () => {
    freeze(['app'], { output: out, path: [src] });
    expect(readdirSync(work).sort()).toEqual(['app.frozen', 'src']);
  });

  it('stores a V8 cache made at compile time by default', () => {
    expect(freeze(['tool'], { output: out, path: [src] }).v8Cache).toBe(true);
  });

  it('stores no V8 cache when asked not to', () => {
    expect(freeze(['tool'], { output: out, path: [src], v8Cache: false }).v8Cache).toBe(false);
  });

  it('stores a V8 cache made after a warm-up run, holding more than the compile-time one', () => {
    const compiled = freeze(['app'], { output: out, path: [src], v8Cache: 'compile' }).size;
    const run = freeze(['app'], { output: out, path: [src], v8Cache: 'run' }).size;
    expect(run).toBeGreaterThan(compiled);
  });

  it('does not run __main__ modules in the warm-up run', () => {
    const marker = join(work, 'main-ran');
    writeTree(src, {
      'prog/__main__.ts': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n`,
    });
    freeze([join(src, 'prog')], { output: out, v8Cache: 'run' });
    expect(existsSync(marker)).toBe(false);
  });

  it('imports from a bundle with a warm-up V8 cache', () => {
    freeze(['app'], { output: out, path: [src], v8Cache: 'run' });
    hideSources();
    const system = createImportSystem({ frozen: [out] });
    expect((system.importModule('app') as { message: string }).message).toBe('hello frozen');
  });

  it('leaves the original file names out when asked', () => {
    freeze(['tool'], { output: out, path: [src], filenames: false });
    expect(FrozenBundle.read(out).entry('tool')?.filename).toBeNull();
  });

  it('raises ModuleNotFoundError for a name not on the path, writing nothing', () => {
    expect(thrownBy(() => freeze(['absent'], { output: out, path: [src] }))).toBeInstanceOf(
      ModuleNotFoundError,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses two targets that give one module name from different files', () => {
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'tool.ts'), 'export const tool = "other";\n');
    expect(thrownBy(() => freeze([src, other], { output: out }))).toBeInstanceOf(ImportArgumentError);
  });

  it('refuses a body that closes its module wrapper early, naming it, writing nothing', () => {
    writeTree(src, { 'sneaky.cjs': 'exports.a = 1;\n}, function () {\n' });
    const error = thrownBy<ImportError>(() => freeze([join(src, 'sneaky.cjs')], { output: out }));
    expect(error).toMatchObject({ moduleName: 'sneaky', path: join(src, 'sneaky.cjs') });
    expect(error.message).toContain('closes the module wrapper early');
    expect(existsSync(out)).toBe(false);
  });

  it('raises ImportSyntaxError naming the file of a source that does not parse, writing nothing', () => {
    writeTree(src, { 'broken.ts': 'export const = ;\n' });
    const error = thrownBy<ImportSyntaxError>(() => freeze([src], { output: out }));
    expect(error).toBeInstanceOf(ImportSyntaxError);
    expect(error.path).toBe(join(src, 'broken.ts'));
    expect(existsSync(out)).toBe(false);
  });
});

describe('createImportSystem({ frozen })', () => {
  it('imports a frozen package and its submodules with the sources gone', () => {
    freeze(['app'], { output: out, path: [src] });
    hideSources();
    const system = createImportSystem({ frozen: [out] });
    expect((system.importModule('app') as { message: string }).message).toBe('hello frozen');
    expect((system.importModule('app.deep.leaf') as { leaf: string }).leaf).toBe('leaf');
  });

  it('imports a module of a folder frozen without an init file', () => {
    freeze(['app'], { output: out, path: [src] });
    hideSources();
    const system = createImportSystem({ frozen: [out] });
    expect((system.importModule('app.ns.only') as { only: string }).only).toBe('in a folder without init');
  });

  it('puts the frozen importer right after the builtin importer, ahead of the path finder', () => {
    const system = createImportSystem({ frozen: [] });
    expect([
      system.metaPath[0] instanceof BuiltinImporter,
      system.metaPath[1] instanceof FrozenImporter,
      system.metaPath[2],
    ]).toEqual([true, true, system.pathFinder]);
  });

  it('serves a frozen module ahead of a module of the same name on the path', () => {
    freeze(['tool'], { output: out, path: [src] });
    writeTree(src, { 'tool.ts': 'export const tool = "from the folder";\n' });
    const system = createImportSystem({ path: [src], frozen: [out], cache: { write: false } });
    expect((system.importModule('tool') as { tool: string }).tool).toBe('top');
  });

  it('gives frozen modules origin "frozen" and their original __file__', () => {
    freeze(['app'], { output: out, path: [src] });
    const system = createImportSystem({ frozen: [out] });
    const module = system.importModule('app.greet') as ModuleType;
    expect([module.__spec__?.origin, module.__file__]).toEqual(['frozen', join(src, 'app', 'greet.ts')]);
  });

  it('points stack frames of frozen code at the original TypeScript file and line', () => {
    freeze(['app'], { output: out, path: [src] });
    const system = createImportSystem({ frozen: [out] });
    const boom = system.importModule('app.boom') as { fail: () => void };
    const error = thrownBy(() => boom.fail()) as Error;
    expect(error.stack).toContain(`${join(src, 'app', 'boom.ts')}:4:`);
  });

  it('throws FrozenBundleError naming a bundle that is not one', () => {
    writeFileSync(out, 'definitely not a bundle');
    const error = thrownBy<FrozenBundleError>(() => createImportSystem({ frozen: [out] }));
    expect(error).toBeInstanceOf(FrozenBundleError);
    expect(error.path).toBe(out);
  });

  it('imports from a bundle placed on the path', () => {
    freeze(['app'], { output: out, path: [src] });
    hideSources();
    const system = createImportSystem({ path: [out] });
    expect((system.importModule('app.deep.leaf') as { leaf: string }).leaf).toBe('leaf');
  });

  it('still imports folders on the path next to the bundle hook', () => {
    const system = createImportSystem({ path: [src], cache: { write: false } });
    expect((system.importModule('tool') as { tool: string }).tool).toBe('top');
  });
});
