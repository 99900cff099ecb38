import { defineConfig } from 'vitest/config';

const shared = { globalSetup: ['tests/support/global-setup.ts'], testTimeout: 30_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], ...shared } },
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], ...shared, testTimeout: 60_000 } },
    ],
  },
});
