import { defineProject } from 'vitest/config';

// The tests start redis-server, a Redis Cluster and child processes: generous bounds on a loaded machine.
export default defineProject({
  test: {
    name: '@reachmap/bench',
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
