/**
 * A worker thread of `importlib compile -j N`: compiles the files the main thread posts, one at a
 * time, and posts back each outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { compileContext, compileOne, type CompileSettings } from './compile.js';

const settings = workerData as CompileSettings;
const context = compileContext(settings);
parentPort?.on('message', (file: string) => {
  parentPort?.postMessage(compileOne(file, context, settings));
});
