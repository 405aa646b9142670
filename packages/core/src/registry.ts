/**
 * Reading the registry (`sys.modules`) as the algorithm does: its "no entry" marker, a module's
 * initialising flag and search path, and the move to the end that fixes teardown order.
 */
import { getAttr } from './module.js';
import { ModuleSpec } from './spec.js';

/** Python's `_NEEDS_LOADING`: no entry in the registry. */
export const NEEDS_LOADING = Symbol('needs loading');

/** A search path (`__path__`) as a list, or `null` when `value` is none. */
export function toSearchPath(value: unknown): readonly string[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value as string[];
  if (typeof value === 'string') return [value];
  if (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function')
    return [...(value as Iterable<string>)];
  return null;
}

/** Python's `module.__spec__._initializing`: the module's code is still running. */
export function isInitializing(module: unknown): boolean {
  const spec = getAttr(module, '__spec__');
  return spec instanceof ModuleSpec ? spec.initializing : getAttr(spec, 'initializing') === true;
}

/** Move `name` to the end of the registry (the order fixes teardown order) and return its entry. */
export function moveToEnd(modules: Map<string, unknown>, name: string): unknown {
  const module = modules.get(name);
  modules.delete(name);
  modules.set(name, module);
  return module;
}
