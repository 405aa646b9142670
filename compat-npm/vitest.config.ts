// The shared config, plus the suite's own set-up: fetch the packages and compute Node's answers
// once, before any test file runs. A cold run (no npm cache, no compiled cache) transpiles whole
// packages, hence the long timeouts.
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.config.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['./test/global-setup.ts'],
      testTimeout: 120_000,
      hookTimeout: 300_000,
    },
  }),
);
