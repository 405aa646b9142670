// docs/conformance.md is the project's own map of CPython behaviours: code and tests cite a behaviour
// by its CPython name and, where they point at the map, by an anchor of that page. These tests keep
// the map and its citations honest: every cited anchor exists, every file the map links to exists,
// every test block and function it names is in that file, and no behaviour is cited by a bare item
// number (which only means something next to a list the reader may not have).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const mapFile = join(root, 'docs', 'conformance.md');
const map = readFileSync(mapFile, 'utf8');
const anchors = new Set([...map.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));

const SKIP = new Set(['node_modules', 'dist', '.turbo', '.work', 'fixtures', 'api']);

/** The project's own sources, tests and docs (not dependencies, builds or generated API pages). */
function projectFiles(folder: string, out: string[] = []): string[] {
  for (const name of readdirSync(folder)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) projectFiles(path, out);
    else if (/\.(ts|mts|mjs|js|md)$/.test(name)) out.push(path);
  }
  return out;
}

const files = [
  ...projectFiles(join(root, 'packages')),
  ...projectFiles(join(root, 'docs')),
  ...projectFiles(join(root, 'tools')),
  join(root, 'README.md'),
].filter((file) => file !== fileURLToPath(import.meta.url));

describe('docs/conformance.md', () => {
  it('has an anchor for every conformance.md#anchor cited in code, tests and docs', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const [, anchor] of readFileSync(file, 'utf8').matchAll(/conformance\.md#([a-z0-9-]+)/g)) {
        if (!anchors.has(anchor!)) broken.push(`${relative(root, file)}: #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('links only to files that exist', () => {
    const links = [...map.matchAll(/\]\((\.\.\/[^)#]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(100);
    const missing = links.filter((link) => !existsSync(resolve(dirname(mapFile), link)));
    expect(missing).toEqual([]);
  });

  it('names only test blocks that are in the linked test file', () => {
    const cited = [...map.matchAll(/\]\((\.\.\/[^)]+\.test\.ts)\) › `([^`]+)`/g)];
    expect(cited.length).toBeGreaterThan(100);
    const missing = cited
      .filter(([, link, title]) => !readFileSync(resolve(dirname(mapFile), link!), 'utf8').includes(title!))
      .map(([, link, title]) => `${link} › ${title}`);
    expect(missing).toEqual([]);
  });

  it('names only functions and methods that are in the linked file', () => {
    const named = [...map.matchAll(/\]\((\.\.\/[^)]+\.ts)\) \(((?:`[^`]+`(?:, )?)+)\)/g)];
    expect(named.length).toBeGreaterThan(30);
    const missing = named.flatMap(([, link, names]) => {
      const text = readFileSync(resolve(dirname(mapFile), link!), 'utf8');
      return [...names!.matchAll(/`#?([^`]+)`/g)]
        .map((m) => m[1]!)
        .filter((name) => !new RegExp(`\\b${name}\\b`).test(text))
        .map((name) => `${link} (${name})`);
    });
    expect(missing).toEqual([]);
  });
});

describe('citations of CPython behaviours', () => {
  it('cite a behaviour by its CPython name or a conformance anchor, never by a bare item number', () => {
    const numbered = /\b[Ii]tems? \d+\b/;
    const offenders = files
      .filter((file) => numbered.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
});
