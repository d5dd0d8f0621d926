import { describe, expect, it } from 'vitest';
import {
  type AgentStandings,
  asnsOfRuns,
  borrowedStandings,
  countedRuns,
  judgeAgents,
  nextStandings,
} from './agent-consistency.ts';
import { RollupConfig } from './config.ts';
import { type AgentSpec, labAgentId, labRuns, labWindowSpan } from './testing.ts';

const config = RollupConfig.parse({ windowMs: 60_000, outage: { baselineMs: 600_000 } });
const LIAR = labAgentId(1);
/** Agent 1 reports blocked with working controls; agents 2 and 3, behind the same censor, reach the target. */
const LYING: AgentSpec[] = [
  ['blocked', 'blocked', 'blocked'],
  ['ok', 'ok'],
  ['ok', 'ok'],
];
const HONEST: AgentSpec[] = [
  ['ok', 'ok'],
  ['ok', 'ok'],
  ['ok', 'ok'],
];

function afterWindows(windows: AgentSpec[][], start: AgentStandings = {}): AgentStandings {
  return windows.reduce(
    (standings, agents, index) =>
      nextStandings(standings, labRuns({ index, agents }), labWindowSpan(index).window_end, config),
    start,
  );
}

describe('judgeAgents', () => {
  it.each<[string, AgentSpec[], (string | null)[]]>([
    ['one agent blocked against two reaching peers', LYING, ['contradicts', null, null]],
    [
      'one agent blocked while its own controls fail: its network, not a lie',
      [{ runs: ['blocked', 'blocked'], controlsHealthy: false }, ['ok', 'ok'], ['ok', 'ok']],
      [null, null, null],
    ],
    [
      'one agent blocked against one peer: undecidable',
      [
        ['blocked', 'blocked'],
        ['ok', 'ok'],
      ],
      [null, null],
    ],
    [
      'a real block seen by most agents: nobody contradicts a majority of peers',
      [
        ['blocked', 'blocked'],
        ['blocked', 'blocked'],
        ['ok', 'ok'],
      ],
      [null, null, null],
    ],
  ])('%s', (_name, agents, expected) => {
    const judged = judgeAgents(labRuns({ index: 0, agents }), config);
    expect(
      agents.map((_, index) => (judged.get(labAgentId(index + 1)) == null ? null : 'contradicts')),
    ).toEqual(expected);
  });
});

describe('nextStandings', () => {
  it('discounts an agent after three contradicting windows, with the reason, and only its runs', () => {
    expect(afterWindows([LYING, LYING])[LIAR]?.discounted).toBeNull();
    const standings = afterWindows([LYING, LYING, LYING]);
    expect(standings[LIAR]?.discounted).toEqual({
      since: labWindowSpan(2).window_end,
      reason:
        '3 consecutive windows: reported blocked in 3 of 3 runs with its controls working, while 2 peers in the same ASN reached the target',
    });
    const runs = labRuns({ index: 3, agents: LYING });
    expect(countedRuns(runs, standings).map((run) => run.agent_id)).not.toContain(LIAR);
    expect(countedRuns(runs, standings)).toHaveLength(4);
  });

  it('a window of agreement breaks the streak; three of them count the agent again', () => {
    expect(afterWindows([LYING, LYING, HONEST, LYING])[LIAR]?.discounted).toBeNull();
    const discounted = afterWindows([LYING, LYING, LYING]);
    expect(afterWindows([HONEST, HONEST], discounted)[LIAR]?.discounted).not.toBeNull();
    expect(afterWindows([HONEST, HONEST, HONEST], discounted)[LIAR]).toBeUndefined();
  });
});

describe('peers of the same region', () => {
  const inRegions = (runs: ReturnType<typeof labRuns>, regions: string[]) =>
    runs.map((run) => ({ ...run, region: regions[Number(run.agent_id.slice(-1)) - 1] }));

  it('an agent blocked where its ISP peers of other regions reach the target is not a liar', () => {
    const runs = inRegions(labRuns({ index: 0, agents: LYING }), ['RU-MOW', 'RU-SPE', 'RU-SPE']);
    expect(judgeAgents(runs, config).get(LIAR)).toBeNull();
  });

  it('peers of its own region still refute it, and the reason says so', () => {
    const runs = inRegions(labRuns({ index: 0, agents: [...LYING, ['ok', 'ok']] }), [
      'RU-MOW',
      'RU-MOW',
      'RU-MOW',
      'RU-SPE',
    ]);
    expect(judgeAgents(runs, config).get(LIAR)).toMatch(/while 2 peers in the same ASN and region reached/);
  });
});

describe('borrowedStandings', () => {
  const discounted = afterWindows([LYING, LYING, LYING]);
  /** The region's window: the ASN's agents measured from AS64500; another agent from AS64501 blocks too. */
  const regionRuns = [
    ...labRuns({ index: 3, agents: LYING }).map((run) => ({ ...run, asn: 'AS64500' })),
    ...labRuns({ index: 3, agents: [[], [], [], ['blocked', 'blocked']] }).map((run) => ({
      ...run,
      asn: 'AS64501',
    })),
  ];

  it("takes each agent's standing from the ASN it measured from, and leaves out only the discounted", () => {
    const standings = borrowedStandings(regionRuns, new Map([['AS64500', discounted]]));
    expect(Object.keys(standings)).toEqual([LIAR]);
    const counted = countedRuns(regionRuns, standings);
    expect(counted.map((run) => run.agent_id)).not.toContain(LIAR);
    expect(counted).toHaveLength(regionRuns.length - 3);
  });

  it('an agent discounted in one ASN still counts when measuring from another', () => {
    const moved = regionRuns.map((run) => (run.agent_id === LIAR ? { ...run, asn: 'AS64999' } : run));
    expect(borrowedStandings(moved, new Map([['AS64500', discounted]]))).toEqual({});
  });

  it('runs stored before regions recorded their ASN all count', () => {
    const old = regionRuns.map(({ asn: _asn, ...run }) => run);
    expect(asnsOfRuns(old)).toEqual([]);
    expect(borrowedStandings(old, new Map([['AS64500', discounted]]))).toEqual({});
    expect(asnsOfRuns(regionRuns)).toEqual(['AS64500', 'AS64501']);
  });
});
