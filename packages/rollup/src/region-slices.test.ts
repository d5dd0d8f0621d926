import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import { nextRegionSlices, type RegionSlices, regionSplit } from './region-slices.ts';
import { initialScopeState, nextScopeState } from './scope-machine.ts';
import { type AgentSpec, labOutageSignals, labRuns, labWindowSpan } from './testing.ts';
import type { WindowRun } from './window-run.ts';
import { summarizeWindow } from './window-summary.ts';

const config = RollupConfig.parse({ windowMs: 60_000, outage: { baselineMs: 600_000 } });
const ASN = 'AS64500';

/**
 * One window of a national ISP: agents 1-2 measure from RU-MOW, agents 3-5 from RU-SPE, each run
 * tagged with its region as the store tags ASN runs.
 */
function windowRuns(index: number, moscow: AgentSpec, petersburg: AgentSpec): WindowRun[] {
  const regions = ['RU-MOW', 'RU-MOW', 'RU-SPE', 'RU-SPE', 'RU-SPE'];
  return labRuns({ index, agents: [moscow, moscow, petersburg, petersburg, petersburg] }).map((run) => ({
    ...run,
    region: regions[Number(run.agent_id.slice(-1)) - 1],
  }));
}

function afterWindows(windows: WindowRun[][]) {
  let machine = initialScopeState(ASN, 'whatsapp');
  let slices: RegionSlices = {};
  windows.forEach((runs, index) => {
    const key = { scope: ASN, target: 'whatsapp', ...labWindowSpan(index) };
    const outage = labOutageSignals({ index, scope: ASN, agentsHeard: 5, baseline: 5 });
    machine = nextScopeState(machine, summarizeWindow(key, runs), outage, config).state;
    slices = nextRegionSlices(slices, runs, key, outage, config);
  });
  return { machine, slices };
}

describe('region slices of an ASN', () => {
  it('an ISP blocking in one of its regions pools to accessible, and its slices show the split', () => {
    const windows = [0, 1, 2, 3].map((index) => windowRuns(index, ['blocked', 'blocked'], ['ok', 'ok']));
    const { machine, slices } = afterWindows(windows);
    // 4 of 10 runs blocked: below the quorum share, so the ASN's own machine says accessible.
    expect(machine.state).toBe('accessible');
    expect(slices['RU-MOW']?.state).toBe('blocked');
    expect(slices['RU-SPE']?.state).toBe('accessible');
    expect(regionSplit(slices)).toMatchObject({ method: 'sni-reset' });
  });

  it('regions that agree are no split, and an ISP heard from one region keeps no slices', () => {
    const agreeing = [0, 1, 2, 3].map((index) =>
      windowRuns(index, ['blocked', 'blocked'], ['blocked', 'blocked']),
    );
    expect(regionSplit(afterWindows(agreeing).slices)).toBeNull();
    const oneRegion = [0, 1, 2].map((index) =>
      windowRuns(index, ['ok'], ['ok']).map((run) => ({ ...run, region: 'RU-MOW' })),
    );
    expect(afterWindows(oneRegion).slices).toEqual({});
  });

  it('runs without a region (stored before ASN runs recorded it) make no slices', () => {
    const untagged = [0, 1, 2, 3].map((index) =>
      windowRuns(index, ['blocked', 'blocked'], ['ok', 'ok']).map(({ region: _region, ...run }) => run),
    );
    expect(afterWindows(untagged).slices).toEqual({});
  });
});
