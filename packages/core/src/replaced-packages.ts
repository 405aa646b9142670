/**
 * The search locations of packages that replaced their registry entry.
 *
 * A package whose code replaces its entry (`module.exports = fn`, Python's
 * `sys.modules[__name__] = obj`) leaves an object with no `__path__` in `modules`. In CPython its
 * submodules can then no longer be imported ("'pkg' is not a package"). npm packages do this all the
 * time and still require their own files later (lodash's `lodash/debounce`, lazy getters that
 * `require('./sub')`), so the system remembers, by name, the module object the package's spec made:
 * its `__path__` stays the package's search path for as long as the registry holds what the package's
 * own load left there. A record is consulted only when the entry has no `__path__` of its own.
 */

/** Where a record stands: the entry the load left, or {@link LOADING} while the package's code runs. */
const LOADING = Symbol('loading');

interface PackageRecord {
  /** The module object made from the package's spec: its `__path__` is read live. */
  readonly module: object;
  /** What the load left in `modules` (never the module itself), or `LOADING` while the code runs. */
  entry: unknown;
}

/** The records of one system, by module name. */
export class ReplacedPackages {
  readonly #records = new Map<string, PackageRecord>();

  /**
   * A package's code is about to run in `module` (a first load or a reload): from now until {@link end},
   * whatever entry `name` has in `modules` may use `module`'s search path (the code may replace its
   * entry and then import its own submodules).
   */
  begin(name: string, module: object): void {
    this.#records.set(name, { module, entry: LOADING });
  }

  /**
   * The code started by {@link begin} finished (or failed). `has` and `entry` are what `modules` holds
   * for `name` now. Only an entry that differs from the module object keeps a record; a module object
   * has its own `__path__`.
   */
  end(name: string, module: object, has: boolean, entry: unknown): void {
    const record = this.#records.get(name);
    if (record === undefined || record.module !== module) return; // a nested reload ended it already
    if (has && entry !== module) record.entry = entry;
    else this.#records.delete(name);
  }

  /**
   * The module object whose `__path__` serves as the search path of `name`, whose registry entry is
   * `entry`; `undefined` when there is none. A record whose entry is no longer the registry's (the
   * package was deleted from `modules`, replaced by hand, or imported again) is dropped, so a stale
   * record never makes a package of anything else.
   */
  moduleFor(name: string, entry: unknown): object | undefined {
    const record = this.#records.get(name);
    if (record === undefined) return undefined;
    if (record.entry === LOADING || record.entry === entry) return record.module;
    this.#records.delete(name);
    return undefined;
  }
}
