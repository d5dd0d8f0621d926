import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import { type AgentSpec, labWindow } from './testing.ts';
import { assessWindow, majorityMethod } from './window-assessment.ts';

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
