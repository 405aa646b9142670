#!/usr/bin/env node
// "N of M pass" per import way, and per failing package the first line of why, from vitest's JSON
// report:
//
//   pnpm --filter @importlib/compat-npm summary        (runs the suite, then this)
//   node compat-npm/lib/summary.mjs <report.json> [--all]   (--all: every failure line, not only the first)
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [file = '.cache/npm-compat/report.json', ...flags] = process.argv.slice(2);
const report = JSON.parse(readFileSync(file, 'utf8'));
// eslint-disable-next-line no-control-regex
const strip = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');

const rows = [];
const failures = [];
for (const suite of report.testResults) {
  const way = basename(suite.name).replace(/\.test\.ts$/, '');
  const tests = suite.assertionResults;
  const passed = tests.filter((t) => t.status === 'passed').length;
  rows.push({ way, passed, total: tests.length });
  for (const t of tests) {
    if (t.status === 'passed') continue;
    const message = strip(t.failureMessages?.[0] ?? t.status);
    const lines = message.split('\n').filter((l) => l.trim());
    failures.push({ way, test: t.title, why: flags.includes('--all') ? lines.join('\n    ') : lines[0] });
  }
}
rows.sort((a, b) => a.way.localeCompare(b.way));
const total = rows.reduce((s, r) => ({ passed: s.passed + r.passed, total: s.total + r.total }), {
  passed: 0,
  total: 0,
});
console.log('way            pass');
for (const r of rows) console.log(`${r.way.padEnd(14)} ${r.passed} of ${r.total}`);
console.log(`${'all'.padEnd(14)} ${total.passed} of ${total.total}`);

const packages = new Map();
for (const f of failures) {
  const pkg = f.test.split(' ')[0];
  packages.set(pkg, [...(packages.get(pkg) ?? []), f]);
}
const all = new Set(
  report.testResults.flatMap((suite) => suite.assertionResults.map((t) => t.title.split(' ')[0])),
);
console.log(
  `\npackages that pass in every way they are imported: ${all.size - packages.size} of ${all.size}`,
);
console.log(`\n${packages.size} packages fail in at least one way:`);
for (const [pkg, list] of packages) {
  console.log(`\n${pkg}`);
  for (const f of list) console.log(`  ${f.way}: ${f.why}`);
}
