import { defineConfig } from 'vitest/config';

/**
 * The tests run again with ASMA_POISON_RECYCLED=1 (autodiff/src/grad/recycle.ts): recycled buffers
 * handed out non-zeroed come filled with NaN, so a kernel that does not overwrite its whole output
 * fails them. The ops, layer and model suites are the ones that allocate through the pool (the kernel
 * suites call kernels on their own arrays; kernels/test/output-contract.test.ts checks those).
 */
const poisoned = [
  'packages/autodiff/test/ops/*.test.ts',
  'packages/autodiff/test/{nn,nn-fold,tape,golden-stgcn}.test.ts',
  'packages/autodiff/test/*.poison.test.ts',
  'packages/trainer/test/model-stgcn*.test.ts',
];

// A kernel worker that does not answer fails its call after 2 minutes, not 10 (see threads/pool.ts).
const env = { ASMA_KERNEL_THREAD_TIMEOUT_S: '120' };

// Tests import workspace packages through their "source" export condition,
// so the suite runs on the TypeScript sources without a prior build.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    testTimeout: 60_000,
    pool: 'forks',
    // Tests' console output is shown for failing tests only: CI logs stay short enough to read whole.
    silent: 'passed-only',
    // Kills a test process whose test blocks its thread for minutes, naming the test (see the file).
    setupFiles: ['tools/test/watchdog.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['**/*.poison.test.ts'],
          env,
        },
      },
      {
        extends: true,
        test: { name: 'poisoned-buffers', include: poisoned, env: { ...env, ASMA_POISON_RECYCLED: '1' } },
      },
    ],
  },
});
