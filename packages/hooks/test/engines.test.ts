// The Node range the packages declare is the one they work on: the system loads ESM-only npm packages
// with Node's require() on the synchronous import path, which works unflagged only from Node 20.19
// and 22.12. Every manifest says so, and the setup script refuses other versions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { satisfiesRange } from '../../../scripts/node-range.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const manifests = [
  join(root, 'package.json'),
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name, 'package.json')),
];
const enginesOf = (file: string): unknown =>
  (JSON.parse(readFileSync(file, 'utf8')) as { engines?: { node?: unknown } }).engines?.node;

describe('engines', () => {
  it('every package.json declares the range where require() of an ES module works unflagged', () => {
    expect(manifests.length).toBeGreaterThan(6);
    for (const file of manifests) expect([file, enginesOf(file)]).toEqual([file, '^20.19.0 || >=22.12.0']);
  });

  it('the range admits 20.19+ and 22.12+ and refuses the versions without require(esm)', () => {
    const range = enginesOf(join(root, 'package.json')) as string;
    for (const ok of ['20.19.0', '20.20.2', 'v22.12.0', '23.0.0', '24.1.0'])
      expect([ok, satisfiesRange(ok, range)]).toEqual([ok, true]);
    for (const no of ['18.20.0', '20.0.0', '20.18.3', '21.7.0', '22.11.0'])
      expect([no, satisfiesRange(no, range)]).toEqual([no, false]);
  });

  it('the Node running the tests is inside the range and requires ES modules', () => {
    const range = enginesOf(join(root, 'package.json')) as string;
    expect(satisfiesRange(process.versions.node, range)).toBe(true);
    expect((process.features as { require_module?: boolean }).require_module).toBe(true);
  });
});
