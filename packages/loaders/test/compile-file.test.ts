// compileFile (Python's py_compile, the unit of compileall): writes the compiled file a
// SourceFileLoader reads, keeps an up-to-date one, and writes nothing for a broken source.
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { ImportError, ImportSystem, type ImportEvent, type ModuleType } from '@importlib/core';
import {
  compileFile,
  decodeCompiled,
  ImportSyntaxError,
  LoaderContext,
  SourceFileLoader,
  type LoaderOptions,
} from '@importlib/loaders';

import { FileMapFinder } from './file-map-finder.js';
import { thrownBy, workFolder } from './helpers.js';

const work = workFolder('compile-file-');
let counter = 0;

/** A new source file with `text`. */
function source(text = 'export const value: number = 41 + 1;\n'): string {
  const file = join(work.path, `mod${counter++}.ts`);
  writeFileSync(file, text);
  return file;
}

/** A source loader with a default context of its own, in the shape FileMapFinder makes. */
class ContextSourceLoader extends SourceFileLoader {
  constructor(name: string, path: string, system: ImportSystem) {
    super(name, path, new LoaderContext(system));
  }
}

function context(options: LoaderOptions = {}): LoaderContext {
  return new LoaderContext(new ImportSystem(), options);
}

describe('compileFile', () => {
  it('writes the compiled file that the source loader then reads instead of transpiling', () => {
    const file = source();
    const result = compileFile(file, context());
    expect(result.status).toBe('compiled');
    const system = new ImportSystem();
    system.metaPath = [new FileMapFinder(system, ContextSourceLoader, { mod: file })];
    const messages: string[] = [];
    system.addTracer((event: ImportEvent) => {
      if (event.type === 'verbose') messages.push(event.message);
    });
    expect((system.importModule('mod') as ModuleType).value).toBe(42);
    expect(messages).toContain(`# code object from '${result.cachePath}'`);
  });

  it('keeps an up-to-date compiled file', () => {
    const file = source();
    compileFile(file, context());
    expect(compileFile(file, context()).status).toBe('fresh');
  });

  it('rewrites an up-to-date compiled file with force', () => {
    const file = source();
    compileFile(file, context());
    expect(compileFile(file, context(), { force: true }).status).toBe('compiled');
  });

  it('rewrites the compiled file of a source changed since', () => {
    const file = source();
    compileFile(file, context());
    writeFileSync(file, 'export const value = 1;\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(compileFile(file, context()).status).toBe('compiled');
  });

  it('writes the requested invalidation mode, and rewrites a file of another mode', () => {
    const file = source();
    compileFile(file, context());
    const result = compileFile(file, context({ cache: { invalidationMode: 'checked-hash' } }));
    expect(result.status).toBe('compiled');
    const decoded = decodeCompiled(readFileSync(result.cachePath), { name: 'mod', path: result.cachePath });
    expect(decoded.invalidation).toBe('checked-hash');
  });

  it('compares the hash of an unchecked-hash file (compileall never trusts it blindly)', () => {
    const file = source();
    const unchecked = context({ cache: { invalidationMode: 'unchecked-hash' } });
    compileFile(file, unchecked);
    writeFileSync(file, 'export const value = 2;\n');
    expect(compileFile(file, unchecked).status).toBe('compiled');
  });

  it('writes under the cache prefix of the context', () => {
    const prefix = join(work.path, 'prefix');
    const result = compileFile(source(), context({ cache: { prefix } }));
    expect(result.cachePath.startsWith(prefix)).toBe(true);
    expect(existsSync(result.cachePath)).toBe(true);
  });

  it('throws ImportSyntaxError for a broken source and writes nothing', () => {
    const file = source('export const = ;\n');
    expect(thrownBy(() => compileFile(file, context()))).toBeInstanceOf(ImportSyntaxError);
    expect(existsSync(join(work.path, '__pycache__', `${file.split('/').pop()}`))).toBe(false);
  });

  it('throws ImportError naming a missing source', () => {
    const missing = join(work.path, 'missing.ts');
    const error = thrownBy<ImportError>(() => compileFile(missing, context()));
    expect(error).toBeInstanceOf(ImportError);
    expect(error.path).toBe(missing);
  });
});
