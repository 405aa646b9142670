// importlib: an import system over the TypeScript tree folder, importing `entry`. Cold or warm is
// the runner's business: it deletes the `__pycache__` folders of the tree for a cold run.
import { createImportSystem } from '@importlib/hooks';
import { measureImport, tree } from '../lib/child.mjs';

const { ts } = tree();
measureImport(createImportSystem({ path: [ts] }));
