/**
 * Tracing: the events the import system reports about every decision it makes, so the CLI's `-v`,
 * `-vv` and `--importtime` (and any tool) can report them. The core never prints; it hands events to
 * the tracers added with `system.addTracer()`, and builds no event at all when there is none.
 */
import type { ModuleSpec } from './spec.js';

/** A warning the import system raises (Python's `ImportWarning` / `DeprecationWarning`, ignored by default). */
export interface ImportWarningEvent {
  type: 'warning';
  category: 'ImportWarning' | 'DeprecationWarning';
  message: string;
  name?: string | undefined;
}

/** Everything the import system reports. `name` is always the full module name concerned. */
export type ImportEvent =
  /** A find-and-load of `name` starts: it was not in `modules`, or was still initialising. */
  | { type: 'import-start'; name: string }
  /** The find-and-load of `name` ended (`ok: false` when it threw). */
  | { type: 'import-end'; name: string; ok: boolean }
  /** `name` was served from `modules` without a search (Python's `-X importtime=2` "cached" lines). */
  | { type: 'cached'; name: string }
  /** A meta-path finder or path entry is being asked for `name` (Python's `-vv` "trying" lines). */
  | { type: 'trying'; name: string; where: string }
  /** `name` was loaded and executed (Python's `-v` line `import 'name' # <loader>`). */
  | { type: 'loaded'; name: string; loader: string; spec: ModuleSpec }
  /** A free-form verbose message from any layer; `level` 1 is `-v`, 2 is `-vv`. */
  | { type: 'verbose'; level: 1 | 2; message: string; name?: string | undefined }
  | ImportWarningEvent;

/** Receives every event of a system. Exceptions thrown by a tracer are not caught. */
export type ImportTracer = (event: ImportEvent) => void;
