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

import { ErrorCodes, ImportError } from '@importlib/core';
import type * as SwcModule from '@swc/core';

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
export const TRANSFORM_REVISION = 1;

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
}

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

/**
 * Transpile `source` (from `filename`, whose suffix picks the syntax) to a CommonJS-style body.
 * `.cjs` files are CommonJS already and come back as they are.
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
  { sourceMaps = true }: { sourceMaps?: boolean } = {},
): TranspileResult {
  const suffix = extname(filename).toLowerCase();
  if (suffix === '.cjs') return { code: source, map: null };
  const typescript = TS_SUFFIXES.has(suffix);
  const jsx = JSX_SUFFIXES.has(suffix);
  const legacy = options.decorators === 'legacy';
  let output: { code: string; map?: string };
  try {
    output = loadSwc().transformSync(source, {
      filename,
      swcrc: false,
      configFile: false,
      sourceMaps,
      // Stack traces need only the mappings; the source text in the map doubled every compiled file.
      inlineSourcesContent: false,
      // A file without import/export stays a (sloppy-mode) script, as Node runs CommonJS.
      isModule: 'unknown',
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
  let code = output.code;
  if (code.includes('_interop_require_wildcard(require('))
    code = code.replace(SWC_DYNAMIC_IMPORT, `=>${DYNAMIC_IMPORT}((`);
  if (code.includes('enumerable: true,')) code = code.replace(SWC_EXPORT_GETTER, '$1 configurable: true,$2');
  return { code, map: output.map ?? null };
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
