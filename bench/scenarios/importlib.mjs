// importlib: an import system over the TypeScript tree folder, importing `entry`. Cold or warm is
// the runner's business: it deletes the `__pycache__` folders of the tree for a cold run.
import { createImportSystem } from '@importlib/hooks';
import { measure, tree } from '../lib/child.mjs';

const { ts } = tree();
const system = createImportSystem({ path: [ts] });
const names = () =>
  typeof system.modules.keys === 'function' ? [...system.modules.keys()] : Object.keys(system.modules);
const before = new Set(names());
measure(
  () => system.importModule('entry'),
  () => names().filter((name) => !before.has(name)).length,
);
