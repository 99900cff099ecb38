import { defineConfig } from 'vitest/config';

const shared = { globalSetup: ['tests/support/global-setup.ts'], testTimeout: 30_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], ...shared } },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          ...shared,
          setupFiles: ['tests/support/no-provoked-429s.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // The seed replay, the scale test and the schedule faults again, each on a private 3-master Redis Cluster,
        // once the other projects are done (the same bot processes at once would only slow each other down).
        test: {
          name: 'cluster',
          include: [
            'tests/e2e/seed-live.test.ts',
            'tests/e2e/seed-recap.test.ts',
            'tests/e2e/scale.test.ts',
            'tests/e2e/schedule-faults.test.ts',
          ],
          ...shared,
          testTimeout: 60_000,
          setupFiles: ['tests/support/no-provoked-429s.ts'],
          env: { LECTERN_TEST_REDIS: 'cluster' },
          // One file at a time: each starts a cluster and several bot processes, and the timing checks of the
          // schedule faults (a post within 1 s of its time after every node restarts) need the machine to themselves.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
