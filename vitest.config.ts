import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'cli/**/*.test.ts'],
    // A bound against hangs only (10 min): no test may fail because the machine is busy.
    testTimeout: 600_000,
    setupFiles: ['test/setup.ts'],
  },
});
