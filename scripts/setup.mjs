#!/usr/bin/env node
// Install the workspace with the pinned pnpm (through npx, so a fresh machine needs only Node and npm).
// Skips the install when node_modules is already newer than the lockfile, so `npm test` stays fast.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { satisfiesRange } from './node-range.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpm = manifest.packageManager; // "pnpm@10.x.y": the one place the version is pinned
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');

// The range every package.json declares: require() of an ES module works unflagged only from there.
const range = manifest.engines.node;
if (!satisfiesRange(process.versions.node, range)) {
  console.error(`importlib needs Node ${range} (this is ${process.version}).`);
  process.exit(1);
}

const upToDate =
  existsSync(marker) && existsSync(lockfile) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs;
if (upToDate && !process.argv.includes('--force')) process.exit(0);

const args = ['-y', pnpm, 'install', '--reporter=append-only'];
if (process.env.CI || existsSync(lockfile)) args.push('--frozen-lockfile');
console.error(`setup: npx ${args.join(' ')}`);
execFileSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
