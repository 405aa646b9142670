// The README's demo must keep working: run it as a newcomer would (after the build) and check what it
// claims to show.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the README demo', () => {
  const output = execFileSync(process.execPath, ['examples/demo.mjs'], { cwd: root, encoding: 'utf8' });

  it('imports a package, its submodules and a relative import in dependency order', () => {
    expect(output).toMatch(
      /import 'plugins' #[\s\S]*import 'plugins\.greet' #[\s\S]*import 'plugins\.shout' #/,
    );
    expect(output).toContain('HELLO, WORLD (V1)!');
  });

  it('keeps the two hosts isolated across a reload', () => {
    expect(output).toContain('host A: hello, again (v2) (same object: true)');
    expect(output).toContain('host B still runs its own copy: hello, again (v1)');
  });

  it('runs a TypeScript app from its folder cold, then warm from the compiled cache', () => {
    expect(output).toContain('hello, dear importlib | HELLO, FOLDERS! | from main.ts');
    expect(output).toMatch(/cold \(.*\n.*transpiled: .*main \(compiled, cache written\)/);
    expect(output).toMatch(/warm \(.*\n.*from the compiled cache: .*main/);
  });

  it('runs the app with the importlib command from its folder, a zip app and a frozen bundle', () => {
    const ran = output.split('hello, dear importlib\n     HELLO, FOLDERS!\n     from main.ts').length - 1;
    expect(ran).toBe(5); // folder, zip app, bundle, and the two importtime runs
    expect(output).toContain('     args: from a folder');
    expect(output).toMatch(/wrote \$OUT\/app\.zip: \d+ entries/);
    expect(output).toMatch(/wrote \$OUT\/app\.bundle: 4 modules/);
  });

  it('prints the importtime table and writes the chart', () => {
    expect(output).toContain('import time: self [us] | cumulative | imported package');
    expect(output).toMatch(/import time: +\d+ \| +\d+ \| main$/m);
    const chart = /the chart: open (file:\S+)/.exec(output)?.[1];
    expect(chart && readFileSync(fileURLToPath(chart), 'utf8')).toContain('id="import-tree"');
  });

  it('shows the typed errors with their codes', () => {
    expect(output).toContain(
      "ModuleNotFoundError [ERR_IMPORTLIB_NOT_FOUND]: No module named 'plugins.missing'",
    );
    expect(output).toContain('import of plugins.evil halted; null in modules');
  });
});
