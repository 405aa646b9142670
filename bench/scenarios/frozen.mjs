// importlib from a frozen bundle: the whole TypeScript tree frozen into one file by `freeze` (with V8
// caches made after a warm-up run), then `createImportSystem({ frozen: [bundle] })` and
// `importModule('entry')`. Reading and checking the bundle happen inside the timed region (it is
// this loader's file I/O): the clock covers `createImportSystem({ frozen })` and the import. The
// warm-up run (`--freeze`) writes the bundle first.
//
//   node frozen.mjs --tree <dir> [--freeze]
import { join } from 'node:path';
import { createImportSystem, freeze } from '@importlib/hooks';
import { arg, measure, tree } from '../lib/child.mjs';

const { root, ts } = tree();
const bundle = join(root, 'frozen', 'tree.frozen');
let written = null;
if (arg('freeze', false) === true) {
  const result = freeze([ts], { output: bundle, v8Cache: 'run' });
  written = { modules: result.modules.length, bytes: result.size };
}

// Loader set-up outside the clock, as for importlib warm: the first system pays for loading and
// compiling importlib itself and the process-wide constants (magic number, V8 runtime key).
createImportSystem();
let system;
measure(
  () => {
    system = createImportSystem({ frozen: [bundle] });
    system.importModule('entry');
  },
  () => [...system.modules.keys()].filter((name) => !name.startsWith('node:')).length,
  () => (written ? { frozen: written } : {}),
);
