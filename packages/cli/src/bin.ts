#!/usr/bin/env node
// The `importlib` binary: the exit code is set, not forced, so a program run by `importlib run`
// keeps its timers and servers alive.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
