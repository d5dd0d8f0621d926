import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import { InputMismatchError } from './errors.ts';
import { ScopeEventDraft } from './event-draft.ts';
import { initialOutageState, nextOutageState, OutageMachineState } from './outage-machine.ts';
import { labOutageSignals } from './testing.ts';

const config = RollupConfig.parse({ windowMs: 60_000, outage: { baselineMs: 600_000 } });

type Signals = Omit<Parameters<typeof labOutageSignals>[0], 'index'>;
const HEALTHY: Signals = {};
const CONTROLS_DOWN: Signals = { healthyControlAgents: 0 };
const SILENT: Signals = { agentsHeard: 0, controlAgents: 0 };

function run(steps: Signals[]) {
  let state = initialOutageState('RU-MOW');
  const outcomes: Array<{ state: OutageMachineState['state']; events: string[] }> = [];
  const events: ScopeEventDraft[] = [];
  steps.forEach((step, index) => {
    const transition = nextOutageState(state, labOutageSignals({ index, ...step }), config);
    state = OutageMachineState.parse(transition.state);
    for (const event of transition.events) events.push(ScopeEventDraft.parse(event));
    outcomes.push({ state: state.state, events: transition.events.map((event) => event.type) });
  });
  return { outcomes, events, final: state };
}

describe('nextOutageState', () => {
  it.each<[string, Signals[], string[][]]>([
    [
      'controls collapse for all agents: starts at once, ends after two healthy windows',
      [HEALTHY, CONTROLS_DOWN, CONTROLS_DOWN, HEALTHY, HEALTHY, HEALTHY],
      [[], ['outage.started'], [], [], ['outage.ended'], []],
    ],
    [
      'agents go silent (0 of a baseline of 3)',
      [SILENT, SILENT, HEALTHY, HEALTHY],
      [['outage.started'], [], [], ['outage.ended']],
    ],
    [
      'heartbeats at 33 % of the baseline (critical, IODA < 50 %)',
      [{ agentsHeard: 1 }, HEALTHY, HEALTHY],
      [['outage.started'], [], ['outage.ended']],
    ],
    [
      'a collapse during the recovery streak restarts it',
      [CONTROLS_DOWN, HEALTHY, CONTROLS_DOWN, HEALTHY, HEALTHY],
      [['outage.started'], [], [], [], ['outage.ended']],
    ],
    ['heartbeats at 67 % of the baseline (a warning, not an outage)', [{ agentsHeard: 2 }], [[]]],
    [
      'exactly half the agents with failed controls (not most)',
      [{ controlAgents: 4, healthyControlAgents: 2 }],
      [[]],
    ],
    [
      'a single agent whose controls fail (one dead uplink)',
      [{ controlAgents: 1, healthyControlAgents: 0 }],
      [[]],
    ],
    ['silence with no baseline yet', [{ agentsHeard: 0, controlAgents: 0, baseline: null }], [[]]],
    [
      'silence in a scope whose baseline is one agent',
      [{ agentsHeard: 0, controlAgents: 0, baseline: 1 }],
      [[]],
    ],
  ])('%s', (_name, steps, expected) => {
    expect(run(steps).outcomes.map((outcome) => outcome.events)).toEqual(expected);
  });

  it('keeps a country out of outage while one of its regions or ASNs is live, and opens it once none is', () => {
    const country = (liveChildren: number, index: number) =>
      nextOutageState(
        initialOutageState('RU'),
        labOutageSignals({ index, scope: 'RU', healthyControlAgents: 0 }),
        config,
        liveChildren,
      );
    expect(country(1, 0)).toMatchObject({ state: { state: 'normal' }, events: [] });
    expect(country(0, 0).events.map((event) => event.type)).toEqual(['outage.started']);
  });

  it('records the cause and the heartbeat level', () => {
    expect(run([{ agentsHeard: 2 }]).final).toMatchObject({ state: 'normal', heartbeat_level: 'warning' });
    expect(run([CONTROLS_DOWN]).final).toMatchObject({ cause: 'controls', heartbeat_level: 'normal' });
    expect(run([{ agentsHeard: 1, healthyControlAgents: 0 }]).final).toMatchObject({
      cause: 'controls-and-heartbeats',
      heartbeat_level: 'critical',
    });
  });

  it('describes the outage in its events', () => {
    const { events } = run([CONTROLS_DOWN, HEALTHY, HEALTHY]);
    expect(events[0]).toMatchObject({
      type: 'outage.started',
      scope: 'RU-MOW',
      target: null,
      method: 'outage',
      since: '2026-11-23T10:00:00.000Z',
      at: '2026-11-23T10:01:00.000Z',
      confidence: 1,
      counts: { ok: 0, down: 12 },
      agents: 3,
      simulated: true,
    });
    expect(events[0]?.witnesses).toHaveLength(12);
    expect(events[1]).toMatchObject({
      type: 'outage.ended',
      since: '2026-11-23T10:00:00.000Z',
      at: '2026-11-23T10:03:00.000Z',
      confidence: 1,
    });
  });

  it('ignores a replayed window and refuses another scope', () => {
    const signals = labOutageSignals({ index: 0, ...CONTROLS_DOWN });
    const applied = nextOutageState(initialOutageState('RU-MOW'), signals, config).state;
    expect(nextOutageState(applied, signals, config)).toEqual({ state: applied, events: [] });
    expect(() => nextOutageState(applied, labOutageSignals({ index: 1, scope: 'AS12389' }), config)).toThrow(
      InputMismatchError,
    );
  });
});
