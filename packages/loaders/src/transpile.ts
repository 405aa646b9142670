/**
 * Transpiling TypeScript and ESM syntax to a CommonJS-style function body, synchronously and in
 * process, with @swc/core (the fastest correct option measured on Node 20: it keeps `namespace`
 * blocks and decorators, which sucrase drops, and runs in process, which esbuild's `transformSync`
 * does not).
 *
 * swc is loaded lazily, on the first cold compile: a warm start served entirely from the compiled
 * cache never pays its startup (a 30 MB native binding).
 */
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import vm from 'node:vm';

import { ErrorCodes, ImportError } from '@importlib/core';
import type * as SwcModule from '@swc/core';

import { isEsmFile } from './node-resolve.js';

type Swc = typeof SwcModule;

const requireHere = createRequire(import.meta.url);
let swc: Swc | undefined;

function loadSwc(): Swc {
  swc ??= requireHere('@swc/core') as Swc;
  return swc;
}

/**
 * The revision of what this file does to swc's output (the `import()` rewrite, configurable export
 * getters, output options). It is part of the compiled cache's magic number: bump it whenever the
 * transpiled code changes for the same source, or old compiled files would still be taken as fresh
 * and run the old code (Python bumps its MAGIC for the same reason).
 */
export const TRANSFORM_REVISION = 6;

/**
 * A short key of the options that change the transpiled code, `''` for the defaults. Compiled files
 * made under other options get another magic number, so they are rebuilt rather than run.
 */
export function transpileOptionsKey(options: TranspileOptions = {}): string {
  const parts: string[] = [];
  if (options.decorators !== undefined && options.decorators !== '2022-03')
    parts.push(`decorators=${options.decorators}`);
  if (options.jsx !== undefined && options.jsx !== 'automatic') parts.push(`jsx=${options.jsx}`);
  return parts.join(',');
}

/** The name the rewritten `import()` calls in a transpiled body (a parameter of the module wrapper). */
export const DYNAMIC_IMPORT = '__importlib_dynamic_import__';

/**
 * The name of the runtime helpers a transpiled body calls (a parameter of the module wrapper): marking
 * an ES module, Node's default-import interop, dropping type-only re-exports. See `interop.ts`.
 */
export const RUNTIME_HELPERS = '__importlib_runtime__';

/**
 * The parameters of the module wrapper, in order: Node's five, the rewritten `import()`, Python's
 * module globals (`__loader__`, `__name__`, `__spec__`), and the runtime helpers. The source loader's
 * wrapper and a frozen bundle's functions take the same ones (new ones go at the end, so the bodies of
 * older bundles still run).
 */
export const MODULE_PARAMS = `exports, require, module, __filename, __dirname, ${DYNAMIC_IMPORT}, __loader__, __name__, __spec__, ${RUNTIME_HELPERS}`;

/** Options of {@link transpile}. */
export interface TranspileOptions {
  /**
   * The decorator flavour: TC39 decorators (`'2022-03'`, TypeScript 5's default) or TypeScript's
   * legacy `experimentalDecorators` (what Angular and NestJS use), with decorator metadata.
   * @default '2022-03'
   */
  decorators?: '2022-03' | 'legacy';
  /**
   * The JSX runtime for `.tsx`/`.jsx`: `'automatic'` imports `react/jsx-runtime`, `'classic'` calls
   * `React.createElement`.
   * @default 'automatic'
   */
  jsx?: 'automatic' | 'classic';
}

/** What {@link transpile} produces. */
export interface TranspileResult {
  /** The CommonJS-style function body. */
  code: string;
  /** The source map (JSON) from `code` back to the source, or `null` when the code is the source itself. */
  map: string | null;
  /**
   * The file is an ES module (see {@link moduleFormat}): its body runs in strict mode, with `this`
   * undefined at top level, and may declare its own `__dirname`, `require`, `module`, … .
   */
  isModule: boolean;
  /** The body awaits at top level: it compiles to an async function, imported only asynchronously. */
  isAsync: boolean;
}

/**
 * How a file runs, by Node's rules: `'module'` (an ES module), `'commonjs'`, or `'detect'` (a `.js`,
 * `.jsx`, `.ts` or `.tsx` file outside a `"type": "module"` package: an ES module when it has
 * `import`/`export`, `import.meta` or top-level `await`, as Node's syntax detection and TypeScript
 * decide).
 */
export type ModuleFormat = 'module' | 'commonjs' | 'detect';

/** Raised for a module whose source cannot be parsed; names the module, the file, the line and the column. */
export class ImportSyntaxError extends ImportError {
  /** 1-based line of the error in the source file, when known. */
  readonly line: number | null;
  /** 1-based column of the error in the source file, when known. */
  readonly column: number | null;

  constructor(
    message: string,
    options: {
      moduleName?: string | null;
      path: string;
      line?: number | null;
      column?: number | null;
      cause?: unknown;
    },
  ) {
    super(message, options, ErrorCodes.SYNTAX);
    this.line = options.line ?? null;
    this.column = options.column ?? null;
  }

  override get name(): string {
    return 'ImportSyntaxError';
  }
}

const TS_SUFFIXES = new Set(['.ts', '.mts', '.cts', '.tsx']);
const JSX_SUFFIXES = new Set(['.tsx', '.jsx']);

// swc compiles `import(x)` to `Promise.resolve().then(()=>/*#__PURE__*/ _interop_require_wildcard(require(x)))`
// (and the same with `(p)=>` for non-literal specifiers): a synchronous require in a promise. Node 20
// cannot hand `import()` in `vm` code to a callback without --experimental-vm-modules, so the call is
// rewritten to the module wrapper's async import, keeping parentheses balanced (two opened, two
// removed). A test pins this against the installed swc version.
const SWC_DYNAMIC_IMPORT = /=>\s*\/\*#__PURE__\*\/\s*_interop_require_wildcard\(require\(/g;

// swc defines export getters as non-configurable (its `_export` and `_export_star` helpers, and
// `Object.defineProperty(exports, "x", …)` for a single export). Re-running a module in the same
// object, as Python's reload does, would then throw "Cannot redefine property". Making them
// configurable here costs nothing at run time (a test pins this against the installed swc version).
// The fix stays on the same line: a new line would shift every line below against swc's source map.
const SWC_EXPORT_GETTER =
  /(Object\.defineProperty\((?:target, name|to, k|exports, "[^"\n]*"), \{\n\s*enumerable: true,)(\n\s*get: )/g;

// swc's `_export` helper walks the getters with `for…in`, which also visits enumerable properties of
// `Object.prototype` (set by any code in the process) and then throws on their missing descriptor.
// Only own names are exported; the guard stays on the same line (no shift against the source map).
const SWC_EXPORT_LOOP = 'for(var name in all)Object.defineProperty(';
const OWN_EXPORT_LOOP =
  'for(var name in all)if (Object.prototype.hasOwnProperty.call(all, name)) Object.defineProperty(';

// The default-import interop helpers swc inlines. In a file that follows Node's interop, the test
// "is this an ES module" is the runtime's (`__esModule`, which Babel's CommonJS output sets too,
// is not what Node looks at). Same lines, so the source map still holds.
const SWC_INTEROP_TESTS: readonly (readonly [string, string])[] = [
  [
    'function _interop_require_default(obj) {\n    return obj && obj.__esModule ? obj :',
    `function _interop_require_default(obj) {\n    return ${RUNTIME_HELPERS}.isModule(obj) ? obj :`,
  ],
  [
    'function _interop_require_wildcard(obj, nodeInterop) {\n    if (!nodeInterop && obj && obj.__esModule) return obj;',
    `function _interop_require_wildcard(obj, nodeInterop) {\n    if (!nodeInterop && ${RUNTIME_HELPERS}.isModule(obj)) return ${RUNTIME_HELPERS}.namespace(obj);`,
  ],
  // Node's namespace of a CommonJS module lists `__esModule` when the module defines it (its export
  // detection sees `Object.defineProperty(exports, "__esModule", …)`), enumerable or not.
  [
    '    newObj.default = obj;\n',
    '    newObj.default = obj; if (Object.prototype.hasOwnProperty.call(obj, "__esModule")) newObj.__esModule = obj.__esModule;\n',
  ],
];

// An export getter whose value comes from an imported module (`return _b.B;`): a re-export. In
// TypeScript it may name a type only (`export { Props } from './types'`), which swc cannot tell
// without type information; the runtime drops such keys after the body ran (see `pruneTypeExports`).
const REEXPORT_GETTER =
  /(?:get ([A-Za-z_$][\w$]*|"[^"\n]*") \(\) \{|Object\.defineProperty\(exports, ("[^"\n]*"), \{\n\s*enumerable: true, configurable: true,\n\s*get: function\(\) \{)\n\s*return (_[\w$]+)\.([A-Za-z_$][\w$]*);\n/g;
const IMPORT_BINDING = /^const (_[\w$]+) = (?:\/\*#__PURE__\*\/ _interop_require_\w+\()?require\(/gm;

/** A `"use strict"` directive at the start of a source (after a hashbang and comments). */
const LEADING_USE_STRICT = /^(?:#![^\n]*\n)?(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use strict["']/;
/** An import or export statement, `import.meta` or `await` at the start of a line (syntax detection). */
const ESM_SYNTAX =
  /^\s*(?:import\s*[*{"']|import\s+[\w$]|export\s*[*{]|export\s+[\w$]|await\b)|\bimport\.meta\b/m;

/**
 * The format `filename` runs in, by Node's rules (and TypeScript's for its own suffixes): `.mjs` and
 * `.mts` are ES modules, `.cjs` and `.cts` CommonJS; `.js`, `.jsx`, `.ts` and `.tsx` are ES modules
 * in a package whose nearest `package.json` says `"type": "module"`, and are detected from their
 * syntax otherwise.
 */
export function moduleFormat(filename: string): ModuleFormat {
  const suffix = extname(filename).toLowerCase();
  if (suffix === '.mjs' || suffix === '.mts') return 'module';
  if (suffix === '.cjs' || suffix === '.cts') return 'commonjs';
  // The nearest package.json, read once per folder and process (shared with Node's resolution).
  return isEsmFile(filename) ? 'module' : 'detect';
}

/**
 * Tell whether `code` (a module body that mentions `await`) awaits at top level. The body is compiled,
 * not run, inside a class static block: there `await` is reserved both as an expression and as a name,
 * while nested async functions keep theirs, so the block compiles exactly when the body does not
 * await at top level. V8 only pre-parses nested functions, so this costs a fraction of the real compile;
 * it runs on a cold compile only (the answer is stored with the compiled code).
 */
export function awaitsAtTopLevel(code: string): boolean {
  if (!code.includes('await')) return false;
  try {
    new vm.Script(`(class {static {${code}\n}})`);
    return false;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  try {
    new vm.Script(`(async function () {${code}\n})`);
    return true;
  } catch {
    return false; // broken either way: the real compile reports it
  }
}

/**
 * Transpile `source` (from `filename`, whose suffix picks the syntax) to a CommonJS-style body.
 * `.cjs` files are CommonJS already and come back as they are (but for a hashbang line).
 *
 * With `sourceMaps: false` no map is made (`map` is `null`), which saves about a sixth of swc's time;
 * the code is the same either way, so the map can be made later from the same source (the source
 * loader does that when a stack trace first needs it).
 */
export function transpile(
  source: string,
  filename: string,
  options: TranspileOptions = {},
  moduleName?: string,
  {
    sourceMaps = true,
    format = moduleFormat(filename),
  }: { sourceMaps?: boolean; format?: ModuleFormat } = {},
): TranspileResult {
  const suffix = extname(filename).toLowerCase();
  if (suffix === '.cjs') return { code: withoutHashbang(source), map: null, isModule: false, isAsync: false };
  const typescript = TS_SUFFIXES.has(suffix);
  const output = swcTransform(source, filename, options, moduleName, sourceMaps, format, typescript);
  let code = output.code;
  let isModule = false;
  if (format === 'module') isModule = true;
  else if (format === 'detect') isModule = detectedAsModule(source, code);
  if (code.includes('_interop_require_wildcard(require('))
    code = code.replace(SWC_DYNAMIC_IMPORT, `=>${DYNAMIC_IMPORT}((`);
  if (code.includes('enumerable: true,')) code = code.replace(SWC_EXPORT_GETTER, '$1 configurable: true,$2');
  if (code.includes(SWC_EXPORT_LOOP)) code = code.replace(SWC_EXPORT_LOOP, OWN_EXPORT_LOOP);
  // Default-import interop: TypeScript's esModuleInterop for TypeScript (and JSX) files, which is what
  // swc's helpers do; Node's for JavaScript files.
  if (!typescript && suffix !== '.jsx' && code.includes('.__esModule'))
    for (const [from, to] of SWC_INTEROP_TESTS) code = code.replace(from, to);
  const pruned = typescript && isModule ? typeOnlyReexports(code) : '';
  code = withoutHashbang(code);
  // An ES module's body goes in a block of its own, in strict mode: its own `const __dirname`,
  // `require` or `module` then shadows the wrapper's parameter instead of clashing with it (Node gives
  // an ES module none of them). The opener shares line 1 with swc's own "use strict" (or the hashbang
  // comment), so no line moves against the source map.
  if (isModule) code = `${ESM_OPENER}${code}${pruned}\n}`;
  const isAsync = isModule && awaitsAtTopLevel(code);
  return { code, map: output.map ?? null, isModule, isAsync };
}

/**
 * The first characters of an ES module's body: strict mode, the block that holds the body, and the
 * mark that tells Node's interop (in the files that import it) that it is an ES module.
 */
export const ESM_OPENER = `"use strict";{${RUNTIME_HELPERS}.markModule(exports);`;

function swcTransform(
  source: string,
  filename: string,
  options: TranspileOptions,
  moduleName: string | undefined,
  sourceMaps: boolean,
  format: ModuleFormat,
  typescript: boolean,
): { code: string; map?: string } {
  const suffix = extname(filename).toLowerCase();
  const jsx = JSX_SUFFIXES.has(suffix);
  const legacy = options.decorators === 'legacy';
  try {
    return loadSwc().transformSync(source, {
      filename,
      swcrc: false,
      configFile: false,
      sourceMaps,
      // Stack traces need only the mappings; the source text in the map doubled every compiled file.
      inlineSourcesContent: false,
      // An ES module by its file's format; otherwise swc decides from the syntax, and a file without
      // import/export (or import.meta, or top-level await) stays a (sloppy-mode) script, as Node runs CommonJS.
      isModule: format === 'module' ? true : 'unknown',
      module: { type: 'commonjs', importInterop: 'swc', ignoreDynamic: false, strictMode: true },
      jsc: {
        target: 'es2022',
        parser: typescript
          ? { syntax: 'typescript', tsx: jsx, decorators: true }
          : { syntax: 'ecmascript', jsx, decorators: true, importAttributes: true },
        transform: {
          ...(legacy
            ? { legacyDecorator: true, decoratorMetadata: true }
            : { decoratorVersion: '2022-03' as const }),
          ...(jsx ? { react: { runtime: options.jsx ?? 'automatic' } } : {}),
        },
        keepClassNames: true,
        // ASCII output keeps compiled files on the cache's fast path (non-ASCII text is stored as UTF-16).
        output: { charset: 'ascii' },
      },
    });
  } catch (error) {
    throw syntaxError(error, filename, moduleName);
  }
}

/**
 * Whether swc took a file of the `'detect'` format as a module: it then starts its output (after the
 * source's leading comments) with a "use strict" of its own. A source that starts with that directive itself (Babel's and tsc's CommonJS
 * output) is a module only if it has module syntax.
 */
function detectedAsModule(source: string, code: string): boolean {
  if (!LEADING_USE_STRICT.test(code)) return false;
  return !LEADING_USE_STRICT.test(source) || ESM_SYNTAX.test(source);
}

/**
 * A hashbang line (`#!/usr/bin/env node`) is allowed only at the very start of a script, and the body
 * runs inside the module wrapper: it becomes a `//` comment of the same length, as Node strips it.
 */
function withoutHashbang(code: string): string {
  return code.startsWith('#!') ? `//${code.slice(2)}` : code;
}

/**
 * The call that drops, after the body ran, the re-exported names their module does not have: in a
 * TypeScript file they were types, which `tsc` would have dropped. `''` when the body re-exports nothing.
 */
function typeOnlyReexports(code: string): string {
  if (!code.includes('return _')) return '';
  const bindings = new Set<string>();
  for (const match of code.matchAll(IMPORT_BINDING)) bindings.add(match[1] as string);
  const entries: string[] = [];
  for (const match of code.matchAll(REEXPORT_GETTER)) {
    const [, getterName, definedName, binding, key] = match;
    if (!bindings.has(binding as string)) continue;
    const name = definedName ?? (getterName?.startsWith('"') ? getterName : JSON.stringify(getterName));
    entries.push(`${name}, ${binding}, ${JSON.stringify(key)}`);
  }
  return entries.length ? `\n${RUNTIME_HELPERS}.pruneTypeExports(exports, [${entries.join(', ')}]);` : '';
}

/** Turn swc's diagnostic into an {@link ImportSyntaxError} with the file, line and column. */
function syntaxError(error: unknown, filename: string, moduleName: string | undefined): ImportSyntaxError {
  const text = error instanceof Error ? error.message : String(error);
  // swc prints `,-[/path/file.ts:3:7]` above the offending line.
  const where = /,-\[(.*):(\d+):(\d+)\]/.exec(text);
  const line = where ? Number(where[2]) : null;
  const column = where ? Number(where[3]) : null;
  const reason = /x (.+)/.exec(text)?.[1]?.trim() ?? text.split('\n')[0] ?? 'syntax error';
  const location = line === null ? filename : `${filename}:${line}:${column}`;
  return new ImportSyntaxError(
    `cannot import ${moduleName ? `'${moduleName}'` : 'module'}: syntax error at ${location}: ${reason}`,
    { moduleName: moduleName ?? null, path: filename, line, column, cause: error },
  );
}
