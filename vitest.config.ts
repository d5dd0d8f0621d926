import { defineConfig } from 'vitest/config';

// One vitest run over every workspace project gives the suite a single summary.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'infra/server', 'infra/prometheus'],
  },
});
