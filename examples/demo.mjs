// The quick-start demo: a tiny plugin host on @importlib/core. Plugins live in memory here; what
// it shows is the machinery they plug into: isolated registries, packages, relative imports, reload,
// typed errors, and -v style tracing. Then a TypeScript app from its folder with the compiled cache,
// and the `importlib` command on it: a folder, a zip app, a frozen bundle, an importtime chart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { CodeObject, ImportSystem, ModuleNotFoundError, ModuleSpec } from '@importlib/core';
import { createImportSystem } from '@importlib/hooks';

/**
 * A meta-path finder serving modules from an object (name -> { body, package? }). A module body gets
 * its module object and an `importModule` bound to the system that loads it.
 */
class MemoryImporter {
  constructor(system, sources) {
    this.system = system;
    this.sources = sources;
  }
  findSpec(name) {
    const source = this.sources[name];
    if (!source) return null;
    const importModule = (spec, pkg) => this.system.importModule(spec, pkg);
    const code = new CodeObject(`memory:${name}`, (module) => source.body(module, importModule));
    return new ModuleSpec(name, new MemoryLoader(code), {
      origin: `memory:${name}`,
      isPackage: source.package ?? false,
    });
  }
}

/** A loader running one code object (PEP 451: createModule + execModule). */
class MemoryLoader {
  constructor(code) {
    this.code = code;
  }
  createModule() {
    return null; // the default module object
  }
  execModule(module) {
    this.code.exec(module);
  }
  toString() {
    return `<MemoryLoader '${this.code.filename}'>`;
  }
}

let greetingVersion = 1;
const sources = {
  plugins: { package: true, body: (m) => void (m.registry = []) },
  'plugins.greet': {
    body: (m, importModule) => {
      const version = greetingVersion;
      importModule('..', 'plugins.greet').registry.push('greet'); // relative import of the parent package
      m.run = (who) => `hello, ${who} (v${version})`;
    },
  },
  'plugins.shout': {
    body: (m, importModule) => {
      const greet = importModule('.greet', 'plugins');
      m.run = (who) => greet.run(who).toUpperCase() + '!';
    },
  },
};

function makeHost(label) {
  const system = new ImportSystem();
  system.metaPath.push(new MemoryImporter(system, sources));
  system.addTracer((event) => {
    if (event.type === 'loaded') console.log(`   [${label}] import '${event.name}' # ${event.loader}`);
  });
  return system;
}

console.log('importlib demo: two isolated plugin hosts on @importlib/core\n');
const a = makeHost('host A');
const b = makeHost('host B');

console.log('1. host A imports plugins.shout (parents first, then plugins.greet through a relative import):');
const shout = a.importModule('plugins.shout');
console.log(`   ${shout.run('world')}`);
console.log(`   host A's registry: ${[...a.modules.keys()].join(', ')}`);
console.log(`   host B's registry is untouched: ${b.modules.size} modules`);
const greetInB = b.importModule('plugins.greet');
console.log(`   host B imports plugins.greet on its own: ${greetInB.run('B')}`);

console.log('\n2. edit plugins.greet and reload it in host A only:');
greetingVersion = 2;
const greet = a.modules.get('plugins.greet');
a.reload(greet);
console.log(
  `   host A: ${a.importModule('plugins.greet').run('again')} (same object: ${a.modules.get('plugins.greet') === greet})`,
);
console.log(`   host B still runs its own copy: ${b.importModule('plugins.greet').run('again')}`);

console.log('\n3. a missing plugin is a typed error with a stable code:');
try {
  a.importModule('plugins.missing');
} catch (error) {
  console.log(`   ${error.name} [${error.code}]: ${error.message}`);
  console.log(
    `   instanceof ModuleNotFoundError: ${error instanceof ModuleNotFoundError}, moduleName: '${error.moduleName}'`,
  );
}

console.log('\n4. a null entry blocks a name, as sys.modules[name] = None does:');
a.modules.set('plugins.evil', null);
try {
  a.importModule('plugins.evil');
} catch (error) {
  console.log(`   ${error.name}: ${error.message}`);
}

console.log('\n5. modules print like Python modules:');
console.log(`   ${String(a.modules.get('plugins'))}`);
console.log(`   ${String(shout)}`);
console.log('\n6. a TypeScript app run from its folder, with the compiled cache (__pycache__):');
const appDir = fileURLToPath(new URL('./app/', import.meta.url));
for (const dir of ['', 'greeting/']) rmSync(`${appDir}${dir}__pycache__`, { recursive: true, force: true });
for (const round of ['cold', 'warm']) {
  const system = createImportSystem({ path: [appDir] });
  const sources = [];
  system.addTracer((event) => {
    if (event.type === 'verbose' && event.message.startsWith('# code object from')) sources.push(event.name);
    if (event.type === 'verbose' && event.message.startsWith('# created'))
      sources.push(`${event.name} (compiled, cache written)`);
  });
  const started = performance.now();
  const main = system.importModule('main');
  const ms = (performance.now() - started).toFixed(1);
  console.log(`   ${round} (${ms} ms): ${main.lines.join(' | ')}`);
  console.log(`     ${round === 'cold' ? 'transpiled' : 'from the compiled cache'}: ${sources.join(', ')}`);
}

console.log('\n7. the importlib command on the same app (packages/cli, `importlib --help`):');
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'importlib-demo-'));
const repo = fileURLToPath(new URL('..', import.meta.url));
const importlib = (...args) => {
  const short = (text) => text.replaceAll(out, '$OUT').replaceAll(repo, '');
  console.log(`   $ importlib ${short(args.join(' '))}`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8' });
  for (const line of short(`${result.stdout}${result.stderr}`).trimEnd().split('\n'))
    console.log(`     ${line}`);
};
importlib('run', 'examples/app', 'from', 'a', 'folder'); // the folder's __main__.ts
importlib('zipapp', 'examples/app', '-o', join(out, 'app.zip'));
importlib('run', join(out, 'app.zip'));
importlib('freeze', 'examples/app', '-o', join(out, 'app.bundle'));
importlib('run', join(out, 'app.bundle'));
importlib('run', '--importtime', 'examples/app');
importlib('run', '--importtime=html', join(out, 'imports.html'), 'examples/app');
console.log(`   the chart: open ${pathToFileURL(join(out, 'imports.html')).href} (hover, click to zoom)`);
console.log('\nNext: `npm test` runs every test.');
