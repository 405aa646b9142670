// Builds the tiny Node-API addon of test/fixtures/addon with node-gyp (a devDependency), once: again
// only when a source is newer than the built file. Offline: the headers come from this Node's own
// install (`<prefix>/include/node`) or from npm's `nodedir` setting, never from a download.
// The output, test/fixtures/addon/build/, is git-ignored.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ADDON_DIR = fileURLToPath(new URL('./fixtures/addon/', import.meta.url));
const RELEASE = join(ADDON_DIR, 'build', 'Release');
const SOURCES = ['binding.gyp', 'addon.c', 'not-an-addon.c'].map((file) => join(ADDON_DIR, file));

/** The files the build makes. */
export interface BuiltAddon {
  /** A real Node-API addon exporting `hello()`, `add(a, b)` and `initCount`. */
  addon: string;
  /** A shared library that registers no Node module. */
  notAnAddon: string;
}

/** The Node headers to build against, or `undefined` to let node-gyp decide (it would download them). */
function nodeDir(): string | undefined {
  const configured = process.env.npm_config_nodedir;
  if (configured) return configured;
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function upToDate(outputs: string[]): boolean {
  if (!outputs.every((file) => existsSync(file))) return false;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  return SOURCES.every((file) => statSync(file).mtimeMs <= built);
}

/** Build the addon fixture unless it is already built from the current sources; return its files. */
export function buildAddon(): BuiltAddon {
  const built = { addon: join(RELEASE, 'addon.node'), notAnAddon: join(RELEASE, 'not_an_addon.node') };
  if (upToDate([built.addon, built.notAnAddon])) return built;
  const nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  const dir = nodeDir();
  const args = [nodeGyp, 'rebuild', '--loglevel=error', ...(dir ? [`--nodedir=${dir}`] : [])];
  try {
    execFileSync(process.execPath, args, { cwd: ADDON_DIR, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(
      `node-gyp could not build the test addon in ${ADDON_DIR} (headers: ${dir ?? 'node-gyp default'}):\n` +
        `${output.stdout ?? ''}${output.stderr ?? ''}`,
      { cause: error },
    );
  }
  return built;
}
