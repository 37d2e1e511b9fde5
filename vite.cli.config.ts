/**
 * Builds the headless CLI (`dbt-scim-wizard`, the package's `bin`) for plain Node.
 * From a checkout, `npm run cli` runs the TypeScript directly instead.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: resolve(import.meta.dirname, 'electron/cli/index.ts'),
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    rolldownOptions: { output: { entryFileNames: 'index.js', banner: '#!/usr/bin/env node' } },
  },
});
