/**
 * Stack traces that point at the original source. Node 20 maps stack frames only for code its own
 * loaders compiled; code run through `vm` keeps the generated line numbers. So the first module this
 * package runs installs an `Error.prepareStackTrace` hook (chained to any hook already there) that
 * maps the frames of registered files through their source maps (`node:module`'s `SourceMap`).
 *
 * Maps are loaded lazily, only when a stack that mentions the file is actually formatted: a warm
 * start that throws nothing never reads or parses one.
 *
 * Must not import anything but `@importlib/core` and node built-ins.
 */
import { SourceMap } from 'node:module';

/** Gives a file's source map JSON when asked, or `null` when there is none any more. */
export type SourceMapLoader = () => string | null;

interface Registration {
  load: SourceMapLoader;
  /** Columns the module wrapper adds before the code on the first line. */
  firstLineOffset: number;
  parsed?: SourceMap | null;
}

const registry = new Map<string, Registration>();
let installed = false;

/**
 * Map stack frames of `filename` through the source map `load` gives. `firstLineOffset` is the
 * number of characters the wrapper puts before the code on line 1.
 */
export function registerSourceMap(filename: string, load: SourceMapLoader, firstLineOffset = 0): void {
  if (!installed) install();
  registry.set(filename, { load, firstLineOffset });
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
}

function mapPosition(registration: Registration, line: number, column: number): Position | null {
  const map = parsedMap(registration);
  if (!map) return null;
  const generatedColumn = line === 1 ? column - registration.firstLineOffset : column;
  const entry = map.findEntry(line - 1, Math.max(0, generatedColumn - 1)) as {
    originalLine?: number;
    originalColumn?: number;
  };
  if (entry.originalLine === undefined || entry.originalColumn === undefined) return null;
  return { line: entry.originalLine + 1, column: entry.originalColumn + 1 };
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
    `${file}:${original.line}:${original.column}`,
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
  const proxy: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(site))) {
    const value = (site as unknown as Record<string, unknown>)[key];
    if (typeof value === 'function' && key !== 'constructor') {
      proxy[key] = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(site, args);
    }
  }
  proxy.getLineNumber = () => position.line;
  proxy.getColumnNumber = () => position.column;
  proxy.toString = () => {
    const text = site.toString();
    const at = text.lastIndexOf(generated);
    return at === -1 ? text : text.slice(0, at) + original + text.slice(at + generated.length);
  };
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
