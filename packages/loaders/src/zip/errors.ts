/**
 * The errors of zip imports: {@link ZipImportError} (Python's `zipimport.ZipImportError`) for an
 * archive or entry that cannot be used, and {@link ZipFileNotFoundError} for a data file that is not
 * in the archive (Python's `OSError` / `FileNotFoundError` from `get_data` and resource readers).
 */
import { ErrorCodes, ImportError } from '@importlib/core';

/** Why an archive or an entry could not be used. */
export type ZipErrorReason =
  /** The path is empty, missing, or not a regular file. */
  | 'not-found'
  /** No end-of-central-directory record: not a zip archive. */
  | 'not-a-zip'
  /** The archive ends before a record or an entry's data does. */
  | 'truncated'
  /** A record contradicts itself or the file (sizes, offsets, counts, signatures, names). */
  | 'corrupt'
  /** An entry name that could escape the archive: `..`, absolute, a backslash, NUL, a drive. */
  | 'bad-entry-name'
  /** A multi-disk (spanned) archive. */
  | 'unsupported'
  /** The archive file changed since its directory was read (read it again). */
  | 'changed'
  /** A compression method other than stored (0) and deflated (8). */
  | 'unsupported-compression'
  /** An encrypted entry. */
  | 'encrypted'
  /** An entry whose data does not inflate, has the wrong size, or fails its CRC-32. */
  | 'bad-data'
  /** An entry larger than this process can hold. */
  | 'too-large'
  /** The entry named is not in the archive (or no longer is). */
  | 'missing-entry'
  /** A module in the archive cannot be loaded (a compiled-only entry that cannot be read). */
  | 'bad-module';

/** Options of {@link ZipImportError}. */
export interface ZipImportErrorOptions {
  /** The archive concerned. */
  archive: string;
  /** The entry concerned (its name inside the archive), if any. */
  entry?: string | null;
  /** The module concerned, if any. */
  moduleName?: string | null;
  cause?: unknown;
}

/**
 * An archive, or an entry in it, that cannot be used (Python's `zipimport.ZipImportError`, a subclass
 * of `ImportError`, so a path hook that meets one declines the entry and the next hook is tried).
 * Its `code` is `'ERR_IMPORTLIB_ZIP'`; {@link reason} says what is wrong; {@link archive} and
 * {@link entry} name where. The message says what to do.
 */
export class ZipImportError extends ImportError {
  /** The archive file. */
  readonly archive: string;
  /** The entry inside the archive (`pkg/mod.ts`), or `null` when the whole archive is concerned. */
  readonly entry: string | null;
  /** What is wrong. */
  readonly reason: ZipErrorReason;

  constructor(message: string, reason: ZipErrorReason, options: ZipImportErrorOptions) {
    const entry = options.entry ?? null;
    const where = entry === null ? `'${options.archive}'` : `'${entry}' in '${options.archive}'`;
    super(
      `${message} (${where})`,
      {
        moduleName: options.moduleName ?? null,
        path: options.archive,
        cause: options.cause,
      },
      ErrorCodes.ZIP,
    );
    this.archive = options.archive;
    this.entry = entry;
    this.reason = reason;
  }

  override get name(): string {
    return 'ZipImportError';
  }
}

/**
 * A data file asked for by path (`getData`, a resource reader) that is not in the archive. It looks
 * like Node's own error for a missing file (`code` `'ENOENT'`, `path`), so code written for folders
 * (`catch (e) { if (e.code === 'ENOENT') … }`) works for archives too (Python raises `OSError` /
 * `FileNotFoundError` here).
 */
export class ZipFileNotFoundError extends Error {
  readonly code = 'ENOENT';
  readonly errno = -2;
  /** The path asked for. */
  readonly path: string;
  /** The archive searched. */
  readonly archive: string;

  constructor(path: string, archive: string) {
    super(`ENOENT: no such file in the zip archive '${archive}': '${path}'`);
    this.path = path;
    this.archive = archive;
  }

  override get name(): string {
    return 'ZipFileNotFoundError';
  }
}
