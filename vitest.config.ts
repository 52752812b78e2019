import { defineConfig } from 'vitest/config';
import { sharedWorkerFiles } from './test/support/shared-worker-files.ts';

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: '.test-results.json' }]],
    pool: 'forks',
    // Two cores: files run two at a time; each file that needs a broken server starts its own.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: sharedWorkerFiles,
          globalSetup: ['./test/global-setup.ts'],
        },
      },
      {
        // Files that touch no shared state run in reused processes: no start per file.
        extends: true,
        test: { name: 'shared-worker', include: sharedWorkerFiles, isolate: false },
      },
    ],
  },
});
