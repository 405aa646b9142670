/**
 * Atomic file writes (Python's `_write_atomic`): readers only ever see the old or the new contents,
 * whole. {@link atomicWrite} uses nothing but its arguments, so the background writer
 * (`cache-writer.ts`) ships its source text to a worker thread and both threads write alike.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** The new file's mode before the umask (default `0o666`; Python uses the source's mode | `0o200`). */
  mode?: number;
}

/**
 * The file-system calls {@link atomicWrite} makes, passed in so the same function runs on the main
 * thread and, as source text, in the background writer's worker (`cache-writer.ts`).
 * @internal
 */
export interface AtomicWriteIo {
  openSync(path: string, flags: string, mode: number): number;
  writeSync(fd: number, bytes: Uint8Array, offset: number, length: number): number;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  /** A unique suffix for the temporary file's name. */
  tempSuffix(): string;
}

/**
 * Write `bytes` to `filePath` atomically (see {@link writeFileAtomic}). It uses nothing but its
 * arguments: the background writer runs its source text in a worker.
 *
 * The folder is made only when the first open fails with `ENOENT`: a `mkdir` before every write cost
 * as much as the write itself on a 2,000-module cold start.
 * @internal
 */
export function atomicWrite(io: AtomicWriteIo, filePath: string, bytes: Uint8Array, mode: number): void {
  const slash = Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\'));
  const dir = slash < 0 ? '.' : filePath.slice(0, slash) || '/';
  const temp = `${filePath}.${io.tempSuffix()}.tmp`;
  let fd: number;
  try {
    fd = io.openSync(temp, 'wx', mode);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    io.mkdirSync(dir, { recursive: true });
    fd = io.openSync(temp, 'wx', mode);
  }
  try {
    try {
      let written = 0;
      while (written < bytes.length) written += io.writeSync(fd, bytes, written, bytes.length - written);
    } finally {
      io.closeSync(fd);
    }
    io.renameSync(temp, filePath);
  } catch (error) {
    try {
      io.unlinkSync(temp);
    } catch {
      // Already gone, or the folder became unwritable: nothing more to do.
    }
    throw error;
  }
}

/** The real file system, for {@link atomicWrite} on this thread. */
const mainThreadIo: AtomicWriteIo = {
  openSync,
  writeSync,
  closeSync,
  renameSync,
  unlinkSync,
  mkdirSync,
  tempSuffix: () => `${process.pid}.${randomBytes(6).toString('hex')}`,
};

/**
 * Write a file so that readers only ever see the old or the new contents, whole (Python's
 * `_write_atomic`): create the missing parent folders, write a temporary file with a unique name in
 * the same folder, then rename it over the target. On failure the temporary file is removed and
 * the error thrown: the caller treats it as "no cache".
 *
 * On Windows, renaming over a file another process has open can fail; that too is only a missed
 * cache write.
 */
export function writeFileAtomic(
  filePath: string,
  bytes: Uint8Array,
  options: WriteFileAtomicOptions = {},
): void {
  atomicWrite(mainThreadIo, filePath, bytes, options.mode ?? 0o666);
}
