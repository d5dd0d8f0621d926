import { spawnSync } from 'node:child_process';
import { createLogger } from '@reachmap/telemetry';
import { describe, expect, it } from 'vitest';
import { detectLabMode } from './lab-mode.ts';
import { runLab } from './run-lab.ts';
import { shortSniResetScenario, TEST_WINDOW_MS } from './testing/short-scenario.ts';

const logger = createLogger({ name: 'lab-kernel-test', level: 'silent' });

describe.skipIf(detectLabMode() !== 'kernel')('the lab runner end to end (kernel lab, root only)', () => {
  it('detects the SNI reset through namespaces and nftables, sees it end, and leaves no namespace', async () => {
    const report = await runLab([shortSniResetScenario()], {
      mode: 'kernel',
      parallel: 1,
      logger,
      signal: new AbortController().signal,
      windowMs: TEST_WINDOW_MS,
    });
    const [scenario] = report.scenarios;
    expect(scenario?.error).toBeNull();
    expect(scenario?.scores.map((score) => [score.label, score.pass, score.detail])).toEqual(
      scenario?.scores.map((score) => [score.label, true, score.detail]),
    );
    expect(scenario?.network).toMatch(/^rl[0-9a-f]{6}$/);
    const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    expect(namespaces).not.toContain(`${scenario?.network}-`);
  }, 360_000);
});
