// Baseline: plain Node `require` of the tree precompiled to CommonJS.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { measure, requireCacheCount, tree } from '../lib/child.mjs';

const { cjs } = tree();
const require = createRequire(import.meta.url);
measure(
  () => require(join(cjs, 'entry.js')),
  () => requireCacheCount(cjs),
);
