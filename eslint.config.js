// Lint config. Besides style, it holds the layering law of the monorepo:
//   cli -> hooks -> finders -> loaders -> core,   compat -> hooks (and below)
// A package may import only the packages below it, never above or sideways, and the core may not
// touch the file system, `vm`, child processes or any zip code: those are installed on top of it,
// as CPython installs its path-based importers onto `_bootstrap`.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const layers = ['core', 'loaders', 'finders', 'hooks', 'compat', 'cli'];
/** What each package may import from the workspace. */
const allowed = {
  core: [],
  loaders: ['core'],
  finders: ['core', 'loaders'],
  hooks: ['core', 'loaders', 'finders'],
  compat: ['core', 'loaders', 'finders', 'hooks'],
  cli: ['core', 'loaders', 'finders', 'hooks', 'compat'],
};

const nodeIo = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'vm',
  'node:vm',
  'child_process',
  'node:child_process',
  'worker_threads',
  'node:worker_threads',
  'module',
  'node:module',
];
const zipLibraries = ['@yarnpkg/*', 'fflate', 'adm-zip', 'yauzl', 'yazl', 'jszip', 'unzipit', '*zip*'];

function layerRule(name) {
  const forbiddenPackages = layers.filter((l) => l !== name && !allowed[name].includes(l));
  const patterns = [
    {
      group: forbiddenPackages.map((l) => `@importlib/${l}`),
      message: `Layering: @importlib/${name} may import only ${allowed[name].length ? allowed[name].map((l) => '@importlib/' + l).join(', ') : 'no other @importlib package'} (cli -> hooks -> finders -> loaders -> core; compat -> hooks).`,
    },
    {
      group: ['**/packages/*/src/**', '@importlib/*/src/**', '@importlib/*/dist/**'],
      message: 'Import another package through its public entry point (@importlib/<name>), never its files.',
    },
  ];
  if (name === 'core') {
    patterns.push(
      {
        group: nodeIo,
        message:
          'The core never touches the file system, vm or processes: that belongs to @importlib/loaders and @importlib/finders.',
      },
      { group: zipLibraries, message: 'The core has no zip code: zip reading lives in @importlib/loaders.' },
    );
  }
  return {
    files: [`packages/${name}/src/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: patterns.filter((p) => p.group.length) }] },
  };
}

/**
 * No import cycle inside any package: a module's imports must form a tree a reader can follow from
 * the bottom up. Type-only imports (`import type`) are not edges (they vanish at run time). Other
 * packages are reached through node_modules and are not followed (the layering rule orders them).
 */
export const noCycle = {
  files: ['packages/*/src/**/*.ts'],
  plugins: { 'import-x': importX },
  settings: {
    // Without these the plugin skips .ts files when it follows imports (its defaults are .js ones).
    'import-x/extensions': ['.ts', '.js'],
    'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    'import-x/resolver-next': [
      createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } }),
    ],
  },
  rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'docs/api/**',
      '**/.turbo/**',
      '**/test/fixtures/**',
      '**/test/.work/**',
      'bench-results/**',
      'compat-npm/fixtures/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['scripts/**', 'examples/**', 'tools/**', 'bench/**', '**/test/**', 'compat-npm/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // the npm compatibility suite runs real packages' calls (servers, buffers) under Node
    files: ['compat-npm/**'],
    languageOptions: { globals: { Buffer: 'readonly', fetch: 'readonly' } },
  },
  ...layers.map(layerRule),
  noCycle,
);
