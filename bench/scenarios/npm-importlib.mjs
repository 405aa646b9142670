// importlib of a published package's TypeScript sources: its folder on `path`, importing `--entry`
// (rxjs: `src`, the package's src/index.ts). Cold or warm is the runner's business: it deletes the
// `__pycache__` folders under the sources for a cold run. Modules counted: those the import added
// that have a file (namespace packages have none).
import { createImportSystem } from '@importlib/hooks';
import { arg, measure } from '../lib/child.mjs';

const dir = arg('package-dir');
const entry = arg('entry', 'src');
if (typeof dir !== 'string')
  throw new Error('usage: node npm-importlib.mjs --package-dir <folder> [--entry src]');
const system = createImportSystem({ path: [dir] });
const before = new Set(system.modules.keys());
const hasFile = (m) => m !== null && typeof m === 'object' && typeof m.__file__ === 'string';
measure(
  () => system.importModule(entry),
  () => [...system.modules].filter(([name, m]) => !before.has(name) && hasFile(m)).length,
);
