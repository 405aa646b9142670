/**
 * The error family of the import system. Every error a user can meet carries a stable `code` (the
 * message may change between versions, the code may not), names the module and, where there is one,
 * the file.
 *
 * Python's `ImportError.name` is exposed as {@link ImportError.moduleName}: in JavaScript `error.name`
 * is the error class's name (`'ModuleNotFoundError'`), which stack traces, `util.inspect` and every
 * test framework rely on.
 */

/** The stable codes of the errors thrown by the import system. */
export const ErrorCodes = {
  /** A generic import failure (Python's `ImportError`). */
  IMPORT: 'ERR_IMPORTLIB_IMPORT',
  /** No finder claimed the name, or it is blocked by `null` in `modules` (`ModuleNotFoundError`). */
  NOT_FOUND: 'ERR_IMPORTLIB_NOT_FOUND',
  /** The name is not a valid dotted module name (Python raises `ValueError` for some of these). */
  INVALID_NAME: 'ERR_IMPORTLIB_INVALID_NAME',
  /** An argument has the wrong type or value (Python's `TypeError`/`ValueError`). */
  INVALID_ARGUMENT: 'ERR_IMPORTLIB_INVALID_ARGUMENT',
  /** Two import tasks wait on each other's module locks (Python's `_DeadlockError`). */
  DEADLOCK: 'ERR_IMPORTLIB_DEADLOCK',
  /** The global import lock was released by a task that does not hold it, or cannot be waited for. */
  LOCK: 'ERR_IMPORTLIB_LOCK',
  /** A module needs the async import path (its loader returned a promise) but was imported synchronously. */
  REQUIRE_ASYNC: 'ERR_IMPORTLIB_REQUIRE_ASYNC',
  /** `system.metaPath` / `system.pathHooks` / `system.pathImporterCache` was replaced by a non-collection. */
  BAD_STATE: 'ERR_IMPORTLIB_BAD_STATE',
  /** A module's source cannot be parsed (raised by `@importlib/loaders`, with file, line and column). */
  SYNTAX: 'ERR_IMPORTLIB_SYNTAX',
  /** A compiled file is unreadable: truncated, bad magic or flags, corrupt (`@importlib/loaders`). */
  BAD_COMPILED: 'ERR_IMPORTLIB_BAD_COMPILED',
  /** A native addon cannot be loaded (`@importlib/loaders`). */
  EXTENSION: 'ERR_IMPORTLIB_EXTENSION',
  /** A relative specifier climbs above the path entry, or names no module (`@importlib/loaders`). */
  BAD_SPECIFIER: 'ERR_IMPORTLIB_BAD_SPECIFIER',
  /** A zip archive (or an entry in it) cannot be used: not a zip, damaged, unsupported (`@importlib/loaders`). */
  ZIP: 'ERR_IMPORTLIB_ZIP',
  /** A frozen bundle (or a module in it) cannot be used: bad magic, failed integrity check, damaged (`@importlib/loaders`). */
  FROZEN_BUNDLE: 'ERR_IMPORTLIB_FROZEN_BUNDLE',
} as const;

/** One of the values of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Options shared by the errors of the family. */
export interface ImportErrorOptions {
  /** The module concerned (Python's `ImportError.name`). */
  moduleName?: string | null | undefined;
  /** The file concerned (Python's `ImportError.path`). */
  path?: string | null | undefined;
  /** The error that caused this one. */
  cause?: unknown;
}

/** Raised when a module cannot be imported (Python's `ImportError`). */
export class ImportError extends Error {
  /** A stable identifier of the kind of failure. */
  readonly code: ErrorCode;
  /** The module concerned, when known (Python's `ImportError.name`). */
  readonly moduleName: string | null;
  /** The file concerned, when known (Python's `ImportError.path`). */
  readonly path: string | null;

  constructor(message: string, options: ImportErrorOptions = {}, code: ErrorCode = ErrorCodes.IMPORT) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.moduleName = options.moduleName ?? null;
    this.path = options.path ?? null;
  }

  override get name(): string {
    return 'ImportError';
  }
}

/** Raised when a module cannot be found (Python's `ModuleNotFoundError`). */
export class ModuleNotFoundError extends ImportError {
  constructor(message: string, options: ImportErrorOptions = {}) {
    super(message, options, ErrorCodes.NOT_FOUND);
  }

  override get name(): string {
    return 'ModuleNotFoundError';
  }
}

/**
 * Raised for a name that is not a valid dotted module name: empty, an empty segment (`a..b`), or a
 * segment holding `/`, `\` or NUL. Such a name is refused before any finder sees it, so it can never
 * become a path outside a search-path entry.
 */
export class InvalidModuleNameError extends ImportError {
  constructor(message: string, options: ImportErrorOptions = {}) {
    super(message, options, ErrorCodes.INVALID_NAME);
  }

  override get name(): string {
    return 'InvalidModuleNameError';
  }
}

/**
 * Raised when a synchronous import reaches a module whose loader can only finish asynchronously (it
 * returned a promise, e.g. for top-level `await`). Import it with `importModuleAsync` instead.
 */
export class RequireAsyncError extends ImportError {
  constructor(message: string, options: ImportErrorOptions = {}) {
    super(message, options, ErrorCodes.REQUIRE_ASYNC);
  }

  override get name(): string {
    return 'RequireAsyncError';
  }
}

/** Raised for an argument of the wrong type or value (Python's `TypeError` / `ValueError`). */
export class ImportArgumentError extends TypeError {
  readonly code = ErrorCodes.INVALID_ARGUMENT;

  override get name(): string {
    return 'ImportArgumentError';
  }
}

/**
 * Raised when taking a module lock would deadlock (Python's `_DeadlockError`, a `RuntimeError`).
 * The import machinery catches it where Python does and hands back the partially initialised module.
 */
export class DeadlockError extends Error {
  readonly code = ErrorCodes.DEADLOCK;
  readonly moduleName: string;

  constructor(moduleName: string) {
    super(`deadlock detected by module lock for '${moduleName}'`);
    this.moduleName = moduleName;
  }

  override get name(): string {
    return 'DeadlockError';
  }
}

/** Raised for misuse of the global import lock (Python's `RuntimeError('not holding the import lock')`). */
export class ImportLockError extends Error {
  readonly code = ErrorCodes.LOCK;

  override get name(): string {
    return 'ImportLockError';
  }
}

/** Raised when the system's own state was replaced by something unusable (Python's `RuntimeError`). */
export class ImportStateError extends Error {
  readonly code = ErrorCodes.BAD_STATE;

  override get name(): string {
    return 'ImportStateError';
  }
}

/** Tell whether `value` is an error of this family with the given code. */
export function hasErrorCode(value: unknown, code: ErrorCode): boolean {
  return typeof value === 'object' && value !== null && (value as { code?: unknown }).code === code;
}
