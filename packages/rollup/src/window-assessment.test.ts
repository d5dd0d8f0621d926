import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import { type AgentSpec, labRuns, labWindow, labWindowSpan, seededRandom } from './testing.ts';
import { assessWindow, majorityMethod } from './window-assessment.ts';
import { summarizeWindow, type WindowSummary } from './window-summary.ts';

const config = RollupConfig.parse({});

describe('assessWindow', () => {
  it.each<[string, AgentSpec[], ReturnType<typeof assessWindow>]>([
    ['one agent', [['ok', 'ok', 'ok', 'ok']], { kind: 'insufficient' }],
    [
      'three valid runs',
      [
        ['ok', 'ok'],
        ['ok', 'error'],
      ],
      { kind: 'insufficient' },
    ],
    [
      'a blocked quorum',
      [
        ['blocked', 'blocked'],
        ['blocked', 'blocked', 'ok'],
      ],
      { kind: 'interference', status: 'blocked', method: 'sni-reset', share: 0.8, agents: 2 },
    ],
    [
      // Fuzz world 41208040: a liar's fabricated blocks and its only peer's one timeout on a congested line.
      "one agent's flood and another's one odd run",
      [
        ['blocked', 'blocked', 'blocked', 'blocked'],
        ['blocked', 'ok', 'ok'],
      ],
      { kind: 'mixed' },
    ],
    [
      'an agent split evenly, which testifies to neither',
      [
        ['blocked', 'blocked'],
        ['blocked', 'ok'],
        ['ok', 'blocked', 'blocked'],
      ],
      { kind: 'interference', status: 'blocked', method: 'sni-reset', share: 5 / 7, agents: 2 },
    ],
    ['an ok quorum', [['ok', 'ok'], ['ok', 'blocked'], ['ok']], { kind: 'clean', share: 0.8, agents: 3 }],
    [
      'an even split',
      [
        ['blocked', 'blocked'],
        ['ok', 'ok'],
      ],
      { kind: 'mixed' },
    ],
    [
      'errors and downs, which are not valid runs',
      [
        ['blocked', 'blocked', 'error', 'error'],
        ['blocked', 'blocked', 'down', 'down'],
      ],
      { kind: 'interference', status: 'blocked', method: 'sni-reset', share: 1, agents: 2 },
    ],
    [
      'interference split between kinds',
      [['blocked', 'blocked'], ['throttled', 'throttled'], ['ok']],
      { kind: 'mixed' },
    ],
  ])('%s', (_name, agents, expected) => {
    expect(assessWindow(labWindow({ index: 0, agents }), config)).toEqual(expected);
  });

  it('prefers blocked over stalled over throttled when a low share lets several qualify', () => {
    const lowShare = RollupConfig.parse({ quorum: { share: 0.3 } });
    const agents: AgentSpec[] = [
      ['throttled', 'throttled'],
      ['throttled', 'throttled'],
      ['stalled', 'stalled'],
      ['stalled', 'stalled'],
      ['blocked', 'blocked'],
      ['blocked', 'blocked'],
    ];
    expect(assessWindow(labWindow({ index: 0, agents }), lowShare)).toMatchObject({ status: 'blocked' });
  });
});

describe('a block that starts mid-window (a model of random onsets and run phases)', () => {
  // Each agent runs 2-6 times per window at an even pace from a random phase; every run after the
  // onset is blocked. The rule before 2026-12-07 counted an agent towards the quorum on one healthy run
  // of the status; the testifying rule needs most of its runs, so a window split by an onset may open
  // one window later (docs/state-machine.md). This measures how much later, against the old rule.
  // Every run of the model has working controls, so an agent with one run of a status is in by_status.
  const oneRunRule = (summary: WindowSummary): WindowSummary => ({
    ...summary,
    agents: { ...summary.agents, testifying_by_status: summary.agents.by_status },
  });

  it.each([
    ['the same pace', 'same'],
    ['different paces', 'different'],
  ] as const)(
    'agents at %s open in the onset window at most 10 points less often, never where the old rule would not',
    (_name, pace) => {
      const random = seededRandom(20261207);
      const key = { scope: 'AS65400', target: 'whatsapp', ...labWindowSpan(0) };
      for (let agentCount = 2; agentCount <= 6; agentCount++) {
        let opened = 0;
        let openedByOldRule = 0;
        const windows = 1_000;
        for (let index = 0; index < windows; index++) {
          const onset = random();
          const sharedPace = 2 + Math.floor(random() * 5);
          const agents: AgentSpec[] = Array.from({ length: agentCount }, () => {
            const runs = pace === 'same' ? sharedPace : 2 + Math.floor(random() * 5);
            const phase = random() / runs;
            return Array.from({ length: runs }, (_, run) => (phase + run / runs < onset ? 'ok' : 'blocked'));
          });
          const summary = summarizeWindow(key, labRuns({ index: 0, agents }));
          const now = assessWindow(summary, config).kind === 'interference';
          const before = assessWindow(oneRunRule(summary), config).kind === 'interference';
          expect(
            !now || before,
            `${agentCount} agents, window ${index}: opens where the old rule did not`,
          ).toBe(true);
          if (now) opened += 1;
          if (before) openedByOldRule += 1;
        }
        expect(openedByOldRule / windows - opened / windows, `${agentCount} agents`).toBeLessThanOrEqual(0.1);
        // A model that never opened in the onset window would make the comparison empty.
        expect(opened / windows, `${agentCount} agents`).toBeGreaterThan(0.25);
      }
    },
  );
});

describe('majorityMethod', () => {
  it.each([
    [{ 'sni-reset': 3, reset: 5 }, 'reset'],
    [{ 'sni-reset': 2, nxdomain: 2 }, 'nxdomain'],
    [{}, null],
    [undefined, null],
  ] as const)('of %o is %s', (counts, expected) => {
    expect(majorityMethod(counts)).toBe(expected);
  });
});
