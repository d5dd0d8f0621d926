import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import { reassessLastWindow } from './late-runs.ts';
import { initialScopeState, nextScopeState } from './scope-machine.ts';
import { type AgentSpec, labOutageSignals, labWindow } from './testing.ts';

const config = RollupConfig.parse({ windowMs: 60_000, outage: { baselineMs: 600_000 } });

/** Judges window 0 on the runs that arrived in time, then again once `late` runs arrived too. */
function judgeThenReassess(inTime: AgentSpec[], withLate: AgentSpec[]) {
  const before = initialScopeState('RU-MOW', 'whatsapp');
  const firstWindow = labWindow({ index: 0, agents: inTime });
  const outage = labOutageSignals({ index: 0 });
  const first = nextScopeState(before, firstWindow, outage, config);
  const record = {
    previous: before,
    runs: Object.values(firstWindow.counts).reduce((sum, count) => sum + (count ?? 0), 0),
    events: first.events.map((event) => event.type),
  };
  const again = reassessLastWindow(
    first.state,
    record,
    labWindow({ index: 0, agents: withLate }),
    outage,
    config,
  );
  return { first, again };
}

describe('reassessLastWindow', () => {
  it('opens a stall that only the late rounds of three agents bring over the evidence floor', () => {
    // Three agents, each round ~36 s: in time, only 3 runs (below the floor of 4).
    const { first, again } = judgeThenReassess(
      [['stalled', 'stalled'], ['stalled'], []],
      [['stalled', 'stalled'], ['stalled', 'stalled'], ['stalled']],
    );
    expect(first.state.state).toBe('insufficient');
    expect(first.events).toEqual([]);
    expect(again?.state.state).toBe('stalled');
    expect(again?.state.version).toBe(first.state.version + 1);
    expect(again?.events.map((event) => event.type)).toEqual(['stall.started']);
  });

  it('never emits an event twice: late runs that confirm an opened stall add no event', () => {
    const { first, again } = judgeThenReassess(
      [['stalled', 'stalled'], ['stalled', 'stalled'], []],
      [
        ['stalled', 'stalled'],
        ['stalled', 'stalled'],
        ['stalled', 'stalled'],
      ],
    );
    expect(first.events.map((event) => event.type)).toEqual(['stall.started']);
    expect(again?.state.state).toBe('stalled');
    expect(again?.events).toEqual([]);
  });

  it('never retracts an event silently: late runs that would undo it leave the first judgement', () => {
    const { first, again } = judgeThenReassess(
      [['blocked', 'blocked'], ['blocked', 'blocked'], []],
      [
        ['blocked', 'blocked'],
        ['blocked', 'blocked'],
        ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'],
      ],
    );
    expect(first.events.map((event) => event.type)).toEqual(['block.started']);
    expect(again).toBeNull();
  });

  it('does nothing without new runs, or once a later window was applied', () => {
    const spec: AgentSpec[] = [
      ['ok', 'ok'],
      ['ok', 'ok'],
    ];
    expect(judgeThenReassess(spec, spec).again).toBeNull();
    const before = initialScopeState('RU-MOW', 'whatsapp');
    const first = nextScopeState(
      before,
      labWindow({ index: 0, agents: spec }),
      labOutageSignals({ index: 0 }),
      config,
    );
    const second = nextScopeState(
      first.state,
      labWindow({ index: 1, agents: spec }),
      labOutageSignals({ index: 1 }),
      config,
    );
    const record = { previous: before, runs: 4, events: [] };
    expect(
      reassessLastWindow(
        second.state,
        record,
        labWindow({ index: 0, agents: [...spec, ['ok']] }),
        labOutageSignals({ index: 0 }),
        config,
      ),
    ).toBeNull();
  });
});
