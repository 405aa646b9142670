// The child process of the compiled-cache tests (test/compiled-cache.test.ts): a fresh Node that
// imports one module of a tree through createImportSystem, from the workspace's TypeScript sources
// (started as `node --conditions=@importlib/source --import <loaders' register.mjs> import-child.mjs`).
//
//   import-child.mjs <json>   with { path: string[], module: string, cacheFile?: string, wait?: boolean }
//
// Prints one line of JSON: the module's `result` export, the verbose trace, this process's V8 runtime
// key and, when `cacheFile` was given, what decoding that file said before the import. With `wait`,
// prints `ready` first and waits for a line on stdin (so several children import at the same time).
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';

import { createImportSystem } from '@importlib/hooks';
import { decodeCompiled, v8RuntimeKey } from '@importlib/loaders';

const config = JSON.parse(process.argv[2] ?? '{}');

function before() {
  if (!config.cacheFile || !existsSync(config.cacheFile)) return null;
  try {
    const decoded = decodeCompiled(readFileSync(config.cacheFile), { name: null, path: config.cacheFile });
    return { v8Rejected: decoded.v8Rejected, hasV8: decoded.v8 !== null };
  } catch (error) {
    return { error: String(error) };
  }
}

function run() {
  const decoded = before();
  const system = createImportSystem({ path: config.path, nodeFallback: false });
  const messages = [];
  system.addTracer((event) => {
    if (event.type === 'verbose') messages.push(event.message);
  });
  const module = system.importModule(config.module);
  process.stdout.write(
    JSON.stringify({
      result: module.result,
      messages,
      runtimeKey: Buffer.from(v8RuntimeKey()).toString('hex'),
      before: decoded,
    }) + '\n',
  );
}

if (config.wait) {
  process.stdout.write('ready\n');
  process.stdin.once('data', () => {
    process.stdin.pause();
    run();
  });
} else {
  run();
}
