/**
 * The CommonJS objects module code sees (`require` and `module`), shared by the module wrapper
 * (`module-body.ts`), the per-system scopes (`system-scopes.ts`) and `runtime.ts`.
 */

/** The `require` module code sees. */
export interface ModuleRequire {
  (specifier: string): unknown;
  /**
   * Where `specifier` would be loaded from: a module's `__file__`, or Node's resolution. With
   * `options.paths`, Node's resolution from those folders.
   */
  resolve: ((specifier: string, options?: { paths?: string[] }) => string) & {
    /** The folders Node's resolution looks in for `specifier` (`null` for a Node built-in). */
    paths(specifier: string): string[] | null;
  };
  /**
   * The modules of this import system by file, as Node's `require.cache` (see `requireCache`), over
   * Node's own cache for files Node loads itself.
   */
  readonly cache: Record<string, CommonJsModule | NodeJS.Module | undefined>;
  /** The CommonJS module of the system's `__main__`, else Node's own main module. */
  readonly main: CommonJsModule | NodeJS.Module | undefined;
}

/**
 * The CommonJS `module` object module code sees, as Node gives it. Assigning `exports` replaces the
 * registry entry; whatever `exports` holds after the body ran (however it was set, even by
 * `Object.defineProperty`) is read back then, as Node's `require` returns `module.exports`.
 */
export interface CommonJsModule {
  exports: unknown;
  /** `'.'` for the system's `__main__`, else the file (Node's ids). */
  readonly id: string;
  readonly filename: string;
  readonly path: string;
  /** `true` once the body has run to its end. */
  loaded: boolean;
  /** The module whose body first required this one; `null` when none was running (Node: deprecated). */
  readonly parent: CommonJsModule | null;
  /** The modules this one required, in order (Node's `module.children`). */
  readonly children: CommonJsModule[];
  /** The `node_modules` folders Node's resolution looks in from this file. */
  readonly paths: string[];
  readonly require: ModuleRequire;
}
