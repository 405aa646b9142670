// The layering law (cli -> hooks -> finders -> loaders -> core, compat -> hooks; no fs, vm or zip in
// the core) is held by eslint.config.js. These tests lint small snippets as if they were files of each
// package, so a change that weakens the rule fails here.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function restrictedImports(pkg: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}packages/${pkg}/src/example.ts` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layering lint rule', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", /file system/],
    ["import fs from 'fs';", /file system/],
    ["import { Script } from 'node:vm';", /vm/],
    ["import { unzipSync } from 'fflate';", /zip/],
    ["import { ZipFS } from '@yarnpkg/libzip';", /zip/],
    ["import { x } from '@importlib/loaders';", /Layering/],
  ])('refuses %s in the core', async (code, message) => {
    const messages = await restrictedImports('core', `${code}\nexport const y = 1;`);
    expect(messages.join('\n')).toMatch(message);
  });

  it('lets the core import node:path and node:async_hooks', async () => {
    const code =
      "import { resolve } from 'node:path';\nimport { AsyncLocalStorage } from 'node:async_hooks';\nexport const y = [resolve, AsyncLocalStorage];";
    expect(await restrictedImports('core', code)).toEqual([]);
  });

  it.each([
    ['loaders', '@importlib/finders'],
    ['loaders', '@importlib/hooks'],
    ['finders', '@importlib/hooks'],
    ['hooks', '@importlib/compat'],
    ['hooks', '@importlib/cli'],
    ['compat', '@importlib/cli'],
  ])('refuses an import upward: %s importing %s', async (pkg, target) => {
    const messages = await restrictedImports(pkg, `import { x } from '${target}';\nexport const y = x;`);
    expect(messages.join('\n')).toMatch(/Layering/);
  });

  it.each([
    ['loaders', '@importlib/core'],
    ['finders', '@importlib/loaders'],
    ['hooks', '@importlib/finders'],
    ['compat', '@importlib/hooks'],
    ['cli', '@importlib/compat'],
  ])('allows an import downward: %s importing %s', async (pkg, target) => {
    expect(await restrictedImports(pkg, `import { x } from '${target}';\nexport const y = x;`)).toEqual([]);
  });

  it("refuses reaching into another package's files", async () => {
    const messages = await restrictedImports(
      'loaders',
      "import { x } from '@importlib/core/src/system.js';\nexport const y = x;",
    );
    expect(messages.join('\n')).toMatch(/public entry point/);
  });
});
