// `--importtime=html FILE`: the page is self-contained and draws the import tree. Checked in a real
// headless Chromium (installed by ./chromium.ts when missing): every import is a box, widths follow
// cumulative time, hovering shows self and cumulative microseconds, clicking zooms in and back out.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium as playwright, type Browser as PlaywrightBrowser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromium, CHROMIUM_ARGS } from './chromium.js';
import { importlib, tree } from './helpers.js';

const browser = chromium();
// Outside CI, a machine that cannot get Chromium skips the browser checks, saying why. Under CI (which
// runs as root, so ./chromium.ts can install it) a missing browser fails them: they never pass empty.
const skipInBrowser = !browser.path && !process.env['CI'];
if (skipInBrowser) console.warn(`SKIPPED the importtime chart tests in Chromium: ${browser.reason}`);

let root: string;
let page: Page;
let running: PlaywrightBrowser | undefined;
const pageErrors: string[] = [];
let html: string;

beforeAll(async () => {
  root = tree('html', {
    'main.ts': `import { b } from './pkg/b.js';\nimport { c } from './pkg/c.js';\nconsole.log(b + c);\n`,
    'pkg/__init__.ts': `export const p = 1;\n`,
    'pkg/b.ts': `import { leaf } from './leaf.js';\nexport const b: number = leaf + 1;\n`,
    'pkg/c.ts': `export const c: number = 2;\n`,
    'pkg/leaf.ts': `export const leaf: number = 1;\n`,
  });
  const result = await importlib(['run', '--importtime=html', 'chart.html', join(root, 'main.ts')], {
    cwd: root,
  });
  expect(result).toMatchObject({ stdout: '4\n', code: 0 });
  html = readFileSync(join(root, 'chart.html'), 'utf8');
  if (!browser.path) {
    if (skipInBrowser) return;
    throw new Error(`the importtime chart tests need Chromium under CI: ${browser.reason}`);
  }
  running = await playwright.launch({ executablePath: browser.path, args: CHROMIUM_ARGS, headless: true });
  page = await running.newPage({ viewport: { width: 1000, height: 600 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(pathToFileURL(join(root, 'chart.html')).href);
}, 600_000);

afterAll(async () => {
  await running?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the importtime HTML page', () => {
  it('is self-contained: no external script, style, image or link', () => {
    expect(html).not.toMatch(/<(?:script|img|link)[^>]+(?:src|href)=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it.skipIf(skipInBrowser)('draws one box per import, named, with its times', async () => {
    const names = await page.$$eval('#chart .node', (nodes) => nodes.map((n) => n.getAttribute('data-name')));
    expect(names.filter(Boolean).sort()).toEqual(['pkg', 'pkg.b', 'pkg.c', 'pkg.leaf']);
    expect(pageErrors).toEqual([]);
  });

  it.skipIf(skipInBrowser)('nests imports one row down, pkg.leaf under pkg.b', async () => {
    const depth = (name: string): Promise<string | undefined> =>
      page.$eval(`#chart .node[data-name="${name}"]`, (n) => n.getAttribute('data-depth'));
    expect(await depth('pkg.b')).toBe('1');
    expect(await depth('pkg.leaf')).toBe('2');
  });

  it.skipIf(skipInBrowser)('makes each box as wide as its share of the cumulative time', async () => {
    const box = (name: string) =>
      page.$eval(`#chart .node[data-name="${name}"]`, (n) => ({
        width: n.getBoundingClientRect().width,
        cumulative: Number(n.getAttribute('data-cumulative')),
      }));
    const chartWidth = await page.$eval('#chart', (n) => n.clientWidth);
    const total = await page.$eval('#chart .node[data-depth="0"]', (n) =>
      Number(n.getAttribute('data-cumulative')),
    );
    for (const name of ['pkg.b', 'pkg.c']) {
      const { width, cumulative } = await box(name);
      expect(Math.abs(width - (chartWidth * cumulative) / total)).toBeLessThan(2);
    }
  });

  it.skipIf(skipInBrowser)('shows self and cumulative microseconds on hover', async () => {
    await page.hover('#chart .node[data-name="pkg.b"]');
    const tip = await page.textContent('#tip');
    const self = await page.$eval('#chart .node[data-name="pkg.b"]', (n) => n.getAttribute('data-self'));
    expect(tip).toContain('pkg.b');
    expect(tip).toContain(`self: ${Number(self).toLocaleString('en-US')} \u00b5s`);
    expect(tip).toMatch(/cumulative: [\d,]+ \u00b5s \(\d+\.\d% of all\)/);
  });

  it.skipIf(skipInBrowser)('zooms into an import on click, and back out with reset', async () => {
    await page.click('#chart .node[data-name="pkg.b"]');
    expect(await page.$eval('#chart', (n) => n.getAttribute('data-focus'))).toBe('pkg.b');
    const zoomed = await page.$eval(
      '#chart .node[data-name="pkg.b"]',
      (n) => n.getBoundingClientRect().width,
    );
    expect(zoomed).toBeGreaterThan((await page.$eval('#chart', (n) => n.clientWidth)) - 3);
    expect(
      await page.$$eval('#chart .node', (nodes) => nodes.map((n) => n.getAttribute('data-name'))),
    ).toEqual(['pkg.b', 'pkg', 'pkg.leaf']); // pkg.b's find-and-load imported its parent first
    await page.click('#crumbs button:first-child');
    expect(await page.$eval('#chart', (n) => n.getAttribute('data-focus'))).toBe('');
    expect(await page.$$eval('#chart .node', (nodes) => nodes.length)).toBe(5);
  });
});
