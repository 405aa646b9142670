// Run one scenario in a fresh Node process and read its result line. A child that fails gives
// `{ error }` with the first meaningful line of its error output, so the rest still reports.
import { spawnSync } from 'node:child_process';

/** The environment of every child: ours, without NODE_OPTIONS (no preloaded hooks), plus `extra`. */
export function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

/** The most telling line of a failed child's stderr (the error message, not the stack). */
export function reason(stderr, status, signal) {
  const lines = String(stderr ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const message =
    lines.find((l) => /^(\w*Error|Error)( \[\w+\])?:/.test(l)) ??
    lines.find(
      (l) => !l.startsWith('at ') && !l.startsWith('^') && !l.startsWith('Node.js') && !l.startsWith('file:'),
    ) ??
    '';
  const how = signal ? `killed by ${signal}` : `exit ${status}`;
  return message ? `${message} (${how})` : how;
}

/**
 * Spawn `node <nodeArgs> <script> <args>` with cwd `cwd`; returns `{ ms, modules, rssPeakKb, wallMs,
 * ... }` or `{ error, wallMs }`. `prefix` (e.g. strace and its options) goes before node.
 */
export function runChild({
  script,
  args = [],
  nodeArgs = [],
  env = {},
  cwd,
  timeoutMs = 20 * 60_000,
  prefix = [],
}) {
  const argv = [...prefix, process.execPath, ...nodeArgs, script, ...args];
  const t0 = process.hrtime.bigint();
  const child = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env: childEnv(env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (child.error) return { error: child.error.message, wallMs };
  if (child.status !== 0) return { error: reason(child.stderr, child.status, child.signal), wallMs };
  const last = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...JSON.parse(last), wallMs };
  } catch {
    return { error: `no result line (stdout ended with: ${last.slice(0, 200)})`, wallMs };
  }
}
