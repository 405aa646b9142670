// Helpers shared by the finders tests.

/** The error `fn` throws, typed as `E` (fails the test when it throws nothing). */
export function thrownBy<E = Error & Record<string, unknown>>(fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    return error as E;
  }
  throw new Error('expected an error, nothing was thrown');
}
