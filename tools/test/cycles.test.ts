// No import cycle inside any package: eslint.config.js holds that with import-x/no-cycle. These tests
// check that the rule is on for every package's sources and that it fires on a real cycle of files
// (it follows imports on disk, so a snippet alone cannot show it), and not on a type-only one.
import { ESLint } from 'eslint';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';

import { noCycle } from '../../eslint.config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = fileURLToPath(new URL('./.work', import.meta.url));
const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Lint `entry` of a package folder made of `files`, with the repository's cycle rule alone. */
async function cycleMessages(files: Record<string, string>, entry: string): Promise<string[]> {
  mkdirSync(work, { recursive: true });
  const folder = mkdtempSync(join(work, 'cycles-'));
  folders.push(folder);
  const src = join(folder, 'packages', 'demo', 'src');
  mkdirSync(src, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text);
  const eslint = new ESLint({
    cwd: folder,
    overrideConfigFile: true,
    overrideConfig: [...tseslint.config(tseslint.configs.base), noCycle],
  });
  const [result] = await eslint.lintFiles([join(src, entry)]);
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('the no-cycle lint rule', () => {
  it('is on, as an error, for the sources of every package', async () => {
    const eslint = new ESLint({ cwd: root });
    const packages = readdirSync(join(root, 'packages'));
    expect(packages.length).toBeGreaterThan(5);
    for (const pkg of packages) {
      const config = (await eslint.calculateConfigForFile(
        join(root, 'packages', pkg, 'src', 'index.ts'),
      )) as {
        rules: Record<string, unknown[]>;
      };
      expect(config.rules['import-x/no-cycle']?.[0], pkg).toBe(2);
    }
  });

  it('fires on a cycle of runtime imports between two files', async () => {
    const messages = await cycleMessages(
      {
        'a.ts': "import { b } from './b.js';\nexport const a = (): number => b + 1;\n",
        'b.ts': "import { a } from './a.js';\nexport const b = 1;\nexport const c = a;\n",
      },
      'a.ts',
    );
    expect(messages).toEqual(['import-x/no-cycle: Dependency cycle detected']);
  });

  it('fires on a longer cycle (a → b → c → a)', async () => {
    const messages = await cycleMessages(
      {
        'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
        'b.ts': "import { c } from './c.js';\nexport const b = c;\n",
        'c.ts': "import { a } from './a.js';\nexport const c = 1;\nexport const d = a;\n",
      },
      'a.ts',
    );
    expect(messages).toEqual([expect.stringMatching(/^import-x\/no-cycle: Dependency cycle via .*c\.js/)]);
  });

  it('lets a chain without a cycle, and a type-only import back, pass', async () => {
    const messages = await cycleMessages(
      {
        'a.ts': "import { b } from './b.js';\nexport interface A { x: number }\nexport const a = b;\n",
        'b.ts': "import type { A } from './a.js';\nexport const b = 1;\nexport type B = A;\n",
      },
      'a.ts',
    );
    expect(messages).toEqual([]);
  });
});
