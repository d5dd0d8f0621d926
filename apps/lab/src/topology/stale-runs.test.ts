import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimRun, sweepStaleRuns } from './stale-runs.ts';

const asRoot = process.getuid?.() === 0 && spawnSync('ip', ['-V']).status === 0;
const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

describe.skipIf(!asRoot)('sweeping the namespaces of lab runs killed without teardown (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reachmap-lab-runs-'));
  // Ids of this test only: the sweep is told to look at nothing else, so lab runs beside it are safe.
  const [dead, orphan, live] = ['d', 'e', 'f'].map(
    (c) => `${c}${process.pid.toString(16).padStart(5, '0').slice(-5)}`,
  );
  const created = [`rl${dead}-w`, `rl${dead}-r0a0`, `rl${orphan}-w`, `rl${live}-w`];
  afterAll(() => {
    for (const name of created) spawnSync('ip', ['netns', 'del', name]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes the runs whose owner is gone or unknown and keeps those of live processes', () => {
    for (const name of created) execFileSync('ip', ['netns', 'add', name]);
    // A pid that surely names no process: one that has just exited.
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, `${dead}.pid`), `${exited}\n`);
    claimRun(live as string, dir);

    const swept = sweepStaleRuns({ dir, only: new Set([dead, orphan, live] as string[]) });

    expect(swept.sort()).toEqual([dead, orphan].sort());
    const left = namespaces();
    expect(left).not.toContain(`rl${dead}-w`);
    expect(left).not.toContain(`rl${dead}-r0a0`);
    expect(left).not.toContain(`rl${orphan}-w`);
    expect(left).toContain(`rl${live}-w`);
  });
});
