import type { ScopeState } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { stateNote } from './state-note.ts';

const base: ScopeState = {
  scope: 'DE-BE',
  target: 'signal',
  state: 'outage',
  method: 'outage',
  confidence: 0,
  since: '2026-12-05T10:00:00.000Z',
  agents: 2,
  simulated: false,
};

describe('stateNote', () => {
  it('says nothing when the state name says it all', () => {
    expect(stateNote(base)).toBeNull();
    expect(stateNote({ ...base, scope: 'DE', coverage: { live: 2, children: 2 } })).toBeNull();
  });

  it('tells a target outage from a network outage', () => {
    expect(
      stateNote({
        ...base,
        target_outage: { regions_failing: 4, regions_evidenced: 5, countries_failing: 3 },
      }),
    ).toBe(
      'the service itself is down, not censored: failing in 4 of 5 regions measured, across 3 countries',
    );
    // A country in the target's outage: its coverage (no network with reachability evidence) is not news.
    expect(
      stateNote({
        ...base,
        scope: 'DE',
        coverage: { live: 0, children: 2 },
        target_outage: { regions_failing: 1, regions_evidenced: 1, countries_failing: 1 },
      }),
    ).toBe('the service itself is down, not censored: failing in 1 of 1 region measured, across 1 country');
  });

  it('names the agents left out and the first reason, and the coverage of a country', () => {
    expect(
      stateNote({
        ...base,
        scope: 'RU',
        state: 'blocked',
        discounted: { agents: 1, reasons: ['3 consecutive windows: blocked against 2 peers', 'other'] },
        coverage: { live: 1, children: 3 },
      }),
    ).toBe(
      '1 agent left out for contradicting their peers: 3 consecutive windows: blocked against 2 peers (and 1 more); evidence from 1 of 3 regions and networks',
    );
  });
});
