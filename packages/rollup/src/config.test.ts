import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';

describe('RollupConfig', () => {
  it('fills every default from an empty object', () => {
    expect(RollupConfig.parse({})).toEqual({
      windowMs: 900_000,
      quorum: { agents: 2, share: 0.6 },
      evidence: { minAgents: 2, minValidRuns: 4 },
      cleanWindowsToClose: 2,
      outage: {
        minAgents: 2,
        controlFailureShare: 0.5,
        heartbeatWarningRatio: 0.8,
        heartbeatCriticalRatio: 0.5,
        baselineMs: 604_800_000,
        cleanWindowsToClose: 2,
      },
      consistency: { windows: 3, minPeers: 2 },
      targetOutage: { share: 0.8, minCountries: 3, minRuns: 2, failingShare: 0.4 },
      retention: { '5m': 172_800_000, '1h': 7_776_000_000, '1d': 94_608_000_000 },
    });
  });

  it('accepts the lab profile of 60 s windows', () => {
    const config = RollupConfig.parse({ windowMs: 60_000, outage: { baselineMs: 600_000 } });
    expect(config.windowMs).toBe(60_000);
    expect(config.outage.heartbeatCriticalRatio).toBe(0.5);
  });

  it.each([
    ['a single-agent quorum', { quorum: { agents: 1 } }],
    ['a zero quorum share', { quorum: { share: 0 } }],
    ['a quorum share above 1', { quorum: { share: 1.2 } }],
    ['a sub-second window', { windowMs: 500 }],
    ['zero clean windows', { cleanWindowsToClose: 0 }],
    ['critical above warning', { outage: { heartbeatWarningRatio: 0.5, heartbeatCriticalRatio: 0.8 } }],
    ['a baseline shorter than a window', { windowMs: 60_000, outage: { baselineMs: 30_000 } }],
    ['a control failure share of 1', { outage: { controlFailureShare: 1 } }],
    ['a single peer deciding who lies', { consistency: { minPeers: 1 } }],
    ['one country making a target outage', { targetOutage: { minCountries: 1 } }],
  ])('rejects %s', (_name, input) => {
    expect(RollupConfig.safeParse(input).success).toBe(false);
  });
});
