#!/usr/bin/env node
// Fetch the suite's npm packages into a git-ignored cache folder, once per pinned list.
//
// The list is `deps/package.json` (exact versions) with its committed `deps/package-lock.json`;
// `npm ci --ignore-scripts` installs exactly the locked tree (nested versions included), so every
// machine imports the same files. The folder is `<repo>/.cache/npm-compat/<hash>/`, where the hash
// covers the manifest, the lockfile and the local fixture packages (`fixtures/*`, copied into the
// tree's node_modules). A changed list gets a new folder; an unchanged one is reused as is.
//
// The install is atomic: it runs in a temporary folder beside the target, which is renamed into
// place only when npm finished and the fixtures are copied, so an interrupted run never leaves a
// half-installed tree that a later run would trust. Two runs racing both install; the first rename
// wins and the other discards its copy. Trees of earlier lists are removed after an install.
//
//   node compat-npm/lib/setup.mjs     install if needed, print the folder
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const suiteRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(suiteRoot, '..');
const depsDir = join(suiteRoot, 'deps');
const fixturesDir = join(suiteRoot, 'fixtures');
const COMPLETE = '.complete';
/** Temporary folders older than this are leftovers of a killed run and are removed. */
const STALE_MS = 60 * 60 * 1000;

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name))
    .sort();
}

/** The pinned list: package name to exact version, as `deps/package.json` says. */
export function pinnedVersions() {
  return JSON.parse(readFileSync(join(depsDir, 'package.json'), 'utf8')).dependencies;
}

/** The names of the local fixture packages (folders of `fixtures/`). */
export function fixtureNames() {
  return existsSync(fixturesDir) ? readdirSync(fixturesDir).sort() : [];
}

/** A short hash of everything that decides the installed tree. */
export function depsHash() {
  const hash = createHash('sha256');
  for (const file of [
    join(depsDir, 'package.json'),
    join(depsDir, 'package-lock.json'),
    ...filesUnder(fixturesDir),
  ]) {
    hash.update(relative(suiteRoot, file).replaceAll('\\', '/') + '\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The cache folder of the current list (whether or not it is installed yet). */
export function depsDirFor(hash = depsHash()) {
  return join(repoRoot, '.cache', 'npm-compat', hash);
}

function removeStaleTemps(parent) {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith('.tmp-')) continue;
    const dir = join(parent, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > STALE_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run removed it
    }
  }
}

/** Remove the trees of earlier lists: only the current list's tree is ever used. */
function removeOtherLists(parent, hash) {
  for (const entry of readdirSync(parent, { withFileTypes: true })) {
    if (entry.isDirectory() && /^[0-9a-f]{16}$/.test(entry.name) && entry.name !== hash) {
      rmSync(join(parent, entry.name), { recursive: true, force: true });
    }
  }
}

/**
 * Make sure the packages are installed and return their folder (it holds `node_modules/`).
 * `log` receives progress lines (the install takes ~30 s on a clean machine with a cold npm cache).
 */
export function ensureDeps({ log = (line) => process.stderr.write(line + '\n') } = {}) {
  const hash = depsHash();
  const dir = depsDirFor(hash);
  if (existsSync(join(dir, COMPLETE))) return dir;
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  removeStaleTemps(parent);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); // no marker: an incomplete tree
  const tmp = mkdtempSync(join(parent, `.tmp-${hash}-`));
  try {
    cpSync(join(depsDir, 'package.json'), join(tmp, 'package.json'));
    cpSync(join(depsDir, 'package-lock.json'), join(tmp, 'package-lock.json'));
    const args = ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    log(`npm-compat: npm ${args.join(' ')} (into ${relative(repoRoot, tmp)})`);
    const t0 = performance.now();
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    for (const name of fixtureNames()) {
      cpSync(join(fixturesDir, name), join(tmp, 'node_modules', name), { recursive: true });
    }
    writeFileSync(join(tmp, COMPLETE), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, dir);
    } catch (error) {
      if (!existsSync(join(dir, COMPLETE))) throw error;
      rmSync(tmp, { recursive: true, force: true }); // a concurrent run installed it first
    }
    log(`npm-compat: installed in ${Math.round(performance.now() - t0)} ms: ${relative(repoRoot, dir)}`);
    removeOtherLists(parent, hash);
    return dir;
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(ensureDeps());
}
