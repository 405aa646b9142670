// The bundler anchor: the TypeScript tree bundled by esbuild into one CommonJS file, then one plain
// Node `require` of that file. esbuild hoists the ES modules into one scope (module boundaries are
// gone: no module objects, no per-module wrapper), which is what a frozen bundle is compared with.
// The warm-up run (`--build`) writes the bundle first.
//
//   node esbuild-bundle.mjs --tree <dir> [--build]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { arg, measure, tree } from '../lib/child.mjs';

const { root, ts } = tree();
const outfile = join(root, 'esbuild', 'bundle.cjs');
const require = createRequire(import.meta.url);
if (arg('build', false) === true) {
  require('esbuild').buildSync({
    entryPoints: [join(ts, 'entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
}

measure(
  () => require(outfile),
  // The modules in the bundle: esbuild starts each one's code with a `// <path>` comment.
  () => new Set(readFileSync(outfile, 'utf8').match(/^\/\/ .*\.[cm]?[jt]sx?$/gm) ?? []).size,
);
