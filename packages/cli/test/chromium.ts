// A real Chromium for the importtime chart test: Debian's `chromium`, installed by this setup when it
// is missing and this process may install it (root with apt-get; CI runs as root on a clean clone).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser to drive, or why there is none. */
export type Browser = { path: string; reason?: undefined } | { path: null; reason: string };

function found(): string | null {
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

function apt(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('apt-get', args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 600_000,
  });
  return {
    ok: result.status === 0,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}

/** Find Chromium, installing Debian's package when missing and possible (takes about a minute). */
export function chromium(): Browser {
  const existing = found();
  if (existing) return { path: existing };
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    return {
      path: null,
      reason: 'Chromium is not installed and this user cannot install it (needs root and apt-get)',
    };
  }
  if (spawnSync('apt-get', ['--version']).status !== 0) {
    return { path: null, reason: 'Chromium is not installed and there is no apt-get to install it' };
  }
  let install = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (!install.ok) {
    apt(['update']); // a clean machine may have no package lists yet
    install = apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  const path = found();
  if (path) return { path };
  return {
    path: null,
    reason: `apt-get install chromium failed: ${install.output.trim().split('\n').slice(-3).join(' | ')}`,
  };
}

/** The flags for a headless run that reaches no network and keeps no state. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
