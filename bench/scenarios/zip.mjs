// importlib from a zip archive: the TypeScript tree zipped into one archive (sources only, no
// compiled entries), then `createImportSystem({ path: [archive] })` and `importModule('entry')`.
// Warm: the warm-up run (`--zip`) writes the archive and fills the transpile cache the zip loaders
// keep beside it (`<tree>/zip/__pycache__/tree.zip/...`, keyed by entry CRC), which the timed runs
// read; the archive's central directory is read inside the timed region.
//
//   node zip.mjs --tree <dir> [--zip]
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createImportSystem } from '@importlib/hooks';
import { arg, measureImport, tree } from '../lib/child.mjs';

const { root, ts } = tree();
const archive = join(root, 'zip', 'tree.zip');

if (arg('zip', false) === true) {
  // @importlib/loaders (the zip writer) through @importlib/hooks, whose dependency it is.
  const hooks = createRequire(import.meta.url).resolve('@importlib/hooks');
  const loaders = createRequire(hooks).resolve('@importlib/loaders');
  const { writeZip } = await import(pathToFileURL(loaders).href);
  const entries = [];
  const walk = (dir, prefix) => {
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      if (item.name === '__pycache__') continue;
      const full = join(dir, item.name);
      if (item.isDirectory()) walk(full, `${prefix}${item.name}/`);
      else entries.push({ name: prefix + item.name, data: readFileSync(full), mtime: statSync(full).mtime });
    }
  };
  walk(ts, '');
  mkdirSync(join(root, 'zip'), { recursive: true });
  writeZip(archive, entries);
}

measureImport(createImportSystem({ path: [archive] }));
