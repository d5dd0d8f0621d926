import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest test files, longest first (clean-clone run at `48bdaab`: 259, 145, 121, 62, 61, 51 and
 * 31 s). vitest orders files by the durations it cached on an earlier run, longest first; a fresh clone,
 * which is what CI runs, has no cache, so these may start last and leave a worker alone on a 4-minute
 * tail (16 min for a suite that takes 9 min when they start first).
 */
const SLOWEST_FIRST = [
  'apps/lab/src/runner/run-lab.test.ts',
  'apps/cli/src/commands/verify-lab-event.test.ts',
  'apps/aggregator/src/aggregator-process.test.ts',
  'apps/agent/src/update/self-update.test.ts',
  'packages/aggregator/src/kill-before-flush.test.ts',
  'apps/lab/src/demo/start-demo-network.test.ts',
  'apps/bench/src/quick-bench.test.ts',
];

function rank(file: TestSpecification): number {
  const index = SLOWEST_FIRST.findIndex((path) => file.moduleId.endsWith(path));
  return index === -1 ? SLOWEST_FIRST.length : index;
}

/** vitest's own order, with the known slowest files moved to the front (a stable sort). */
export class SlowestTestFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    return [...ordered].sort((a, b) => rank(a) - rank(b));
  }
}
