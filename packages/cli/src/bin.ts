#!/usr/bin/env node
// The `importlib` binary: the exit code is set, not forced, so a program run by `importlib run`
// keeps its timers and servers alive.
import { main } from './main.js';

const args = process.argv.slice(2);
if (args[0] !== 'run') {
  // `importlib find … | head`: a reader that stops early is not an error of ours. (A program run by
  // `importlib run` keeps Node's own behaviour for its output.)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}
const code = await main(args);
// A program run by `importlib run` may have set its own exit code; a failure of ours wins over it.
if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
