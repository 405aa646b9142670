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
  ssr: { resolve: { conditions, externalConditions: ['@importlib/source'] } },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
