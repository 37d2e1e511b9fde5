import { defineConfig } from 'vitest/config';

/** The end-to-end suite: real Chromium against the production renderer build and the test bridge. */
export default defineConfig({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
