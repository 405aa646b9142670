// Path system calls per imported module, counted with strace where it exists. The child marks the
// start and end of its import with two failing access() calls (lib/child.mjs); only the calls
// between the marks count, so Node's own start-up and the loader's set-up are left out.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MARK_END, MARK_START } from './child.mjs';
import { runChild } from './child-process.mjs';

/** The calls that take a path and so cost a lookup (fstat-like calls on a descriptor excluded). */
export const PATH_CALLS = new Set([
  'open',
  'openat',
  'openat2',
  'creat',
  'stat',
  'lstat',
  'newfstatat',
  'fstatat64',
  'statx',
  'access',
  'faccessat',
  'faccessat2',
  'readlink',
  'readlinkat',
]);

/** Why syscalls cannot be counted here, or null when strace works. */
export function straceUnavailable() {
  const probe = spawnSync('strace', ['-V'], { encoding: 'utf8' });
  if (probe.error) return 'strace unavailable (not installed: the syscall counts need strace on PATH)';
  const trial = spawnSync(
    'strace',
    ['-f', '-qq', '-e', 'trace=%file', '-o', '/dev/null', process.execPath, '-e', '0'],
    {
      encoding: 'utf8',
    },
  );
  if (trial.status !== 0)
    return `strace unavailable (it cannot trace here: ${String(trial.stderr).trim().split('\n')[0]})`;
  return null;
}

/**
 * Count the path calls in an `strace -f` log between the marks: `{ total, byCall, underRoot }`
 * (`underRoot`: the calls whose path lies under `root`, e.g. the tree).
 */
export function countPathCalls(log, root) {
  const byCall = {};
  let total = 0;
  let underRoot = 0;
  let inside = false;
  for (const line of log.split('\n')) {
    if (line.includes(MARK_START)) {
      inside = true;
      continue;
    }
    if (line.includes(MARK_END)) break;
    if (!inside) continue;
    const m = /^(?:\[pid\s+)?\d*\]?\s*(\w+)\((.*)$/.exec(line);
    if (!m || line.includes('resumed>')) continue;
    const [, call, rest] = m;
    if (!PATH_CALLS.has(call)) continue;
    const path = /"((?:[^"\\]|\\.)*)"/.exec(rest)?.[1];
    if (path === undefined || path === '') continue; // a call on a descriptor (AT_EMPTY_PATH)
    byCall[call] = (byCall[call] ?? 0) + 1;
    total++;
    if (root && path.startsWith(root)) underRoot++;
  }
  return { total, underRoot, byCall };
}

/** Run one scenario under strace and count its path calls; `{ error }` if the child failed. */
export function traceScenario(scenario, { cwd, root }) {
  const dir = mkdtempSync(join(tmpdir(), 'importlib-bench-strace-'));
  const log = join(dir, 'strace.log');
  try {
    scenario.prepare?.();
    const result = runChild({
      script: scenario.script,
      args: scenario.args,
      nodeArgs: scenario.nodeArgs,
      env: scenario.env,
      cwd,
      prefix: ['strace', '-f', '-qq', '-e', 'trace=%file', '-o', log],
    });
    if (result.error) return { error: result.error };
    const counts = countPathCalls(readFileSync(log, 'utf8'), root);
    return {
      modules: result.modules,
      ...counts,
      perModule: result.modules ? counts.total / result.modules : null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
