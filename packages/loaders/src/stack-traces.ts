/**
 * Stack traces that point at the original source. Node 20 maps stack frames only for code its own
 * loaders compiled; code run through `vm` keeps the generated line numbers. So the first module this
 * package runs installs an `Error.prepareStackTrace` hook (chained to any hook already there) that
 * maps the frames of registered files through their source maps (`node:module`'s `SourceMap`).
 *
 * Maps are loaded lazily, only when a stack that mentions the file is actually formatted: a warm
 * start that throws nothing never reads or parses one.
 */
import { SourceMap } from 'node:module';

/** Gives a file's source map JSON when asked, or `null` when there is none any more. */
export type SourceMapLoader = () => string | null;

interface Registration {
  load: SourceMapLoader;
  /** Columns the module wrapper adds before the code on the first line. */
  firstLineOffset: number;
  /** Frames name the original file the map gives (one script holding many files: a frozen bundle). */
  originalFiles: boolean;
  parsed?: SourceMap | null;
}

/** Options of {@link registerSourceMap}. */
export interface RegisterSourceMapOptions {
  /**
   * Report the original file each mapped position comes from (the map's `sources`) instead of
   * `filename`: for one script that holds many files, such as a frozen bundle's program.
   * @default false
   */
  originalFiles?: boolean;
}

const registry = new Map<string, Registration>();
let installed = false;

/**
 * Map stack frames of `filename` through the source map `load` gives. `firstLineOffset` is the
 * number of characters the wrapper puts before the code on line 1.
 */
export function registerSourceMap(
  filename: string,
  load: SourceMapLoader,
  firstLineOffset = 0,
  options: RegisterSourceMapOptions = {},
): void {
  if (!installed) install();
  registry.set(filename, { load, firstLineOffset, originalFiles: options.originalFiles ?? false });
}

/** Stop mapping frames of `filename`. */
export function unregisterSourceMap(filename: string): void {
  registry.delete(filename);
}

function install(): void {
  installed = true;
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = function importlibPrepareStackTrace(
    error: Error,
    sites: NodeJS.CallSite[],
  ): unknown {
    const mapped = registry.size ? sites.map(mapCallSite) : sites;
    if (previous) return previous(error, mapped);
    return formatStack(error, mapped);
  };
}

function parsedMap(registration: Registration): SourceMap | null {
  if (registration.parsed === undefined) {
    try {
      const json = registration.load();
      registration.parsed = json ? new SourceMap(JSON.parse(json) as never) : null;
    } catch {
      registration.parsed = null; // a missing or broken map only means unmapped frames
    }
  }
  return registration.parsed;
}

interface Position {
  line: number;
  column: number;
  /** The original file, when the registration reports original files. */
  file?: string;
}

function mapPosition(registration: Registration, line: number, column: number): Position | null {
  const map = parsedMap(registration);
  if (!map) return null;
  const generatedColumn = line === 1 ? column - registration.firstLineOffset : column;
  const entry = map.findEntry(line - 1, Math.max(0, generatedColumn - 1)) as {
    originalLine?: number;
    originalColumn?: number;
    originalSource?: string;
  };
  if (entry.originalLine === undefined || entry.originalColumn === undefined) return null;
  const position: Position = { line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  if (registration.originalFiles && entry.originalSource) position.file = entry.originalSource;
  return position;
}

function mapCallSite(site: NodeJS.CallSite): NodeJS.CallSite {
  const file = site.getFileName();
  const registration = file ? registry.get(file) : undefined;
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!registration || line === null || column === null) return site;
  const original = mapPosition(registration, line, column);
  if (!original) return site;
  return mappedCallSite(
    site,
    `${file}:${line}:${column}`,
    `${original.file ?? file}:${original.line}:${original.column}`,
    original,
  );
}

/** A call site that reports the original position and delegates everything else to the real one. */
function mappedCallSite(
  site: NodeJS.CallSite,
  generated: string,
  original: string,
  position: Position,
): NodeJS.CallSite {
  // The real prototype, so hooks that copy a call site's methods from its prototype (source-map-support,
  // test runners) find them; each method is an own property here (defined: the prototype's are
  // read-only), bound to the real site unless overridden.
  const prototype = Object.getPrototypeOf(site) as object;
  const proxy = Object.create(prototype) as Record<string, unknown>;
  const define = (key: string, value: unknown): void => {
    Object.defineProperty(proxy, key, { value, writable: true, configurable: true, enumerable: false });
  };
  for (const key of Object.getOwnPropertyNames(prototype)) {
    const value = (site as unknown as Record<string, unknown>)[key];
    if (typeof value === 'function' && key !== 'constructor') {
      define(key, (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(site, args));
    }
  }
  if (position.file !== undefined) define('getFileName', () => position.file);
  define('getLineNumber', () => position.line);
  define('getColumnNumber', () => position.column);
  define('toString', () => {
    const text = site.toString();
    const at = text.lastIndexOf(generated);
    return at === -1 ? text : text.slice(0, at) + original + text.slice(at + generated.length);
  });
  return proxy as unknown as NodeJS.CallSite;
}

/** V8's own stack format: the error's header, then one `    at …` line per frame. */
function formatStack(error: Error, sites: NodeJS.CallSite[]): string {
  let header: string;
  try {
    header = Error.prototype.toString.call(error);
  } catch {
    header = '<error>';
  }
  return sites.length ? `${header}\n${sites.map((site) => `    at ${String(site)}`).join('\n')}` : header;
}
