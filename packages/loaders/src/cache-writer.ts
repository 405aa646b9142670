/**
 * The background writer of compiled files. On a cold start the import itself transpiles and runs
 * each module; writing its compiled file (create a temporary file, write, rename) is work nobody
 * waits for, and on some file systems creating a file costs more than transpiling it. So after a
 * system's first few writes (done inline, so a small program never starts a thread), compiled files
 * are handed to one worker thread that writes them while the import goes on.
 *
 * Nothing is lost at exit: the process waits for the queue on `'exit'` (a blocking wait on a shared
 * counter, so it works after the event loop has ended and under `process.exit()`), and
 * {@link flushCompiledWrites} does the same on demand. Every write is atomic (`atomicWrite`), so a
 * process killed mid-queue leaves old files or new files, never torn ones; at worst a stray `.tmp`.
 */
import { setImmediate } from 'node:timers';
import { Worker } from 'node:worker_threads';

import { atomicWrite } from './io/atomic-write.js';

/** One queued write, as posted to the worker. */
interface WriteRequest {
  path: string;
  bytes: Uint8Array;
  mode: number;
}

/**
 * The worker's program, built from `atomicWrite`'s own source so both threads write files the same
 * way. `pending[0]` counts queued writes; the worker lowers it after each one and wakes waiters.
 */
function workerSource(): string {
  return `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { randomBytes } = require('node:crypto');
const atomicWrite = ${atomicWrite.toString()};
const io = {
  openSync: fs.openSync, writeSync: fs.writeSync, closeSync: fs.closeSync,
  renameSync: fs.renameSync, unlinkSync: fs.unlinkSync, mkdirSync: fs.mkdirSync,
  tempSuffix: () => process.pid + '.' + randomBytes(6).toString('hex'),
};
const pending = new Int32Array(workerData.pending);
const failures = new Int32Array(workerData.failures);
parentPort.on('message', (batch) => {
  for (const request of batch) {
    try {
      atomicWrite(io, request.path, request.bytes, request.mode);
    } catch {
      Atomics.add(failures, 0, 1);
    } finally {
      Atomics.sub(pending, 0, 1);
      Atomics.notify(pending, 0);
    }
  }
});
`;
}

class BackgroundWriter {
  readonly #pending = new Int32Array(new SharedArrayBuffer(4));
  readonly #failures = new Int32Array(new SharedArrayBuffer(4));
  readonly #worker: Worker;
  /** Set when the worker failed or ended: later writes are made inline. */
  dead = false;

  constructor() {
    this.#worker = new Worker(workerSource(), {
      eval: true,
      // No `--import`/`--require` preloads: a loader hook registered there would have the worker
      // wait on the main thread, which blocks in the exit hook waiting for the worker.
      execArgv: [],
      workerData: { pending: this.#pending.buffer, failures: this.#failures.buffer },
    });
    // The worker never keeps the process alive by itself; the exit hook waits for its queue.
    this.#worker.unref();
    this.#worker.on('error', () => (this.dead = true));
    this.#worker.on('exit', () => (this.dead = true));
    process.once('exit', () => this.flush());
  }

  /** Requests not posted yet: they go in batches, a message costs more than a small write. */
  #batch: WriteRequest[] = [];
  #scheduled = false;

  write(request: WriteRequest): void {
    const { bytes } = request;
    // Hand the bytes over without a copy when they own their whole buffer (encodeCompiled's do).
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const owned = whole && !(bytes.buffer instanceof SharedArrayBuffer) ? bytes : bytes.slice();
    Atomics.add(this.#pending, 0, 1);
    this.#batch.push({ ...request, bytes: owned });
    if (this.#batch.length >= BATCH) this.#post();
    else if (!this.#scheduled) {
      // A synchronous import queues many before the event loop turns; what is left goes then.
      this.#scheduled = true;
      setImmediate(() => this.#post());
    }
  }

  #post(): void {
    this.#scheduled = false;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#worker.postMessage(
      batch,
      batch.map((request) => request.bytes.buffer as ArrayBuffer),
    );
  }

  get pending(): number {
    return Atomics.load(this.#pending, 0);
  }

  get failures(): number {
    return Atomics.load(this.#failures, 0);
  }

  /**
   * Wait while the queue drains. A worker that makes no progress for {@link STALL_MS} (it died, or
   * the machine stalls) is given up on: what is left is only a missed cache, never a hung exit.
   */
  flush(): void {
    this.#post();
    let stalledSince = Date.now();
    for (let left = this.pending; left > 0; ) {
      Atomics.wait(this.#pending, 0, left, 250);
      const now = this.pending;
      if (now !== left) stalledSince = Date.now();
      else if (this.dead || Date.now() - stalledSince > STALL_MS) return;
      left = now;
    }
  }
}

/** How many writes go to the worker in one message. */
const BATCH = 16;

/** How long {@link BackgroundWriter.flush} waits for a worker that writes nothing. */
const STALL_MS = 5000;

let writer: BackgroundWriter | null = null;

/**
 * Queue a compiled file for the background writer (started on first use). Returns false when there
 * is no working background writer (it could not start, or died): the caller writes inline.
 */
export function queueCompiledWrite(path: string, bytes: Uint8Array, mode: number): boolean {
  try {
    writer ??= new BackgroundWriter();
  } catch {
    return false; // no threads here (resource limits): inline writes still work
  }
  if (writer.dead) return false;
  writer.write({ path, bytes, mode });
  return true;
}

/**
 * Wait until every compiled file queued so far is on disk (or failed to write, which only means no
 * cache). Blocks the calling thread; returns at once when nothing is queued. Call it before
 * inspecting `__pycache__` folders, or before copying or archiving a tree just imported.
 */
export function flushCompiledWrites(): void {
  writer?.flush();
}

/** How many queued compiled-file writes are not done yet, and how many failed so far. */
export function compiledWriteStats(): { pending: number; failed: number } {
  return { pending: writer?.pending ?? 0, failed: writer?.failures ?? 0 };
}
