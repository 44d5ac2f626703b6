import { defineConfig } from 'vitest/config';

/**
 * Tests that start real servers, a browser or child processes, or measure time: they run after
 * the unit tests and one file at a time, so that no other test competes with them for the CPU
 * (the machines have two cores).
 */
const SYSTEM_TESTS = [
  'test/http/e2e.test.ts',
  'test/http/swagger-ui.test.ts',
  'test/http/viewer.test.ts',
  'test/http/protection.test.ts',
  'test/ops/**/*.test.ts',
  'test/system/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: SYSTEM_TESTS, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'system', include: SYSTEM_TESTS, fileParallelism: false, testTimeout: 120_000, sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
