/**
 * Path hooks decline an entry by throwing an `ImportError` (Python's protocol), and the path finder
 * always catches it. Capturing a stack for it is pure cost on the import path (a package folder asks
 * every hook before the folder hook takes it), so a decline the hook is sure of is made without one.
 */
export function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
