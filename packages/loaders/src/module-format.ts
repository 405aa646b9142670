/**
 * The `"type"` of the package a file belongs to, by Node's rule (`getPackageScopeConfig` in Node's
 * lib/internal/modules/package_json_reader.js): the nearest `package.json` above the file decides,
 * whether or not it has a `"type"`; the search stops at a `node_modules` folder (whose own
 * `package.json` is not read) and at the root.
 *
 * Asked only when a source is transpiled (a cold import): the answer is part of the compiled code, so
 * a warm start reads no `package.json`. Answers are kept per folder for the life of the process; a
 * changed `"type"` applies to files compiled after {@link clearPackageTypes} (or to a new process).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** A package's `"type"`: `'module'`, or `'commonjs'` (also when it has none, or there is no package). */
export type PackageType = 'module' | 'commonjs';

const byFolder = new Map<string, PackageType>();

/** The `"type"` of the package holding `file` (the nearest `package.json` above it). */
export function packageTypeOf(file: string): PackageType {
  return typeOfFolder(dirname(file));
}

function typeOfFolder(folder: string): PackageType {
  const known = byFolder.get(folder);
  if (known !== undefined) return known;
  const parent = dirname(folder);
  let type: PackageType;
  if (folder.endsWith(`${sep}node_modules`)) type = 'commonjs';
  else
    type = readType(join(folder, 'package.json')) ?? (parent === folder ? 'commonjs' : typeOfFolder(parent));
  byFolder.set(folder, type);
  return type;
}

/** The `"type"` of the `package.json` at `path`; `undefined` when there is none (or it cannot be read). */
function readType(path: string): PackageType | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { type?: unknown } | null;
    return parsed !== null && typeof parsed === 'object' && parsed.type === 'module' ? 'module' : 'commonjs';
  } catch {
    // Node refuses a broken package.json (ERR_INVALID_PACKAGE_CONFIG); the file's own import reports
    // anything that matters, so the package counts as CommonJS here.
    return 'commonjs';
  }
}

/** Forget the package types read so far (the next compile reads the `package.json` files again). */
export function clearPackageTypes(): void {
  byFolder.clear();
}
