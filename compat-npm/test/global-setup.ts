// Before any test file: install the pinned packages (once per list, lib/setup.mjs) and compute
// what plain Node gives for every package and way (once per version of the table,
// lib/node-baseline.mjs). The test files find both by the same hashes.
import { ensureDeps } from '../lib/setup.mjs';
import { baseline } from '../lib/node-baseline.mjs';

export default async function setup(): Promise<void> {
  const root = ensureDeps();
  await baseline(root);
}
