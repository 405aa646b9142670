// jiti 2 (`createJiti(...)(file)`, its synchronous require) of the TypeScript tree, with its file
// cache in `--cache-dir` (the runner empties it for a cold run).
import { join } from 'node:path';
import { createJiti } from 'jiti';
import { arg, measure, requireCacheCount, tree } from '../lib/child.mjs';

const { ts } = tree();
const cacheDir = arg('cache-dir');
if (typeof cacheDir !== 'string') throw new Error('jiti scenario: --cache-dir <folder> is required');
const jiti = createJiti(import.meta.url, { fsCache: cacheDir });
measure(
  () => jiti(join(ts, 'entry.ts')),
  () => requireCacheCount(ts),
);
