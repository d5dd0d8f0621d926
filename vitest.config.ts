import { defineConfig } from 'vitest/config';

// One vitest run over every workspace project gives the suite a single summary; `repository` holds the
// tests of the repository's own tooling (scripts/), such as the dependency rules.
export default defineConfig({
  test: {
    // The suite waits more than it computes (windows, timers, child processes): with vitest's default
    // of one worker on 2 cores it took 18.8 min for 969 s of test files; three workers took 9.2 min
    // (docs/development.md, "Tasks"). REACHMAP_TEST_WORKERS changes it.
    maxWorkers: Number(process.env.REACHMAP_TEST_WORKERS ?? 3),
    projects: [
      'packages/*',
      'apps/*',
      'infra/server',
      'infra/prometheus',
      { test: { name: 'repository', include: ['scripts/**/*.test.ts'] } },
    ],
  },
});
