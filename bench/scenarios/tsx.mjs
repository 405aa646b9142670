// tsx 4 (its CommonJS hooks from `tsx/cjs/api`, then `require`) of the TypeScript tree; the tree is
// {"type": "commonjs"}, so this is the path `tsx entry.ts` takes for its files. tsx keeps its
// transform cache in `<os.tmpdir()>/tsx-<uid>`: the runner points TMPDIR at a folder of its own and
// empties it for a cold run.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { register } from 'tsx/cjs/api';
import { measure, requireCacheCount, tree } from '../lib/child.mjs';

const { ts } = tree();
register();
const require = createRequire(import.meta.url);
measure(
  () => require(join(ts, 'entry.ts')),
  () => requireCacheCount(ts),
);
