// The real-V8 probe of the frozen-bundle tests, run in fresh processes (inside one process V8's own
// compilation cache can hide a rejection).
//   freeze <file>: write a bundle whose V8 cache was made after its modules ran.
//   run <file>:    import its modules from the bundle; report whether V8 took the bundle's cache.
// Prints one line of JSON.

import { ImportSystem, ModuleSpec } from '@importlib/core';

import { encodeBundle, FrozenBundle, FrozenLoader, programOf, writeBundle } from '../src/frozen/index.js';

const [mode, file] = process.argv.slice(2);
const records = [
  {
    name: 'fib',
    isPackage: false,
    js: 'function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nexports.fib = fib;\n',
  },
  {
    name: 'main',
    isPackage: false,
    js: 'const { fib } = require("fib");\nexports.total = Array.from({ length: 20 }, (_, i) => fib(i)).reduce((a, b) => a + b, 0);\n',
  },
];

/** A system serving the bundle's modules (the test's own finder: finders are another package). */
function systemOf(bundle, onCompiled) {
  const system = new ImportSystem();
  const loader = new FrozenLoader(system, [bundle], { nodeFallback: false, onCompiled });
  system.metaPath = [
    { findSpec: (name) => (loader.lookup(name) ? new ModuleSpec(name, loader, { origin: 'frozen' }) : null) },
  ];
  return system;
}

if (mode === 'freeze') {
  let script;
  const system = systemOf(FrozenBundle.fromBytes(encodeBundle(records), file), (_, s) => (script = s));
  const result = system.importModule('main').total;
  writeBundle(file, records, { v8: script.createCachedData() });
  process.stdout.write(JSON.stringify({ result, programLength: programOf(records).length }) + '\n');
} else {
  const bundle = FrozenBundle.read(file);
  let cachedDataRejected = null;
  const system = systemOf(bundle, (_, script) => (cachedDataRejected = script.cachedDataRejected ?? null));
  const result = system.importModule('main').total;
  process.stdout.write(
    JSON.stringify({
      v8Usable: bundle.v8Usable,
      hasV8: bundle.program().v8 !== null,
      cachedDataRejected,
      result,
    }) + '\n',
  );
}
