// Module hooks for the child processes of the compiled-cache tests: they let a plain `node` import
// the TypeScript sources (`src/*.ts`, and `@importlib/core` through its `@importlib/source` export
// condition), by stripping types with swc. Registered by `register.mjs`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import swc from '@swc/core';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    // Sources import each other as `./x.js`; the file is `./x.ts`.
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = swc.transformSync(await readFile(filename, 'utf8'), {
    filename,
    swcrc: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
