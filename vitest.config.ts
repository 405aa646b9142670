// Shared vitest config: every package runs its tests from `src` through the `@importlib/source`
// export condition, so no build is needed before testing.
import { defineConfig } from 'vitest/config';

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
