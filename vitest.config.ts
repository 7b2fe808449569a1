import { defineConfig } from 'vitest/config';

// Tests import workspace packages through their "source" export condition,
// so the suite runs on the TypeScript sources without a prior build.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Tests' console output is shown for failing tests only: CI logs stay short enough to read whole.
    silent: 'passed-only',
    // Kills a test process whose test blocks its thread for minutes, naming the test (see the file).
    setupFiles: ['tools/test/watchdog.ts'],
    // A kernel worker that does not answer fails its call after 2 minutes, not 10 (see threads/pool.ts).
    env: { ASMA_KERNEL_THREAD_TIMEOUT_S: '120' },
  },
});
