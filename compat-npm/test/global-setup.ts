// Before any test file: install the pinned packages (once per list, lib/setup.mjs), compute what
// plain Node gives for every package and way (once per version of the table,
// lib/node-baseline.mjs), and check that the built packages the importlib side runs
// (lib/importlib-side.mjs, in plain Node) are there. (Whether they are current is turbo's business:
// `turbo run test` builds first; a file-time check would be wrong after a turbo cache hit, which
// leaves dist untouched.)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { baseline } from '../lib/node-baseline.mjs';
import { ensureDeps, repoRoot } from '../lib/setup.mjs';

/** The packages `@importlib/hooks` runs on, whose dist the importlib side loads. */
const BUILT = ['core', 'loaders', 'finders', 'hooks'];

function checkBuilt(): void {
  for (const name of BUILT) {
    const dist = join(repoRoot, 'packages', name, 'dist', 'index.js');
    const hint = 'build first: `npx turbo run build` (`turbo run test` does it)';
    if (!existsSync(dist)) throw new Error(`@importlib/${name} is not built (${dist} missing): ${hint}`);
  }
}

export default async function setup(): Promise<void> {
  checkBuilt();
  const root = ensureDeps();
  await baseline(root);
}
