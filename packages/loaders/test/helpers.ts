// Small helpers shared by the loaders' tests.

/** Run `fn` and return what it threw; fail the test when it does not throw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
