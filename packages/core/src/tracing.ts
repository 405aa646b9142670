/**
 * The tracing hub of one system: the tracers added with `system.addTracer()`, behind one nullable
 * function. Callers write `tracing.trace?.({ … })`, so while nobody listens no event is even built
 * (an optional call does not evaluate its arguments).
 */
import type { ImportEvent, ImportTracer, ImportWarningEvent } from './trace.js';

/** The tracers of one system. */
export class Tracing {
  /** Hands an event to every tracer; `null` while there is none. */
  trace: ((event: ImportEvent) => void) | null = null;
  readonly #tracers: ImportTracer[] = [];

  /** Add a tracer; returns a function that removes it. */
  add(tracer: ImportTracer): () => void {
    this.#tracers.push(tracer);
    this.#update();
    return () => {
      const index = this.#tracers.indexOf(tracer);
      if (index !== -1) this.#tracers.splice(index, 1);
      this.#update();
    };
  }

  /** Report a warning (Python's `ImportWarning`/`DeprecationWarning`: silent unless a tracer shows it). */
  warn(category: ImportWarningEvent['category'], message: string, name?: string): void {
    this.trace?.({ type: 'warning', category, message, name });
  }

  /** Report a verbose message (`level` 1 is `-v`, 2 is `-vv`). */
  verbose(level: 1 | 2, message: string, name?: string): void {
    this.trace?.({ type: 'verbose', level, message, name });
  }

  #update(): void {
    // A snapshot: a tracer added or removed while an event is being handed out takes effect from the next.
    const tracers = [...this.#tracers];
    this.trace = tracers.length === 0 ? null : (event) => tracers.forEach((tracer) => tracer(event));
  }
}
