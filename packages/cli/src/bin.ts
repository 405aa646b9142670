#!/usr/bin/env node
// The `importlib` binary: the exit code is set, not forced, so a program run by `importlib run`
// keeps its timers and servers alive.
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// A program run by `importlib run` may have set its own exit code; a failure of ours wins over it.
if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
