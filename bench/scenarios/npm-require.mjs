// Baseline of the npm scenario: plain Node `require` of a published package's own compiled build
// (rxjs: dist/cjs, what `require('rxjs')` loads), from its folder in the compat-npm cache.
import { createRequire } from 'node:module';
import { arg, measure, requireCacheCount } from '../lib/child.mjs';

const dir = arg('package-dir');
if (typeof dir !== 'string') throw new Error('usage: node npm-require.mjs --package-dir <folder>');
const require = createRequire(import.meta.url);
measure(
  () => require(dir),
  () => requireCacheCount(dir),
);
