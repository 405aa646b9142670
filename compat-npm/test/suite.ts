// One test per package for one import way: importlib's record must equal the record plain Node
// gave. Both sides run in plain Node child processes, one per way (lib/importlib-side.mjs with the
// built packages, lib/node-baseline.mjs), never inside vitest: vitest rewrites the `import()` calls
// of code it transforms, which changes the namespaces Node hands back. Each way has its own test
// file, so vitest's summary says "N of M pass" per way, and a failure names the package, its
// version, the issue items it exercises and the way, with what differs in its first line.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { baselineFile } from '../lib/node-baseline.mjs';
import { depsDirFor, pinnedVersions } from '../lib/setup.mjs';
import { specs } from '../lib/specs.mjs';
import { differences, WAYS } from '../lib/ways.mjs';

type Record = { [key: string]: unknown; loadError?: string };

const root = depsDirFor();
const versions = pinnedVersions() as { [pkg: string]: string };
const importlibSide = fileURLToPath(new URL('../lib/importlib-side.mjs', import.meta.url));

/** importlib's records for one way, from a fresh child process. */
function importlibRecords(wayId: string): Promise<{ [pkg: string]: Record }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--no-warnings', importlibSide, root, wayId],
      { maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`importlib side of '${wayId}' failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { [pkg: string]: Record });
      },
    );
  });
}

/** Node's records for one way (computed by test/global-setup.ts). */
function nodeRecords(wayId: string): { [pkg: string]: Record } {
  const file = baselineFile(root);
  if (!existsSync(file))
    throw new Error(`no Node baseline at ${file}: run through vitest (test/global-setup.ts)`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { [way: string]: { [pkg: string]: Record } })[wayId]!;
}

/** Define the tests of one way: one per package it applies to. */
export function defineWaySuite(wayId: string): void {
  const way = WAYS.find((w) => w.id === wayId)!;
  describe(`${way.id}: ${way.title}`, () => {
    let got: { [pkg: string]: Record } = {};
    let want: { [pkg: string]: Record } = {};
    beforeAll(async () => {
      want = nodeRecords(way.id);
      got = await importlibRecords(way.id);
    });
    for (const spec of specs.filter(way.applies)) {
      const version = spec.fixture ? 'fixture' : spec.builtin ? 'builtin' : versions[spec.pkg];
      test(`${spec.pkg}@${version} [items ${spec.items.join(', ') || '-'}]`, () => {
        const expected = want[spec.pkg]!;
        const actual = got[spec.pkg]!;
        expect(
          expected.loadError,
          `plain Node could not load ${spec.pkg} (fix the spec): ${expected.loadError}`,
        ).toBeUndefined();
        expect(
          actual.loadError,
          `importlib could not import ${spec.pkg} (${way.id}): ${actual.loadError}`,
        ).toBeUndefined();
        if (way.id === 'identity' && spec.registryIdentity) {
          // A name the system owns has one registry entry (sys.modules); Node re-reads a getter
          // `module.exports` on every require. The spec says this package shows the difference.
          const registry = { requireIsByName: true, importIsRequire: true };
          expect(expected.facts, `Node now gives ${spec.pkg} one object: drop registryIdentity`).not.toEqual(
            registry,
          );
          expect(actual.facts, 'importlib must give one object per owned name').toEqual(registry);
          return;
        }
        expect(actual, differences(actual, expected).join('; ')).toEqual(expected);
      });
    }
  });
}
