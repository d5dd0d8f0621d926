import { defineConfig } from 'vitest/config';
import { SlowestTestFilesFirst } from './scripts/slowest-test-files-first.ts';

// One vitest run over every workspace project gives the suite a single summary; `repository` holds the
// tests of the repository's own tooling (scripts/), such as the dependency rules.
export default defineConfig({
  test: {
    // How many files run at once is given on the command line (`--maxWorkers` in scripts/test.sh and
    // `pnpm test`): with `projects`, vitest 5.1 ignores a root `maxWorkers` (measured: one file at a
    // time), while the flag reaches every project. The longest files start first.
    sequence: { sequencer: SlowestTestFilesFirst },
    projects: [
      'packages/*',
      'apps/*',
      'infra/server',
      'infra/prometheus',
      { test: { name: 'repository', include: ['scripts/**/*.test.ts'] } },
    ],
  },
});
