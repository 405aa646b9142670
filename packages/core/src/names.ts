/**
 * Dotted module names: validation and relative-name resolution (`_resolve_name`, `_sanity_check`,
 * `_calc___package__` of CPython's `_bootstrap.py`).
 *
 * A name is refused before any finder sees it if it has an empty segment or a segment holding `/`,
 * `\` or NUL: finders turn segments into file names, and such a segment could climb out of a
 * search-path entry. `__proto__`, `constructor` and friends are ordinary names: the registry is a
 * `Map`, so nothing ever reaches an object prototype.
 */
import { ImportArgumentError, ImportError, InvalidModuleNameError } from './errors.js';

// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_SEGMENT = /[/\\\u0000]/;

/** Tell why `name` is not a valid absolute dotted module name, or return `null` when it is. */
export function invalidNameReason(name: string): string | null {
  if (name === '') return 'Empty module name';
  // The usual, valid name costs one scan: no dot at either end, no empty segment, no bad character.
  if (
    name.charCodeAt(0) !== 46 &&
    name.charCodeAt(name.length - 1) !== 46 &&
    !name.includes('..') &&
    !FORBIDDEN_IN_SEGMENT.test(name)
  )
    return null;
  const segments = name.split('.');
  for (const segment of segments) {
    if (segment === '') return `module name '${printable(name)}' has an empty segment`;
    if (FORBIDDEN_IN_SEGMENT.test(segment)) {
      return `module name '${printable(name)}' has a segment with '/', '\\' or NUL in it`;
    }
  }
  return null;
}

/** Throw {@link InvalidModuleNameError} unless `name` is a valid absolute dotted module name. */
export function checkModuleName(name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw new ImportArgumentError(`module name must be a string, not ${typeName(name)}`);
  }
  const reason = invalidNameReason(name);
  if (reason !== null) throw new InvalidModuleNameError(reason, { moduleName: name });
}

/** Split `name` into its parent and last segment (Python's `name.rpartition('.')`). */
export function splitName(name: string): [parent: string, child: string] {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? ['', name] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** Resolve a relative module name against `pkg`, `level` dots up (Python's `_resolve_name`). */
export function resolveName(name: string, pkg: string, level: number): string {
  const bits = pkg.split('.');
  if (bits.length < level) {
    throw new ImportError('attempted relative import beyond top-level package', { moduleName: name || null });
  }
  const base = bits.slice(0, bits.length - (level - 1)).join('.');
  return name ? `${base}.${name}` : base;
}

/**
 * Check the arguments of an import the way `_sanity_check` does, and return the absolute name.
 * `pkg` is the package the import is made from (needed when `level > 0`).
 */
export function absoluteName(name: unknown, pkg: unknown, level: number): string {
  if (typeof name !== 'string') {
    throw new ImportArgumentError(`module name must be str, not ${typeName(name)}`);
  }
  if (!Number.isInteger(level) || level < 0) {
    throw new ImportArgumentError(`level must be a non-negative integer, not ${String(level)}`);
  }
  let full = name;
  if (level > 0) {
    if (typeof pkg !== 'string') throw new ImportArgumentError('__package__ not set to a string');
    if (pkg === '') {
      throw new ImportError('attempted relative import with no known parent package', {
        moduleName: name || null,
      });
    }
    full = resolveName(name, pkg, level);
  } else if (name === '') {
    throw new InvalidModuleNameError('Empty module name');
  }
  checkModuleName(full);
  return full;
}

/**
 * Split the leading dots off a name given to `importModule` (`'..a.b'` → `['a.b', 2]`), as
 * `importlib.import_module` does.
 */
export function splitLevel(name: string): [name: string, level: number] {
  let level = 0;
  while (level < name.length && name.charCodeAt(level) === 46 /* . */) level++;
  return [name.slice(level), level];
}

/** Describe the type of a value for an error message. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function printable(name: string): string {
  // Keep control characters visible in messages instead of letting them garble a terminal.
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Write a file or folder name as one segment of a dotted module name. A dot inside the name (files
 * like `app.module.ts` or `x.config.ts`, the norm in Angular and NestJS) is written `%2E`, and a
 * literal `%` as `%25`, so `app.module` becomes the segment `app%2Emodule` and the module
 * `src.app%2Emodule`. This is the one documented way to name such a file in `modules`, `__name__`,
 * traces and `importModule`.
 */
export function encodeSegment(stem: string): string {
  if (!stem.includes('.') && !stem.includes('%')) return stem;
  return stem.replace(/%/g, '%25').replace(/\./g, '%2E');
}

/** Turn a module-name segment back into the file or folder name it stands for (see {@link encodeSegment}). */
export function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  return segment.replace(/%2E/gi, '.').replace(/%25/g, '%');
}
