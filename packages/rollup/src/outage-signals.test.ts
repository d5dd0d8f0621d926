import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import { heartbeatBaseline, OutageSignals } from './outage-signals.ts';
import { labOutageSignals } from './testing.ts';

describe('heartbeatBaseline', () => {
  const config = RollupConfig.parse({ windowMs: 60_000, outage: { baselineMs: 300_000 } });

  it.each<[string, number[], number | null]>([
    ['no history', [], null],
    ['an odd history', [3, 9, 4], 4],
    ['an even history', [2, 4, 6, 8], 5],
    ['a history with an outage in it', [5, 5, 0, 5, 5], 5],
    ['only the last five windows (baselineMs / windowMs)', [50, 50, 50, 3, 3, 3, 4, 4], 3],
    ['the windows since the scope was first heard', [0, 3], 3],
    ['a scope never heard', [0, 0], null],
  ])('is the median of %s', (_name, history, expected) => {
    expect(heartbeatBaseline(history, config)).toBe(expected);
  });
});

describe('OutageSignals', () => {
  it('accepts the fixture and rejects impossible counts', () => {
    const signals = labOutageSignals({ index: 0 });
    expect(OutageSignals.safeParse(signals).success).toBe(true);
    const tooHealthy = { ...signals, controls: { ...signals.controls, agents_healthy: 4 } };
    const tooFailed = { ...signals, controls: { ...signals.controls, runs_failed: 13 } };
    expect(OutageSignals.safeParse(tooHealthy).success).toBe(false);
    expect(OutageSignals.safeParse(tooFailed).success).toBe(false);
  });
});
