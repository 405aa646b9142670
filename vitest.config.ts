// Shared vitest config: every package runs its tests from `src` through the `@importlib/source`
// export condition, so no build is needed before testing.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// @swc/core extracts its native binding on first use; keep that inside the workspace (git-ignored),
// not in the user's home, so tests and CI are self-contained.
process.env.SWC_NATIVE_BINDING_CACHE ??= fileURLToPath(new URL('./.cache/swc', import.meta.url));

const conditions = ['@importlib/source', 'import', 'module', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  // Vitest hands the SSR conditions to its Node workers as `--conditions` flags, which Node's own
  // `require` then honours too: keep `import` (and bundler-only `module`) out of them, or every
  // `require.resolve` in a test would pick a package's ES module build (Vite adds `import` and
  // `require` by itself where it resolves).
  ssr: { resolve: { conditions: ['@importlib/source', 'node'], externalConditions: ['@importlib/source'] } },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
