#!/usr/bin/env node
// A deterministic, seeded generator of synthetic TypeScript module trees, and the same tree
// precompiled to CommonJS (the baseline of the benchmark).
//
//   node bench/generate.mjs --n 2000 [--seed 1] [--js-suffix 0.5] [--out bench-results/trees/n2000-s1]
//
// The tree (under <out>/ts):
//   entry.ts                   imports every top-level package and module
//   <pkg>/__init__.ts          imports every module and sub-package of its folder (so `entry` reaches all)
//   <pkg>/index.ts             the same text as __init__.ts, for loaders that only know Node's `index`
//   <pkg>/<module>.ts          40-80 lines: interfaces, types, enums, a lookup table, a class, functions;
//                              2-4 imports (`./x`, `./x.js`, `../pkg/y`, a package folder), a few of
//                              them closing safe cycles
//   package.json, tsconfig.json  {"type": "commonjs"} and a plain tsconfig, so every loader sees the
//                              same project whatever folder the tree lies in
// Imported values are used only inside function bodies, so every cycle is safe under CommonJS
// and ESM alike, and every import is a value import that no transpiler may elide.
//
// <out>/cjs holds the same files compiled by @swc/core to CommonJS (`.js`, `__init__.js` and
// `index.js`), <out>/floor.json the precomputed table that answers every `require` of the CommonJS
// tree without any lookup (for the floor scenario), <out>/manifest.json the counts.
import { mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { transformSync } from '@swc/core';

const here = dirname(fileURLToPath(import.meta.url));
/** Changes whenever this file does, so a tree from an older generator is never reused. */
export const GENERATOR_VERSION = createHash('sha1')
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest('hex')
  .slice(0, 12);
export const repoRoot = resolve(here, '..');

/** mulberry32: a tiny seeded PRNG, so a seed always gives the same tree. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  const pick = (list) => list[Math.floor(next() * list.length)];
  return { next, int, pick, chance: (p) => next() < p };
}

const PACKAGE_WORDS = [
  'billing',
  'catalog',
  'auth',
  'search',
  'inventory',
  'shipping',
  'reports',
  'users',
  'orders',
  'payments',
  'analytics',
  'notifications',
  'storage',
  'pricing',
  'accounts',
  'audit',
  'config',
  'events',
  'gateway',
  'ledger',
  'media',
  'metrics',
  'scheduler',
  'session',
  'support',
  'tenants',
  'workflow',
  'exporter',
  'imports',
  'sync',
  'profile',
  'checkout',
  'tax',
  'routing',
  'geo',
  'i18n',
];
const ADJECTIVES = [
  'order',
  'user',
  'cart',
  'price',
  'stock',
  'item',
  'route',
  'token',
  'event',
  'batch',
  'report',
  'invoice',
  'ledger',
  'policy',
  'quota',
  'rate',
  'region',
  'schema',
  'task',
  'ticket',
  'vendor',
  'webhook',
  'audit',
  'cache',
  'credit',
  'discount',
  'label',
  'metric',
  'page',
  'queue',
];
const NOUNS = [
  'service',
  'repository',
  'mapper',
  'validator',
  'parser',
  'formatter',
  'store',
  'client',
  'model',
  'handler',
  'builder',
  'registry',
  'policy',
  'rules',
  'table',
  'codec',
  'planner',
  'index',
  'view',
  'resolver',
  'factory',
  'helpers',
  'state',
  'types',
];
const LABELS = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma', 'kappa', 'lambda', 'theta', 'zeta'];

const LAYERS = 8;
const pascal = (s) =>
  s
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
const camel = (s) => {
  const p = pascal(s);
  return p[0].toLowerCase() + p.slice(1);
};

/**
 * Plan a tree: packages, modules and imports. Pure: the same (n, seed) gives the same plan.
 * `n` counts every module the entry reaches: the entry, each package `__init__` and each plain module.
 */
export function planTree({ n, seed = 1, jsSuffix = 0.5 }) {
  if (!Number.isInteger(n) || n < 8) throw new Error(`n must be an integer >= 8 (got ${n})`);
  const r = rng(seed);
  // Packages: about one per 12 modules; a quarter of them top level, the rest nested (depth <= 3).
  const packageCount = Math.max(2, Math.round(n / 12));
  const topLevel = Math.max(2, Math.round(packageCount / 4));
  const packages = []; // { dir, depth, parent, children: [], modules: [] }
  const usedPkgNames = new Map(); // word -> count (names unique tree-wide: simpler to read)
  const pkgName = () => {
    const w = r.pick(PACKAGE_WORDS);
    const k = (usedPkgNames.get(w) ?? 0) + 1;
    usedPkgNames.set(w, k);
    return k === 1 ? w : `${w}_${k}`;
  };
  for (let i = 0; i < packageCount; i++) {
    let parent = null;
    if (i >= topLevel) {
      const candidates = packages.filter((p) => p.depth < 3);
      parent = r.pick(candidates);
    }
    const name = pkgName();
    const dir = parent ? `${parent.dir}/${name}` : name;
    const pkg = { dir, name, depth: parent ? parent.depth + 1 : 1, parent, children: [], modules: [] };
    // layers, as in an application: a top-level package and everything inside it form a group on
    // one layer, and a group imports from lower layers only (or from itself), so import chains stay
    // as deep as real code's whatever n is
    pkg.group = parent ? parent.group : pkg;
    pkg.layer = parent ? parent.layer : Math.min(LAYERS - 1, Math.floor((i * LAYERS) / topLevel));
    if (!parent) pkg.groupModules = [];
    if (parent) parent.children.push(pkg);
    packages.push(pkg);
  }
  // Plain modules: n minus the entry and the package __init__s; a few stay at the top level.
  const plainCount = n - 1 - packageCount;
  if (plainCount < packageCount) throw new Error(`n=${n} is too small for ${packageCount} packages`);
  const modules = []; // { index, name, dir ('' = top level), file, imports: [] }
  const usedModNames = new Map();
  const modName = () => {
    const w = `${r.pick(ADJECTIVES)}_${r.pick(NOUNS)}`;
    const k = (usedModNames.get(w) ?? 0) + 1;
    usedModNames.set(w, k);
    return k === 1 ? w : `${w}_${k}`;
  };
  for (let i = 0; i < plainCount; i++) {
    // every package gets one module first, then the rest land anywhere (2% at the top level)
    const pkg = i < packageCount ? packages[i] : r.chance(0.02) ? null : r.pick(packages);
    const name = modName();
    const dir = pkg ? pkg.dir : '';
    const mod = {
      index: i,
      name,
      dir,
      file: dir ? `${dir}/${name}` : name,
      pkg,
      imports: [],
      hasClass: r.chance(0.6),
    };
    mod.parentJs = r.chance(jsSuffix); // whether its package __init__ (or the entry) imports it as './x.js'
    mod.layer = pkg ? pkg.layer : LAYERS; // top-level modules are the application: above every layer
    if (pkg) {
      mod.inPkg = pkg.modules.push(mod) - 1;
      mod.inGroup = pkg.group.groupModules.push(mod) - 1;
    }
    modules.push(mod);
  }
  const belowLayer = []; // belowLayer[l]: the modules / packages of every layer < l
  const pkgsBelowLayer = [];
  for (let l = 0; l <= LAYERS; l++) {
    belowLayer.push(modules.filter((m) => m.layer < l));
    pkgsBelowLayer.push(packages.filter((p) => p.layer < l));
  }
  // Imports: 2-4 per module: an earlier module of the same package or group, a module of a lower
  // layer, or (12%) a package of a lower layer; modules with nothing below them are leaves.
  for (const mod of modules) {
    const want = r.int(2, 4);
    const chosen = new Set();
    const samePkg = mod.pkg ? mod.pkg.modules.slice(0, mod.inPkg) : [];
    const sameGroup = mod.pkg ? mod.pkg.group.groupModules.slice(0, mod.inGroup) : [];
    const lower = belowLayer[mod.layer];
    const lowerPkgs = pkgsBelowLayer[mod.layer];
    for (let guard = 0; mod.imports.length < want && guard < 30; guard++) {
      const roll = r.next();
      if (roll < 0.12 && lowerPkgs.length) {
        const target = r.pick(lowerPkgs);
        if (chosen.has(target)) continue;
        chosen.add(target);
        mod.imports.push({ kind: 'package', target });
        continue;
      }
      const pool =
        roll < 0.45 && samePkg.length
          ? samePkg
          : roll < 0.65 && sameGroup.length
            ? sameGroup
            : lower.length
              ? lower
              : sameGroup;
      if (!pool.length) break;
      const target = r.pick(pool);
      if (chosen.has(target)) continue;
      chosen.add(target);
      mod.imports.push({ kind: 'module', target, jsSuffix: r.chance(jsSuffix) });
    }
  }
  // A few safe cycles: B imports A where A already imports B.
  const cycleCount = Math.max(2, Math.round(n / 200));
  let cycles = 0;
  for (let guard = 0; cycles < cycleCount && guard < 20 * cycleCount; guard++) {
    const a = modules[r.int(0, modules.length - 1)];
    const edge = a.imports.find((e) => e.kind === 'module');
    if (!edge) continue;
    const b = edge.target;
    if (b.imports.length >= 4 || b.imports.some((e) => e.target === a)) continue;
    b.imports.push({ kind: 'module', target: a, jsSuffix: r.chance(jsSuffix), cycle: true });
    cycles++;
  }
  return { n, seed, jsSuffix, packages, modules, cycles };
}

/** The relative specifier a user would write from folder `fromDir` to `toPath` (both tree-relative). */
function specifier(fromDir, toPath) {
  let rel = posix.relative(fromDir || '.', toPath);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

/** A module's own names, derived from its file name. */
function namesOf(mod) {
  const P = pascal(mod.name);
  const c = camel(mod.name);
  const C = mod.name.toUpperCase();
  return {
    Kind: `${P}Kind`,
    Record: `${P}Record`,
    Entry: `${P}Entry`,
    Key: `${P}Key`,
    table: `${C}_TABLE`,
    Service: `${P}Service`,
    lookup: `lookup${P}`,
    score: `score${P}`,
    link: `link${P}`,
    c,
  };
}

/** Source text of a plain module. */
function moduleSource(mod, r) {
  const N = namesOf(mod);
  const lines = [];
  lines.push(`// ${mod.file}.ts: generated by bench/generate.mjs`);
  // imports, and the expressions that use them (inside a function body only)
  const uses = [];
  const typeImports = [];
  for (const edge of mod.imports) {
    if (edge.kind === 'package') {
      const ns = `${edge.target.name}Pkg`;
      lines.push(`import * as ${ns} from '${specifier(mod.dir, edge.target.dir)}';`);
      uses.push(`${ns}.MODULES.length`);
      continue;
    }
    const T = namesOf(edge.target);
    const spec = specifier(mod.dir, edge.target.file) + (edge.jsSuffix ? '.js' : '');
    let style = r.int(0, 3);
    if (style === 2 && !edge.target.hasClass) style = 1;
    if (style === 0) {
      const ns = `${T.c}Mod`;
      lines.push(`import * as ${ns} from '${spec}';`);
      uses.push(`(${ns}.${T.lookup}('k1')?.weight ?? 0)`);
      uses.push(`${ns}.${T.score}({ id: seed, label: 'x', kind: ${ns}.${T.Kind}.Alpha, tags: [] })`);
    } else if (style === 1) {
      lines.push(`import { ${T.lookup}, ${T.table} } from '${spec}';`);
      uses.push(`(${T.lookup}('k2')?.code ?? 0)`, `Object.keys(${T.table}).length`);
    } else if (style === 2) {
      lines.push(`import { ${T.Service} } from '${spec}';`);
      uses.push(`new ${T.Service}('${mod.name}').size()`);
    } else {
      lines.push(`import { ${T.Kind}, ${T.score} } from '${spec}';`);
      typeImports.push(`import type { ${T.Record} } from '${spec}';`);
      uses.push(
        `${T.score}({ id: seed, label: '${mod.name}', kind: ${T.Kind}.Beta, tags: ['t'] } satisfies ${T.Record})`,
      );
    }
  }
  lines.push(...typeImports, '');
  // types
  const kinds = LABELS.slice(0, r.int(3, 5));
  lines.push(`export enum ${N.Kind} {`);
  for (const k of kinds) lines.push(`  ${pascal(k)} = '${k}',`);
  lines.push('}', '');
  lines.push(`export interface ${N.Record} {`, '  readonly id: number;', '  label: string;');
  lines.push(`  kind: ${N.Kind};`, '  tags: readonly string[];');
  if (r.chance(0.5)) lines.push('  parent?: number;');
  lines.push('}', '');
  lines.push(`export interface ${N.Entry} { code: number; weight: number; label: string }`);
  lines.push(`export type ${N.Key} = keyof ${N.Record};`, '');
  // lookup table: its length fills the module up to a target line count (40-80)
  const target = r.int(40, 80);
  const tableAt = lines.length;
  const tail = [];
  tail.push(
    `const BY_CODE = new Map(Object.entries(${N.table}).map(([key, entry]) => [entry.code, key]));`,
    '',
  );
  tail.push(`export function ${N.lookup}(key: string): ${N.Entry} | undefined {`);
  tail.push(`  return ${N.table}[key];`, '}', '');
  tail.push(`export function ${N.score}(record: ${N.Record}): number {`);
  tail.push(`  const base = record.tags.length * ${r.int(2, 9)} + record.id;`);
  tail.push(
    `  return record.kind === ${N.Kind}.Alpha ? base : base + (BY_CODE.size % ${r.int(3, 11)});`,
    '}',
    '',
  );
  if (mod.hasClass) {
    const handlers = r.chance(0.5);
    tail.push(`export class ${N.Service} {`);
    tail.push(`  private readonly items = new Map<number, ${N.Record}>();`);
    if (handlers) tail.push(`  private readonly handlers: Array<(r: ${N.Record}) => number> = [${N.score}];`);
    tail.push('', '  constructor(private readonly prefix: string) {}', '');
    tail.push(
      `  add(record: ${N.Record}): this {`,
      '    this.items.set(record.id, record);',
      '    return this;',
      '  }',
      '',
    );
    tail.push('  size(): number {', '    return this.items.size + this.prefix.length;', '  }');
    if (handlers) {
      tail.push('', '  total(): number {', '    let sum = 0;');
      tail.push('    for (const item of this.items.values()) for (const h of this.handlers) sum += h(item);');
      tail.push('    return sum;', '  }');
    }
    tail.push('}', '');
  }
  tail.push(`export function ${N.link}(seed: number): number {`);
  if (uses.length) {
    tail.push('  let acc = seed;');
    for (const u of uses) tail.push(`  acc += ${u};`);
    tail.push('  return acc;');
  } else {
    tail.push(`  return seed + ${N.table}['k0']!.code;`);
  }
  tail.push('}');
  const rows = Math.max(3, target - lines.length - tail.length - 3);
  const table = [`export const ${N.table}: Readonly<Record<string, ${N.Entry}>> = {`];
  for (let i = 0; i < rows; i++) {
    table.push(
      `  k${i}: { code: ${r.int(100, 999)}, weight: ${r.int(1, 50)}, label: '${r.pick(LABELS)}-${i}' },`,
    );
  }
  table.push('};', '');
  lines.splice(tableAt, 0, ...table);
  return lines.concat(tail).join('\n') + '\n';
}

/** Source text of a package `__init__.ts` (and `index.ts`): imports everything in its folder. */
function packageSource(pkg) {
  const lines = [`// ${pkg.dir}/__init__.ts: generated by bench/generate.mjs`];
  const names = [];
  for (const m of pkg.modules) {
    lines.push(`import * as ${m.name} from './${m.name}${m.parentJs ? '.js' : ''}';`);
    names.push(m.name);
  }
  for (const c of pkg.children) {
    lines.push(`import * as ${c.name} from './${c.name}';`);
    names.push(c.name);
  }
  lines.push('', `export { ${names.join(', ')} };`);
  lines.push(`export const MODULES = [${names.map((x) => `'${x}'`).join(', ')}] as const;`);
  lines.push(`export type ${pascal(pkg.name)}Member = (typeof MODULES)[number];`, '');
  lines.push(`export function describe${pascal(pkg.name)}(): string {`);
  lines.push(
    `  return \`${pkg.dir}: \${MODULES.length} members, first \${Object.keys(${names[0]}).length} exports\`;`,
  );
  lines.push('}');
  return lines.join('\n') + '\n';
}

function entrySource(plan) {
  const top = plan.packages.filter((p) => !p.parent);
  const topMods = plan.modules.filter((m) => !m.dir);
  const lines = ['// entry.ts: generated by bench/generate.mjs; imports every package and top-level module'];
  for (const p of top) lines.push(`import * as ${p.name} from './${p.name}';`);
  for (const m of topMods) lines.push(`import * as ${m.name} from './${m.name}${m.parentJs ? '.js' : ''}';`);
  const all = [...top.map((p) => p.name), ...topMods.map((m) => m.name)];
  lines.push('', `export const packages = { ${all.join(', ')} };`, '');
  lines.push('export function countMembers(): number {');
  lines.push('  return Object.values(packages).reduce((sum, ns) => sum + Object.keys(ns).length, 0);');
  lines.push('}');
  return lines.join('\n') + '\n';
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
};

/** Every file of the TypeScript tree: relative path -> text. Pure. */
export function renderTree(plan) {
  const r = rng(plan.seed ^ 0x5eed);
  const files = new Map();
  files.set('package.json', JSON.stringify({ private: true, type: 'commonjs' }, null, 2) + '\n');
  files.set('tsconfig.json', JSON.stringify(TSCONFIG, null, 2) + '\n');
  files.set('entry.ts', entrySource(plan));
  for (const p of plan.packages) {
    const text = packageSource(p);
    files.set(`${p.dir}/__init__.ts`, text);
    files.set(`${p.dir}/index.ts`, text);
  }
  for (const m of plan.modules) files.set(`${m.file}.ts`, moduleSource(m, r));
  return files;
}

/** Compile one TypeScript module to CommonJS with @swc/core. */
export function toCommonJS(source, filename) {
  return transformSync(source, {
    filename,
    swcrc: false,
    configFile: false,
    sourceMaps: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  }).code;
}

/**
 * Write the tree: <out>/ts, <out>/cjs, <out>/floor.json and <out>/manifest.json. Returns the manifest.
 * The floor table lists the CommonJS files Node's `require` loads (entry first) and,
 * per file, each `require` specifier -> index of the file it loads.
 */
export function generateTree({ n, seed = 1, jsSuffix = 0.5, out }) {
  const plan = planTree({ n, seed, jsSuffix });
  const files = renderTree(plan);
  rmSync(out, { recursive: true, force: true });
  const tsDir = join(out, 'ts');
  const cjsDir = join(out, 'cjs');
  for (const [rel, text] of files) {
    const file = join(tsDir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    if (!rel.endsWith('.ts')) {
      if (rel === 'package.json') {
        mkdirSync(cjsDir, { recursive: true });
        writeFileSync(join(cjsDir, rel), text);
      }
      continue;
    }
    const jsRel = rel.replace(/\.ts$/, '.js');
    const jsFile = join(cjsDir, jsRel);
    mkdirSync(dirname(jsFile), { recursive: true });
    writeFileSync(jsFile, toCommonJS(text, rel));
  }
  // The floor's table: what Node loads (a package is its index.js) and what each require answers.
  const loaded = [
    'entry.js',
    ...plan.packages.map((p) => `${p.dir}/index.js`),
    ...plan.modules.map((m) => `${m.file}.js`),
  ];
  const indexOf = new Map(loaded.map((f, i) => [f, i]));
  const pkgFile = (p) => `${p.dir}/index.js`;
  const requires = loaded.map(() => ({}));
  const add = (from, spec, to) => (requires[indexOf.get(from)][spec] = indexOf.get(to));
  for (const p of plan.packages.filter((x) => !x.parent)) add('entry.js', `./${p.name}`, pkgFile(p));
  for (const m of plan.modules.filter((x) => !x.dir))
    add('entry.js', `./${m.name}${m.parentJs ? '.js' : ''}`, `${m.file}.js`);
  for (const p of plan.packages) {
    for (const m of p.modules) add(pkgFile(p), `./${m.name}${m.parentJs ? '.js' : ''}`, `${m.file}.js`);
    for (const c of p.children) add(pkgFile(p), `./${c.name}`, pkgFile(c));
  }
  for (const m of plan.modules) {
    for (const e of m.imports) {
      if (e.kind === 'package') add(`${m.file}.js`, specifier(m.dir, e.target.dir), pkgFile(e.target));
      else
        add(
          `${m.file}.js`,
          specifier(m.dir, e.target.file) + (e.jsSuffix ? '.js' : ''),
          `${e.target.file}.js`,
        );
    }
  }
  const edges = plan.modules.reduce((s, m) => s + m.imports.length, 0);
  const manifest = {
    generator: GENERATOR_VERSION,
    n,
    seed,
    jsSuffix,
    modules: loaded.length,
    packages: plan.packages.length,
    plainModules: plan.modules.length,
    imports: edges,
    cycles: plan.cycles,
  };
  writeFileSync(join(out, 'floor.json'), JSON.stringify({ files: loaded, requires }));
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** The default folder of a tree: bench-results/trees/n<N>-s<seed>[-js<fraction>]. */
export function treeDir(n, seed = 1, jsSuffix = 0.5) {
  const js = jsSuffix === 0.5 ? '' : `-js${jsSuffix}`;
  return join(repoRoot, 'bench-results', 'trees', `n${n}-s${seed}${js}`);
}

/** Generate unless a tree of the same generator version, n, seed and suffix mix is already there. */
export function ensureTree({ n, seed = 1, jsSuffix = 0.5, out = treeDir(n, seed, jsSuffix), force = false }) {
  const manifestFile = join(out, 'manifest.json');
  if (!force && existsSync(manifestFile)) {
    try {
      const m = JSON.parse(readFileSync(manifestFile, 'utf8'));
      if (m.generator === GENERATOR_VERSION && m.n === n && m.seed === seed && m.jsSuffix === jsSuffix)
        return m;
    } catch {
      // regenerate
    }
  }
  return generateTree({ n, seed, jsSuffix, out });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const n = Number(opt('n', '500'));
  const seed = Number(opt('seed', '1'));
  const jsSuffix = Number(opt('js-suffix', '0.5'));
  const out = resolve(opt('out', treeDir(n, seed, jsSuffix)));
  const t0 = performance.now();
  const m = generateTree({ n, seed, jsSuffix, out });
  console.log(
    `${out}: ${m.modules} modules (${m.packages} packages, ${m.plainModules} plain), ${m.imports} imports, ` +
      `${m.cycles} cycles, in ${Math.round(performance.now() - t0)} ms`,
  );
}
