import { defineConfig } from 'vitest/config';

/**
 * The live suites: the adapters against real dbt, Okta and Entra tenants, only when LIVE_DBT,
 * LIVE_OKTA or LIVE_ENTRA is set (every suite is skipped otherwise, so this passes in CI). One file
 * at a time, with real networks' timeouts.
 */
export default defineConfig({
  test: {
    name: 'live',
    environment: 'node',
    include: ['test/live/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    retry: 0,
  },
});
