import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts', 'contracts/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for what a user would see (a toast, a pushed row): 1 s by default, too
    // short on a busy 2-core machine; a poll that can never succeed still fails.
    expect: { poll: { timeout: 10_000 } },
  },
});
