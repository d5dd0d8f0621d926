import type { TargetOutage } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import { InputMismatchError } from './errors.ts';
import { ScopeEventDraft } from './event-draft.ts';
import type { OutageSignals } from './outage-signals.ts';
import { initialScopeState, nextScopeState, ScopeMachineState } from './scope-machine.ts';
import { type AgentSpec, labOutageSignals, labWindow } from './testing.ts';
import type { WindowSummary } from './window-summary.ts';

const config = RollupConfig.parse({ windowMs: 60_000, outage: { baselineMs: 600_000 } });

const BLOCKED: AgentSpec[] = [
  ['blocked', 'blocked', 'blocked'],
  ['blocked', 'blocked', 'blocked'],
  ['blocked', 'blocked', 'blocked'],
];
const CLEAN: AgentSpec[] = [
  ['ok', 'ok', 'ok'],
  ['ok', 'ok', 'ok'],
  ['ok', 'ok', 'ok'],
];
const THROTTLED: AgentSpec[] = [
  ['throttled', 'throttled'],
  ['throttled', 'throttled'],
  ['throttled', 'throttled'],
];
const STALLED: AgentSpec[] = [
  ['stalled', 'stalled', 'ok'],
  ['stalled', 'stalled', 'stalled'],
  ['stalled', 'stalled'],
];
/** Everything down: what target runs look like while the network itself is gone. */
const DOWN: AgentSpec[] = [
  { runs: ['down', 'down'], controlsHealthy: false },
  { runs: ['down', 'down'], controlsHealthy: false },
  { runs: ['down', 'down'], controlsHealthy: false },
];
const COLLAPSED_CONTROLS = { healthyControlAgents: 0 };

type Step = {
  agents: AgentSpec[];
  outage?: Omit<Parameters<typeof labOutageSignals>[0], 'index'>;
  targetOutage?: TargetOutage;
};
type Outcome = { state: ScopeMachineState['state']; events: string[] };

/** Runs the machine over consecutive windows, checking every state and event against its schema. */
function run(steps: Step[], machineConfig: RollupConfig = config) {
  let state = initialScopeState('RU-MOW', 'whatsapp');
  const outcomes: Outcome[] = [];
  const states: ScopeMachineState[] = [];
  const events: ScopeEventDraft[] = [];
  steps.forEach((step, index) => {
    const window = labWindow({ index, agents: step.agents });
    const transition = nextScopeState(
      state,
      window,
      labOutageSignals({ index, ...step.outage }),
      machineConfig,
      step.targetOutage ?? null,
    );
    state = ScopeMachineState.parse(transition.state);
    for (const event of transition.events) events.push(ScopeEventDraft.parse(event));
    states.push(state);
    outcomes.push({ state: state.state, events: transition.events.map((event) => event.type) });
  });
  return { outcomes, states, events, final: state };
}

describe('nextScopeState: opening and closing with hysteresis', () => {
  it.each<[string, Step[], Outcome[]]>([
    [
      'block starts with 3 agents, stays open, survives one clean window, ends after the second',
      [{ agents: BLOCKED }, { agents: BLOCKED }, { agents: BLOCKED }, { agents: CLEAN }, { agents: CLEAN }],
      [
        { state: 'blocked', events: ['block.started'] },
        { state: 'blocked', events: [] },
        { state: 'blocked', events: [] },
        { state: 'blocked', events: [] },
        { state: 'accessible', events: ['block.ended'] },
      ],
    ],
    [
      'throttle starts and ends the same way',
      [{ agents: THROTTLED }, { agents: THROTTLED }, { agents: CLEAN }, { agents: CLEAN }],
      [
        { state: 'throttled', events: ['throttle.started'] },
        { state: 'throttled', events: [] },
        { state: 'throttled', events: [] },
        { state: 'accessible', events: ['throttle.ended'] },
      ],
    ],
    [
      'stall starts and ends the same way',
      [{ agents: STALLED }, { agents: CLEAN }, { agents: STALLED }, { agents: CLEAN }, { agents: CLEAN }],
      [
        { state: 'stalled', events: ['stall.started'] },
        { state: 'stalled', events: [] },
        { state: 'stalled', events: [] },
        { state: 'stalled', events: [] },
        { state: 'accessible', events: ['stall.ended'] },
      ],
    ],
    [
      'a blocked window between clean ones restarts the clean streak',
      [{ agents: BLOCKED }, { agents: CLEAN }, { agents: BLOCKED }, { agents: CLEAN }, { agents: CLEAN }],
      [
        { state: 'blocked', events: ['block.started'] },
        { state: 'blocked', events: [] },
        { state: 'blocked', events: [] },
        { state: 'blocked', events: [] },
        { state: 'accessible', events: ['block.ended'] },
      ],
    ],
    [
      'a mixed window (no quorum either way) keeps the block and restarts the clean streak',
      [
        { agents: BLOCKED },
        { agents: CLEAN },
        {
          agents: [
            ['blocked', 'blocked'],
            ['ok', 'ok'],
            ['ok', 'blocked'],
          ],
        },
        { agents: CLEAN },
        { agents: CLEAN },
      ],
      [
        { state: 'blocked', events: ['block.started'] },
        { state: 'blocked', events: [] },
        { state: 'blocked', events: [] },
        { state: 'blocked', events: [] },
        { state: 'accessible', events: ['block.ended'] },
      ],
    ],
    [
      'a block that turns into a throttle ends and the throttle starts, one event each',
      [{ agents: BLOCKED }, { agents: THROTTLED }],
      [
        { state: 'blocked', events: ['block.started'] },
        { state: 'throttled', events: ['block.ended', 'throttle.started'] },
      ],
    ],
    [
      'clean windows from the start show accessible and emit nothing',
      [{ agents: CLEAN }, { agents: CLEAN }],
      [
        { state: 'accessible', events: [] },
        { state: 'accessible', events: [] },
      ],
    ],
  ])('%s', (_name, steps, expected) => {
    expect(run(steps).outcomes).toEqual(expected);
  });

  it('closes only after the configured number of clean windows', () => {
    const threeToClose = RollupConfig.parse({ ...config, cleanWindowsToClose: 3 });
    const { outcomes } = run(
      [{ agents: BLOCKED }, { agents: CLEAN }, { agents: CLEAN }, { agents: CLEAN }],
      threeToClose,
    );
    expect(outcomes.map((outcome) => outcome.events)).toEqual([['block.started'], [], [], ['block.ended']]);
  });
});

describe('nextScopeState: quorum', () => {
  it.each<[string, AgentSpec[], RollupConfig?]>([
    [
      'a single agent reporting blocked on 100 % of runs',
      [['blocked', 'blocked', 'blocked', 'blocked', 'blocked']],
    ],
    [
      'a single agent flooding blocked runs (83 % share) among two honest agents',
      [Array(10).fill('blocked'), ['ok'], ['ok']],
    ],
    [
      '1 blocked agent of 3 (33 %)',
      [
        ['blocked', 'blocked'],
        ['ok', 'ok'],
        ['ok', 'ok'],
      ],
    ],
    [
      // Fuzz world 41208040: a liar beside its ISP's only honest agent, who timed out once on a congested line.
      "a flooding agent and another's one odd run of three (71 % share, one witness)",
      [
        ['blocked', 'blocked', 'blocked', 'blocked'],
        ['blocked', 'ok', 'ok'],
      ],
    ],
    [
      '2 agents on 60 % of runs, one of them blocked in only half of its own',
      [
        ['blocked', 'blocked', 'ok'],
        ['blocked', 'ok'],
      ],
    ],
    [
      '3 blocked agents when 2 of them had broken controls',
      [
        ['blocked', 'blocked'],
        { runs: ['blocked', 'blocked'], controlsHealthy: false },
        { runs: ['blocked', 'blocked'], controlsHealthy: false },
      ],
    ],
    [
      '2 agents agreeing on only 5 of 9 runs (56 %)',
      [
        ['blocked', 'blocked', 'blocked', 'ok', 'ok'],
        ['blocked', 'blocked', 'ok', 'ok'],
      ],
    ],
    [
      'a single agent even with a config that skipped validation (quorum 1, floor 1)',
      [['blocked', 'blocked', 'blocked', 'blocked']],
      { ...config, quorum: { agents: 1, share: 0.6 }, evidence: { minAgents: 1, minValidRuns: 1 } },
    ],
  ])('does not open for %s', (_name, agents, machineConfig) => {
    const { outcomes, events } = run([{ agents }, { agents }, { agents }], machineConfig);
    expect(events).toEqual([]);
    for (const outcome of outcomes) expect(outcome.state).not.toBe('blocked');
  });

  it.each<[string, AgentSpec[]]>([
    [
      'exactly 2 agents, each blocked in most of its runs, on exactly 60 % of runs',
      [['blocked', 'blocked', 'ok'], ['blocked'], ['ok']],
    ],
    [
      '2 agents of 3, the third unhealthy',
      [['blocked', 'blocked'], ['blocked', 'blocked'], { runs: ['down'], controlsHealthy: false }],
    ],
  ])('opens for %s', (_name, agents) => {
    expect(run([{ agents }]).outcomes).toEqual([{ state: 'blocked', events: ['block.started'] }]);
  });

  it('names the majority method of the agreeing runs', () => {
    const agents: AgentSpec[] = [
      ['blocked:sni-timeout', 'blocked:sni-timeout', 'blocked:reset'],
      ['blocked:sni-timeout', 'blocked:reset'],
      ['ok:timeout', 'ok:timeout', 'ok:timeout'],
    ];
    const { events, final } = run([{ agents }]);
    expect(events[0]?.method).toBe('sni-timeout');
    expect(final.interference?.method).toBe('sni-timeout');
  });
});

describe('nextScopeState: thin evidence', () => {
  it.each<[string, AgentSpec[]]>([
    ['one agent', [['ok', 'ok', 'ok', 'ok', 'ok']]],
    ['two agents with three valid runs', [['ok', 'ok'], ['ok']]],
    [
      'three agents whose runs all errored',
      [
        ['error', 'error'],
        ['error', 'error'],
        ['insufficient', 'error'],
      ],
    ],
  ])('says insufficient with %s', (_name, agents) => {
    expect(run([{ agents }]).outcomes).toEqual([{ state: 'insufficient', events: [] }]);
  });

  it('shows insufficient while evidence is thin but keeps the block open underneath', () => {
    const thin: AgentSpec[] = [['ok', 'ok']];
    const { outcomes, states } = run([
      { agents: BLOCKED },
      { agents: thin },
      { agents: thin },
      { agents: BLOCKED },
    ]);
    expect(outcomes).toEqual([
      { state: 'blocked', events: ['block.started'] },
      { state: 'insufficient', events: [] },
      { state: 'insufficient', events: [] },
      { state: 'blocked', events: [] },
    ]);
    expect(states[2]?.interference?.status).toBe('blocked');
    expect(states[3]?.since).toBe(states[0]?.since);
  });

  it('does not count a thin window as clean', () => {
    const { outcomes } = run([
      { agents: BLOCKED },
      { agents: CLEAN },
      { agents: [['ok']] },
      { agents: CLEAN },
      { agents: CLEAN },
    ]);
    expect(outcomes.map((outcome) => outcome.events)).toEqual([
      ['block.started'],
      [],
      [],
      [],
      ['block.ended'],
    ]);
  });
});

describe('nextScopeState: outage freeze', () => {
  it('neither ends a block nor opens one while controls collapse, and resumes after', () => {
    const { outcomes, states } = run([
      { agents: BLOCKED },
      { agents: DOWN, outage: COLLAPSED_CONTROLS },
      { agents: DOWN, outage: COLLAPSED_CONTROLS },
      { agents: BLOCKED },
      { agents: CLEAN },
      { agents: CLEAN },
    ]);
    expect(outcomes).toEqual([
      { state: 'blocked', events: ['block.started'] },
      { state: 'outage', events: [] },
      { state: 'outage', events: [] },
      { state: 'blocked', events: [] },
      { state: 'blocked', events: [] },
      { state: 'accessible', events: ['block.ended'] },
    ]);
    expect(states[2]?.interference?.status).toBe('blocked');
  });

  it('ignores clean-looking windows while heartbeats collapse, and restarts the clean streak', () => {
    const { outcomes } = run([
      { agents: BLOCKED },
      { agents: CLEAN },
      { agents: CLEAN, outage: { agentsHeard: 1 } },
      { agents: CLEAN },
      { agents: CLEAN },
    ]);
    expect(outcomes).toEqual([
      { state: 'blocked', events: ['block.started'] },
      { state: 'blocked', events: [] },
      { state: 'outage', events: [] },
      { state: 'blocked', events: [] },
      { state: 'accessible', events: ['block.ended'] },
    ]);
  });

  it('opens nothing while frozen even with a blocked quorum', () => {
    const { outcomes, events } = run([{ agents: BLOCKED, outage: { agentsHeard: 1 } }]);
    expect(outcomes).toEqual([{ state: 'outage', events: [] }]);
    expect(events).toEqual([]);
  });
});

describe('nextScopeState: target freeze (the target down across countries)', () => {
  const DOWN_EVERYWHERE: TargetOutage = { regions_failing: 9, regions_evidenced: 10, countries_failing: 4 };

  it('opens no block while the target fails almost everywhere, says why, and judges as usual after', () => {
    const { outcomes, states, events } = run([
      { agents: CLEAN },
      { agents: BLOCKED, targetOutage: DOWN_EVERYWHERE },
      { agents: BLOCKED, targetOutage: DOWN_EVERYWHERE },
      { agents: CLEAN },
    ]);
    expect(outcomes).toEqual([
      { state: 'accessible', events: [] },
      { state: 'outage', events: [] },
      { state: 'outage', events: [] },
      { state: 'accessible', events: [] },
    ]);
    expect(events).toEqual([]);
    expect(states[1]?.target_outage).toEqual(DOWN_EVERYWHERE);
    expect(states[3]?.target_outage).toBeUndefined();
  });

  it('keeps a block that was open before the target went down, and ends it only on clean windows after', () => {
    const { outcomes, states } = run([
      { agents: BLOCKED },
      { agents: BLOCKED, targetOutage: DOWN_EVERYWHERE },
      { agents: CLEAN },
      { agents: CLEAN },
    ]);
    expect(outcomes).toEqual([
      { state: 'blocked', events: ['block.started'] },
      { state: 'outage', events: [] },
      { state: 'blocked', events: [] },
      { state: 'accessible', events: ['block.ended'] },
    ]);
    expect(states[1]?.interference?.status).toBe('blocked');
  });

  it('shows a network too thin for a verdict as the target’s outage when its few runs fail (fuzz world 56)', () => {
    // Two agents whose rounds the timeouts slowed: 3 runs, below the verdict floor of 4, all failing.
    const thin: AgentSpec[] = [['ok', 'blocked'], ['blocked']];
    // The evaluator passes the target's outage only where the window's own runs testify to it.
    const { outcomes, states } = run([
      { agents: thin },
      { agents: thin, targetOutage: DOWN_EVERYWHERE },
      { agents: [['ok', 'ok'], ['ok']] },
    ]);
    expect(outcomes).toEqual([
      { state: 'insufficient', events: [] },
      { state: 'outage', events: [] },
      { state: 'insufficient', events: [] },
    ]);
    expect(states[1]?.target_outage).toEqual(DOWN_EVERYWHERE);
  });

  it('does not freeze a network that still reaches the target, nor throttles it cannot explain', () => {
    const { outcomes } = run([
      { agents: CLEAN, targetOutage: DOWN_EVERYWHERE },
      { agents: THROTTLED, targetOutage: DOWN_EVERYWHERE },
      { agents: THROTTLED },
    ]);
    expect(outcomes).toEqual([
      { state: 'accessible', events: [] },
      { state: 'outage', events: [] },
      { state: 'throttled', events: ['throttle.started'] },
    ]);
  });
});

describe('nextScopeState: event contents', () => {
  it('carries scope, target, method, since, counts, agreeing agents and witnesses of the window', () => {
    const window = labWindow({ index: 0, agents: BLOCKED });
    const { events } = nextScopeState(
      initialScopeState('RU-MOW', 'whatsapp'),
      window,
      labOutageSignals({ index: 0 }),
      config,
    );
    expect(events).toEqual([
      {
        type: 'block.started',
        scope: 'RU-MOW',
        target: 'whatsapp',
        method: 'sni-reset',
        since: window.window_start,
        at: window.window_end,
        confidence: 1,
        counts: { blocked: 9 },
        agents: 3,
        witnesses: window.witnesses.blocked,
        simulated: true,
      },
    ]);
  });

  it('dates block.ended from the block start and cites the clean runs', () => {
    const { events } = run([{ agents: BLOCKED }, { agents: BLOCKED }, { agents: CLEAN }, { agents: CLEAN }]);
    const [started, ended] = events;
    expect(ended?.since).toBe(started?.since);
    expect(ended?.at).toBe('2026-11-23T10:04:00.000Z');
    expect(ended?.witnesses).toHaveLength(9);
    expect(ended?.counts).toEqual({ ok: 9 });
  });

  it('caps witnesses at 50', () => {
    const many: AgentSpec[] = [Array(40).fill('blocked'), Array(40).fill('blocked')];
    const { events } = run([{ agents: many }]);
    expect(events[0]?.witnesses).toHaveLength(50);
  });

  it('marks events from real agents as not simulated', () => {
    const real: AgentSpec[] = [
      { runs: ['blocked', 'blocked'], simulated: false },
      { runs: ['blocked', 'blocked'], simulated: false },
    ];
    expect(run([{ agents: real }]).events[0]?.simulated).toBe(false);
  });
});

describe('nextScopeState: compare-and-set contract', () => {
  const window = labWindow({ index: 0, agents: BLOCKED });
  const signals = labOutageSignals({ index: 0 });

  it('is deterministic and leaves its inputs untouched', () => {
    const previous = initialScopeState('RU-MOW', 'whatsapp');
    const snapshot = structuredClone({ previous, window, signals });
    const first = nextScopeState(previous, window, signals, config);
    const second = nextScopeState(previous, window, signals, config);
    expect(second).toEqual(first);
    expect({ previous, window, signals }).toEqual(snapshot);
  });

  it('raises the version by one per applied window', () => {
    const { states } = run([
      { agents: BLOCKED },
      { agents: CLEAN },
      { agents: DOWN, outage: COLLAPSED_CONTROLS },
    ]);
    expect(states.map((state) => state.version)).toEqual([1, 2, 3]);
  });

  it('treats a replayed or older window as already applied', () => {
    const applied = nextScopeState(initialScopeState('RU-MOW', 'whatsapp'), window, signals, config).state;
    expect(nextScopeState(applied, window, signals, config)).toEqual({ state: applied, events: [] });
  });

  it.each<[string, WindowSummary, OutageSignals]>([
    [
      'another target',
      labWindow({ index: 0, agents: BLOCKED, target: 'telegram' }),
      labOutageSignals({ index: 0 }),
    ],
    [
      'another scope',
      labWindow({ index: 0, agents: BLOCKED, scope: 'AS12389' }),
      labOutageSignals({ index: 0 }),
    ],
    ['outage signals of another scope', window, labOutageSignals({ index: 0, scope: 'RU-SPE' })],
    ['outage signals of another window', window, labOutageSignals({ index: 1 })],
  ])('refuses input for %s', (_name, otherWindow, otherSignals) => {
    expect(() =>
      nextScopeState(initialScopeState('RU-MOW', 'whatsapp'), otherWindow, otherSignals, config),
    ).toThrow(InputMismatchError);
  });
});
