import { describe, expect, it } from 'vitest';
import { labAgentId, labRuns } from './testing.ts';
import { agentRuns } from './window-run.ts';

describe('agentRuns', () => {
  it('counts each agent’s valid and ok runs, and its valid runs per status whose controls worked', () => {
    const runs = labRuns({
      index: 0,
      agents: [
        ['blocked', 'blocked', 'ok', 'down', 'error', 'insufficient'],
        { runs: ['blocked', 'stalled'], controlsHealthy: false },
      ],
    });
    // One run of agent 2 from a healthy round beside its unhealthy ones.
    const agents = agentRuns([...runs, ...labRuns({ index: 0, agents: [[], ['blocked']] })]);
    expect(agents.get(labAgentId(1))).toEqual({
      region: '',
      valid: 3,
      ok: 1,
      healthyByStatus: new Map([
        ['blocked', 2],
        ['ok', 1],
      ]),
    });
    expect(agents.get(labAgentId(2))).toEqual({
      region: '',
      valid: 3,
      ok: 0,
      healthyByStatus: new Map([['blocked', 1]]),
    });
  });

  it('leaves out agents without a valid run and takes the region from the first valid one', () => {
    const runs = labRuns({
      index: 0,
      agents: [
        ['down', 'error'],
        ['ok', 'ok'],
      ],
    });
    const regions = [undefined, undefined, 'RU-SPE', 'RU-MOW'];
    const agents = agentRuns(runs.map((run, index) => ({ ...run, region: regions[index] })));
    expect([...agents.keys()]).toEqual([labAgentId(2)]);
    expect(agents.get(labAgentId(2))?.region).toBe('RU-SPE');
  });
});
