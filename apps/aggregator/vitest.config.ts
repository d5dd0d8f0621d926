import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@reachmap/aggregator-app',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
