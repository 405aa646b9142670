// The real-V8 probe of the compiled-cache tests, run in fresh processes (inside one process V8's
// own compilation cache can hide a rejection).
//   encode <file>: compile and run a script, then store it with its code cache as a compiled file.
//   run <file>:    decode the file; if it hands out V8 bytes, compile the JS with them.
// Prints one line of JSON.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

import { decodeCompiled, encodeCompiled, sourceHash } from '../../src/compiled-cache.js';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

const [mode, file] = process.argv.slice(2);
const filename = '/virtual/probe.js';
const source = `
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const table = Array.from({ length: 20 }, (_, i) => fib(i));
table.reduce((a, b) => a + b, 0);
`;

if (mode === 'encode') {
  const script = new vm.Script(source, { filename });
  const result = script.runInThisContext();
  const v8 = script.createCachedData();
  writeFileAtomic(
    file,
    encodeCompiled({
      invalidation: 'unchecked-hash',
      sourceHash: sourceHash(Buffer.from(source)),
      isAsync: false,
      js: source,
      map: null,
      v8,
    }),
  );
  console.log(JSON.stringify({ result, v8Length: v8.length }));
} else if (mode === 'run') {
  const decoded = decodeCompiled(readFileSync(file), { name: 'probe', path: file });
  const out = { v8Rejected: decoded.v8Rejected, hasV8: decoded.v8 !== null };
  if (decoded.v8 !== null) {
    const script = new vm.Script(decoded.js, { filename, cachedData: decoded.v8 });
    out.cachedDataRejected = script.cachedDataRejected;
    out.result = script.runInThisContext();
  }
  console.log(JSON.stringify(out));
} else {
  throw new Error(`unknown mode ${mode}`);
}
