import { defineConfig } from 'vitest/config';

// One vitest run over every workspace project gives the suite a single summary; `repository` holds the
// tests of the repository's own tooling (scripts/), such as the dependency rules.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      'infra/server',
      'infra/prometheus',
      { test: { name: 'repository', include: ['scripts/**/*.test.ts'] } },
    ],
  },
});
