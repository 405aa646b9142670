/**
 * A worker thread of `importlib compile -j N`: compiles each batch of files the main thread posts
 * and posts back their outcomes.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { compileContext, compileOne, type CompileSettings } from './compile.js';

const settings = workerData as CompileSettings;
const context = compileContext(settings);
parentPort?.on('message', (files: string[]) => {
  parentPort?.postMessage(files.map((file) => compileOne(file, context, settings)));
});
