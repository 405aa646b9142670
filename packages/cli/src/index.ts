/**
 * The `importlib` command (`run`, `-v`/`-vv`, `--importtime`, `compile`, `find`) and the pieces it is
 * made of, for tools that want the same output: the `-v` tracer, the importtime recorder and its
 * HTML chart, compileall over trees, and `find`'s report.
 *
 * @packageDocumentation
 * @module @importlib/cli
 */
export { main } from './main.js';
export { IMPORT_TIME_HEADER, ImportTimeRecorder, verboseTracer } from './trace.js';
export type { ImportTimeNode, ImportTimeRecorderOptions } from './trace.js';
export { importTimeHtml } from './importtime-html.js';
export type { ImportTimeHtmlOptions } from './importtime-html.js';
export { compileTrees, listSources } from './compile.js';
export type { CompileFailure, CompileOptions, CompileSummary } from './compile.js';
export { explainFind, formatFindReport } from './find.js';
export type { CachedState, FindReport, FindStep } from './find.js';
export { CliUsageError, USAGE_ERROR_CODE } from './output.js';
export type { CommandIO } from './run-command.js';
export type { OutputStream } from './output.js';
