/**
 * `importlib find <name>`: which finder and loader would serve a module, its spec, its compiled file,
 * and why the places asked before did not (Python's `importlib.util.find_spec`, with the reasons
 * `-vv` would print).
 */
import { readFileSync, statSync } from 'node:fs';

import {
  checkModuleName,
  describeObject,
  getAttr,
  ModuleNotFoundError,
  splitName,
  type ImportSystem,
  type ModuleSpec,
} from '@importlib/core';
import { loaderContextOf } from '@importlib/hooks';
import { CompiledCacheError, decodeCompiled, isFresh } from '@importlib/loaders';

/** One place asked for the name. */
export interface FindStep {
  /** The meta-path finder, or the path entry. */
  where: string;
  /** The path-entry finder of a path entry; `null` when no path hook claimed the entry. */
  finder?: string | null;
  found: boolean;
  /** What was tried, or why it did not serve the name. */
  reasons: string[];
}

/** The state of a module's compiled file. */
export type CachedState = 'fresh' | 'stale' | 'missing' | 'unreadable';

/** What `find` found. */
export interface FindReport {
  name: string;
  /** The spec found; `null` when nothing finds the name. */
  spec: ModuleSpec | null;
  /** Every place asked, in order, the last one being the one that found it (if any). */
  steps: FindStep[];
  /** The compiled file and its state, for a module that has one. */
  cached: { path: string; state: CachedState } | null;
}

/**
 * Ask `system`'s meta path for `name` as an import would (the parent package is imported), one
 * finder and one path entry at a time, recording what each said.
 *
 * @throws ModuleNotFoundError when the parent is not a package; whatever importing the parent throws.
 */
export function explainFind(system: ImportSystem, name: string): FindReport {
  checkModuleName(name);
  const [parent] = splitName(name);
  let searchPath: readonly string[] | null = null;
  if (parent) {
    const parentModule = system.importModule(parent);
    const parentPath = getAttr(parentModule, '__path__');
    if (parentPath === undefined || parentPath === null) {
      throw new ModuleNotFoundError(`No module named '${name}'; '${parent}' is not a package`, {
        moduleName: name,
      });
    }
    searchPath = [...(parentPath as Iterable<string>)];
  }
  const steps: FindStep[] = [];
  const heard: string[] = [];
  const remove = system.addTracer((event) => {
    if (event.type === 'verbose') heard.push(event.message);
  });
  const listen = <T>(run: () => T): [T, string[]] => {
    heard.length = 0;
    const result = run();
    return [result, [...heard]];
  };
  try {
    for (const finder of [...system.metaPath]) {
      if (finder === system.pathFinder) {
        let portions = false;
        for (const entry of searchPath ?? system.path) {
          const [entryFinder, hookMessages] = listen(() => system.pathFinder.finderFor(entry));
          if (entryFinder === null) {
            steps.push({
              where: entry,
              finder: null,
              found: false,
              reasons: hookMessages.length
                ? hookMessages
                : ['no path hook claimed it (not a folder, zip archive or frozen bundle)'],
            });
            continue;
          }
          const [spec, tried] = listen(() => entryFinder.findSpec?.(name, null) ?? null);
          const step: FindStep = {
            where: entry,
            finder: describeObject(entryFinder),
            found: false,
            reasons: tried,
          };
          steps.push(step);
          if (spec && spec.loader !== null) {
            step.found = true;
            return { name, spec, steps, cached: cachedState(system, spec) };
          }
          if (spec) {
            portions = true;
            step.reasons.push(
              `a namespace portion: ${[...(spec.submoduleSearchLocations ?? [])].join(', ')}`,
            );
          } else if (!step.reasons.length) {
            step.reasons.push('no module file or package folder of that name');
          }
        }
        if (portions) {
          const spec = system.pathFinder.findSpec(name, searchPath);
          if (spec) {
            steps.push({ where: describeObject(finder), found: true, reasons: ['namespace package'] });
            return { name, spec, steps, cached: null };
          }
        }
        continue;
      }
      const [spec] = listen(() => finder.findSpec?.(name, searchPath, null) ?? null);
      steps.push({
        where: describeObject(finder),
        found: spec !== null,
        reasons: spec ? [] : ['does not serve it'],
      });
      if (spec) return { name, spec, steps, cached: cachedState(system, spec) };
    }
    return { name, spec: null, steps, cached: null };
  } finally {
    remove();
  }
}

function cachedState(system: ImportSystem, spec: ModuleSpec): FindReport['cached'] {
  const path = spec.cached;
  if (!path || !spec.origin || path === spec.origin) return null;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    return { path, state: 'missing' };
  }
  try {
    const magic = loaderContextOf(system)?.magic;
    const decoded = decodeCompiled(bytes, { name: spec.name, path, ...(magic ? { magic } : {}) });
    const origin = spec.origin;
    const fresh = isFresh(decoded, statSync(origin), () => readFileSync(origin));
    return { path, state: fresh ? 'fresh' : 'stale' };
  } catch (error) {
    if (error instanceof CompiledCacheError) return { path, state: 'unreadable' };
    throw error;
  }
}

/** The report as text lines. */
export function formatFindReport(report: FindReport): string {
  const lines: string[] = [];
  const field = (label: string, value: string): void => {
    const head = `${label}:`;
    lines.push(`${head.length >= 11 ? `${head} ` : head.padEnd(11)}${value}`);
  };
  const { spec } = report;
  field('module', report.name);
  if (spec) {
    const last = report.steps[report.steps.length - 1];
    field(
      'found by',
      last?.finder ? `<PathFinder>, path entry ${last.where} (${last.finder})` : (last?.where ?? '?'),
    );
    field('loader', describeObject(spec.loader));
    field('origin', spec.origin ?? 'None');
    if (report.cached) field('cached', `${report.cached.path} (${report.cached.state})`);
    const locations = spec.submoduleSearchLocations;
    field(
      'package',
      locations === null ? 'no' : `yes, submodules from ${[...locations].join(', ') || '(nowhere yet)'}`,
    );
    if (spec.parent) field('__package__', spec.parent);
  } else {
    field('found by', 'nothing');
  }
  const misses = report.steps.filter((step) => !step.found);
  if (misses.length) {
    lines.push(spec ? 'asked first, without finding it:' : 'asked, without finding it:');
    for (const step of misses) {
      const finder = step.finder === undefined ? '' : ` (${step.finder ?? 'no finder'})`;
      lines.push(`  ${step.where}${finder}`);
      for (const reason of step.reasons) lines.push(`    ${reason}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
