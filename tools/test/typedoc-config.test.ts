// typedoc.json lists the packages of the API reference by hand: typedoc's "packages" strategy crashes
// on a package with no entry point, so a package joins the list when its code lands. These tests keep
// the list honest in both directions without running typedoc.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface TypedocConfig {
  entryPoints: string[];
  entryPointStrategy: string;
  packageOptions: { entryPoints: string[] };
  projectDocuments: string[];
}

const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as TypedocConfig;
const [entryFile] = config.packageOptions.entryPoints;
const packagesWithCode = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, entryFile ?? 'src/index.ts')))
  .map((name) => `packages/${name}`)
  .sort();

describe('typedoc.json', () => {
  it('documents each package through its one entry point', () => {
    expect(config.entryPointStrategy).toBe('packages');
    expect(config.packageOptions.entryPoints).toEqual(['src/index.ts']);
  });

  it('lists only packages that have an entry point (typedoc crashes on the others)', () => {
    const missing = config.entryPoints.filter((entry) => !packagesWithCode.includes(entry));
    expect(missing, 'listed in typedoc.json but with no src/index.ts').toEqual([]);
  });

  it('lists every package that has an entry point', () => {
    const unlisted = packagesWithCode.filter((entry) => !config.entryPoints.includes(entry));
    expect(unlisted, 'add these to "entryPoints" in typedoc.json').toEqual([]);
  });

  it('includes the guides', () => {
    expect(config.projectDocuments).toContain('docs/guide/*.md');
    expect(existsSync(join(root, 'docs/guide/import-system.md'))).toBe(true);
  });
});
