// Where compiled-cache files live (`cache_from_source`, `source_from_cache`, `sys.pycache_prefix`;
// see docs/conformance.md#compiled-cache).
import path from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ErrorCodes, ImportArgumentError } from '@importlib/core';

import { cacheFromSource, MAGIC_TAG, sourceFromCache } from '../src/cache-paths.js';
import { COMPILED_SUFFIX, PYCACHE } from '../src/layout.js';
import { getMagicTag } from '../src/magic.js';

const root = path.parse(process.cwd()).root;
/** An absolute path from segments, on this platform. */
const abs = (...segments: string[]): string => path.join(root, ...segments);

function argumentError(fn: () => unknown): ImportArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportArgumentError);
    expect((error as ImportArgumentError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    return error as ImportArgumentError;
  }
  throw new Error('expected an ImportArgumentError');
}

/** A file or folder name: no separators, not `.` or `..`, not empty. */
const segment = fc
  .string({
    unit: fc.constantFrom('a', 'b', 'Z', '.', '-', '_', ' ', 'é', '%', '1'),
    minLength: 1,
    maxLength: 12,
  })
  .filter((s) => s !== '.' && s !== '..' && s.trim() === s && s.trim() !== '');

describe('the names', () => {
  it('uses the tag importlib-1, the one getMagicTag reports', () => {
    expect(MAGIC_TAG).toBe('importlib-1');
    expect(getMagicTag()).toBe(MAGIC_TAG);
  });

  it('gives compiled files the suffix .jsc', () => {
    expect(COMPILED_SUFFIX).toBe('.jsc');
    expect(cacheFromSource(abs('d', 'm.ts')).endsWith(COMPILED_SUFFIX)).toBe(true);
  });
});

describe('cacheFromSource', () => {
  it('puts the cache file in __pycache__ beside the source, named <file name>.<tag>.jsc', () => {
    expect(cacheFromSource(abs('d', 'm.ts'))).toBe(abs('d', PYCACHE, 'm.ts.importlib-1.jsc'));
  });

  it('keeps every dot of the source file name, suffix included', () => {
    expect(cacheFromSource(abs('d', 'app.module.ts'))).toBe(
      abs('d', '__pycache__', 'app.module.ts.importlib-1.jsc'),
    );
  });

  it('gives m.ts and m.js in one folder different cache files', () => {
    expect(cacheFromSource(abs('d', 'm.ts'))).not.toBe(cacheFromSource(abs('d', 'm.js')));
  });

  it('keeps a relative source path relative', () => {
    expect(cacheFromSource('m.ts')).toBe(path.join('__pycache__', 'm.ts.importlib-1.jsc'));
    expect(cacheFromSource(path.join('lib', 'm.ts'))).toBe(
      path.join('lib', '__pycache__', 'm.ts.importlib-1.jsc'),
    );
  });

  it('re-roots the cache file under a prefix, below the absolute source folder', () => {
    expect(cacheFromSource(abs('d', 'e', 'm.ts'), { prefix: abs('cache') })).toBe(
      abs('cache', 'd', 'e', 'm.ts.importlib-1.jsc'),
    );
  });

  it('makes a relative source folder absolute against the current folder under a prefix', () => {
    const cwdWithoutRoot = process.cwd().slice(root.length);
    expect(cacheFromSource('m.ts', { prefix: abs('cache') })).toBe(
      path.join(abs('cache'), cwdWithoutRoot, 'm.ts.importlib-1.jsc'),
    );
  });

  it('treats a null prefix as no prefix', () => {
    expect(cacheFromSource(abs('d', 'm.ts'), { prefix: null })).toBe(cacheFromSource(abs('d', 'm.ts')));
  });

  it('refuses an empty source path', () => {
    argumentError(() => cacheFromSource(''));
  });

  it('refuses a source path that is not a string', () => {
    argumentError(() => cacheFromSource(42 as unknown as string));
  });

  it('refuses a source path that names a folder', () => {
    argumentError(() => cacheFromSource(abs('d') + '/'));
    argumentError(() => cacheFromSource(path.join('d', '..')));
  });

  it('refuses a source path holding NUL', () => {
    argumentError(() => cacheFromSource(abs('d', 'm\0.ts')));
  });

  it('refuses an empty prefix', () => {
    argumentError(() => cacheFromSource(abs('d', 'm.ts'), { prefix: '' }));
  });
});

describe('sourceFromCache', () => {
  it('turns a __pycache__ file back into its source path', () => {
    expect(sourceFromCache(abs('d', '__pycache__', 'app.module.ts.importlib-1.jsc'))).toBe(
      abs('d', 'app.module.ts'),
    );
  });

  it('turns a relative __pycache__ path into a relative source path', () => {
    expect(sourceFromCache(path.join('__pycache__', 'm.ts.importlib-1.jsc'))).toBe('m.ts');
  });

  it('turns a file under the prefix back into the absolute source path it mirrors', () => {
    expect(sourceFromCache(abs('cache', 'd', 'e', 'm.ts.importlib-1.jsc'), { prefix: abs('cache') })).toBe(
      abs('d', 'e', 'm.ts'),
    );
  });

  it('reads a file under the prefix as mirrored even when its folder is called __pycache__', () => {
    expect(
      sourceFromCache(abs('cache', 'd', '__pycache__', 'm.ts.importlib-1.jsc'), { prefix: abs('cache') }),
    ).toBe(abs('d', '__pycache__', 'm.ts'));
  });

  it('still accepts a __pycache__ file outside the prefix', () => {
    expect(sourceFromCache(abs('d', '__pycache__', 'm.ts.importlib-1.jsc'), { prefix: abs('cache') })).toBe(
      abs('d', 'm.ts'),
    );
  });

  it('refuses a file whose folder is not __pycache__', () => {
    const error = argumentError(() => sourceFromCache(abs('d', 'cache', 'm.ts.importlib-1.jsc')));
    expect(error.message).toContain('__pycache__');
  });

  it('refuses a file neither under the prefix nor in __pycache__', () => {
    const error = argumentError(() =>
      sourceFromCache(abs('elsewhere', 'm.ts.importlib-1.jsc'), { prefix: abs('cache') }),
    );
    expect(error.message).toContain('prefix');
  });

  it('refuses a file with another tag', () => {
    argumentError(() => sourceFromCache(abs('d', '__pycache__', 'm.ts.importlib-2.jsc')));
  });

  it('refuses a file without the .jsc suffix', () => {
    argumentError(() => sourceFromCache(abs('d', '__pycache__', 'm.ts.importlib-1.pyc')));
  });

  it('refuses a file name that is only the tag and suffix', () => {
    argumentError(() => sourceFromCache(abs('d', '__pycache__', '.importlib-1.jsc')));
  });

  it('refuses an empty path', () => {
    argumentError(() => sourceFromCache(''));
  });

  it('inverts cacheFromSource for any absolute source path, with or without a prefix', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 4 }),
        segment,
        fc.option(fc.array(segment, { minLength: 1, maxLength: 3 }), { nil: null }),
        (dirs, file, prefixSegments) => {
          const source = abs(...dirs, file);
          const prefix = prefixSegments === null ? null : abs(...prefixSegments);
          expect(sourceFromCache(cacheFromSource(source, { prefix }), { prefix })).toBe(source);
        },
      ),
      { numRuns: 500 },
    );
  });
});
