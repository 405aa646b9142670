// What a package may import is the layering lint rule's to say (eslint.config.js, tested in
// layers.test.ts). File headers used to repeat it in their own words and drifted from it; this keeps
// them from coming back.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(folder: string, out: string[] = []): string[] {
  for (const name of readdirSync(folder)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('file headers', () => {
  it('leave what a file may import to the layering lint rule', () => {
    const restated = /\bMust not import\b|\b[Mm]ay (?:only import|import only)\b/;
    const files = readdirSync(join(root, 'packages')).flatMap((pkg) => {
      const src = join(root, 'packages', pkg, 'src');
      try {
        return sources(src);
      } catch {
        return [];
      }
    });
    expect(files.length).toBeGreaterThan(50);
    const offenders = files
      .filter((file) => restated.test(readFileSync(file, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
