/**
 * The module-type constants of Python's `imp` module, with Python's values, and the
 * `(suffix, mode, type)` description triples `get_suffixes()` and `find_module()` return.
 */

/** Unused (Python's `imp.SEARCH_ERROR`, 0). */
export const SEARCH_ERROR = 0;
/** The module was found as a source file (Python's `imp.PY_SOURCE`, 1): TypeScript or JavaScript here. */
export const PY_SOURCE = 1;
/** The module was found as a compiled code file (Python's `imp.PY_COMPILED`, 2): a `.jsc` file here. */
export const PY_COMPILED = 2;
/** The module was found as a dynamically loadable shared library (Python's `imp.C_EXTENSION`, 3): a `.node` addon here. */
export const C_EXTENSION = 3;
/**
 * A resource module (Python's `imp.PY_RESOURCE`, 4, a Macintosh resource in Python 2). Python never
 * returns it on other systems; here it is the type of JSON data modules (`.json`), the one kind of
 * file module that is neither source, compiled code nor an addon.
 */
export const PY_RESOURCE = 4;
/** The module was found as a package directory (Python's `imp.PKG_DIRECTORY`, 5). */
export const PKG_DIRECTORY = 5;
/** The module was found as a built-in module (Python's `imp.C_BUILTIN`, 6). */
export const C_BUILTIN = 6;
/** The module was found as a frozen module (Python's `imp.PY_FROZEN`, 7). */
export const PY_FROZEN = 7;
/** A Macintosh code resource (Python's `imp.PY_CODERESOURCE`, 8); never returned here, kept for its value. */
export const PY_CODERESOURCE = 8;
/** A module found by an import hook (Python's `imp.IMP_HOOK`, 9); `find_module` never returns it, as in Python. */
export const IMP_HOOK = 9;

/** One of the module-type constants. */
export type ModuleKind =
  | typeof SEARCH_ERROR
  | typeof PY_SOURCE
  | typeof PY_COMPILED
  | typeof C_EXTENSION
  | typeof PY_RESOURCE
  | typeof PKG_DIRECTORY
  | typeof C_BUILTIN
  | typeof PY_FROZEN
  | typeof PY_CODERESOURCE
  | typeof IMP_HOOK;

/** The mode a module file is opened with: `'r'` for text, `'rb'` for binary (Python's `open()` modes). */
export type FileMode = 'r' | 'rb' | '';

/**
 * The `(suffix, mode, type)` triple describing a kind of module (Python's `get_suffixes()` entries
 * and `find_module()`'s description): `['.ts', 'r', PY_SOURCE]`, or `['', '', C_BUILTIN]` for a module
 * that does not live in a file.
 */
export type ModuleDescription = readonly [suffix: string, mode: FileMode | string, type: ModuleKind | number];
