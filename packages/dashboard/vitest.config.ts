import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@reachmap/dashboard',
    // The browser tests need chromium and a fresh build of dist/ before any test file runs.
    globalSetup: ['./src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
