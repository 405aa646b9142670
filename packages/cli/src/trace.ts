/**
 * What `-v`, `-vv` and `--importtime` print, from the import system's trace events: Python's
 * `-v` / `-vv` wording (`import 'x' # <loader>`, `# code object from …`, `# trying …`) and its
 * `-X importtime` table, plus the import tree the HTML chart draws.
 */
import type { ImportEvent, ImportTracer } from '@importlib/core';

/**
 * A tracer printing Python's `-v` (`level` 1) or `-vv` (`level` 2) lines through `write` (one line,
 * no newline): `import 'name' # <loader>` after each load, the loaders' and finders' messages
 * (`# code object from '…'`, `# created '…'`; at level 2 also `# trying …` and
 * `# … matches …`), and import warnings. Like Python's `_verbose_message`, a message gets a `# `
 * prefix unless it starts with `#` or `import `.
 */
export function verboseTracer(level: 1 | 2, write: (line: string) => void): ImportTracer {
  const message = (text: string): string =>
    text.startsWith('#') || text.startsWith('import ') ? text : `# ${text}`;
  return (event: ImportEvent) => {
    switch (event.type) {
      case 'loaded':
        write(`import '${event.name}' # ${event.loader}`);
        break;
      case 'verbose':
        if (event.level <= level) write(message(event.message));
        break;
      case 'trying':
        if (level >= 2) write(`# trying ${event.where} for '${event.name}'`);
        break;
      case 'warning':
        write(`# ${event.category}: ${event.message}`);
        break;
      default:
        break; // import-start, import-end, cached: the importtime table's business
    }
  };
}

/** One find-and-load in the import tree, with Python's `-X importtime` numbers. */
export interface ImportTimeNode {
  /** The full module name. */
  name: string;
  /** Microseconds spent in this import minus those of the imports it made (`self [us]`). */
  selfUs: number;
  /** Microseconds from the start to the end of this import (`cumulative`). */
  cumulativeUs: number;
  /** `false` when the import threw. */
  ok: boolean;
  /** The imports made while this one ran, in the order they started. */
  children: ImportTimeNode[];
}

/** The header line of Python's `-X importtime` table. */
export const IMPORT_TIME_HEADER = 'import time: self [us] | cumulative | imported package';

interface Frame {
  node: ImportTimeNode;
  start: number;
  childrenUs: number;
}

/** Options of an {@link ImportTimeRecorder}. */
export interface ImportTimeRecorderOptions {
  /**
   * Receives each table line as Python prints it: the header before the first, then one line when
   * each import ends (children before their parent). Nothing is printed without it.
   */
  write?: (line: string) => void;
  /** Also print a `cached` line for each module served from `modules` (Python's `-X importtime=2`). */
  cached?: boolean;
  /** The clock, in milliseconds. @default performance.now */
  now?: () => number;
}

/**
 * Records the import tree with timings from `import-start` / `import-end` pairs (Python's
 * `-X importtime`): nested imports are those that start before the enclosing one ends. Add its
 * `tracer` to a system; read its `roots` afterwards.
 */
export class ImportTimeRecorder {
  /** The top-level imports, in the order they started. */
  readonly roots: ImportTimeNode[] = [];
  readonly #stack: Frame[] = [];
  readonly #write: ((line: string) => void) | null;
  readonly #cached: boolean;
  readonly #now: () => number;
  #headerDone = false;

  constructor(options: ImportTimeRecorderOptions = {}) {
    this.#write = options.write ?? null;
    this.#cached = options.cached ?? false;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The tracer to add with `system.addTracer()`. */
  readonly tracer: ImportTracer = (event) => {
    if (event.type === 'import-start') this.#start(event.name);
    else if (event.type === 'import-end') this.#end(event.name, event.ok);
    else if (event.type === 'cached' && this.#cached) {
      this.#line(`import time: cached    | cached     | ${indent(this.#stack.length)}${event.name}`);
    }
  };

  #start(name: string): void {
    const node: ImportTimeNode = { name, selfUs: 0, cumulativeUs: 0, ok: false, children: [] };
    const parent = this.#stack[this.#stack.length - 1];
    (parent ? parent.node.children : this.roots).push(node);
    this.#stack.push({ node, start: this.#now(), childrenUs: 0 });
  }

  #end(name: string, ok: boolean): void {
    // Concurrent async imports may end out of order: find the frame by name, innermost first.
    let index = this.#stack.length - 1;
    while (index >= 0 && this.#stack[index]?.node.name !== name) index--;
    if (index < 0) return;
    const [frame] = this.#stack.splice(index, 1) as [Frame];
    const cumulative = Math.max(0, Math.round((this.#now() - frame.start) * 1000));
    frame.node.cumulativeUs = cumulative;
    frame.node.selfUs = Math.max(0, cumulative - frame.childrenUs);
    frame.node.ok = ok;
    const parent = this.#stack[index - 1];
    if (parent) parent.childrenUs += cumulative;
    this.#line(
      `import time: ${String(frame.node.selfUs).padStart(9)} | ${String(cumulative).padStart(10)} | ${indent(index)}${name}`,
    );
  }

  #line(text: string): void {
    if (!this.#write) return;
    if (!this.#headerDone) {
      this.#headerDone = true;
      this.#write(IMPORT_TIME_HEADER);
    }
    this.#write(text);
  }
}

function indent(depth: number): string {
  return '  '.repeat(depth);
}
