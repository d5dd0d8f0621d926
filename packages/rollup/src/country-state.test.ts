import type { Method } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { type CountryState, deriveCountryState } from './country-state.ts';
import { InputMismatchError } from './errors.ts';
import { initialScopeState, type ScopeMachineState, type ScopeMachineStateName } from './scope-machine.ts';

function child(scope: string, state: ScopeMachineStateName, method: Method | null = null): ScopeMachineState {
  const since = '2026-11-23T10:00:00.000Z';
  const interference =
    state === 'blocked' || state === 'throttled' || state === 'stalled'
      ? {
          status: state,
          method,
          since,
          confidence: 1,
          agents: 3,
          counts: {},
          witnesses: [],
          clean_windows: 0,
          simulated: false,
        }
      : null;
  return { ...initialScopeState(scope, 'whatsapp'), state, since, interference };
}

describe('deriveCountryState', () => {
  it.each<[string, ScopeMachineState[], Omit<CountryState, 'coverage'>]>([
    ['no children', [], { state: 'insufficient', method: null }],
    [
      'only children without evidence',
      [child('RU-MOW', 'insufficient'), child('AS12389', 'insufficient')],
      { state: 'insufficient', method: null },
    ],
    [
      'every child with evidence blocks (thin children do not vote)',
      [
        child('RU-MOW', 'blocked', 'sni-reset'),
        child('AS12389', 'blocked', 'sni-reset'),
        child('RU-SPE', 'insufficient'),
      ],
      { state: 'blocked', method: 'sni-reset' },
    ],
    [
      'one ASN blocks and another does not',
      [
        child('AS12389', 'blocked', 'dns-mismatch'),
        child('AS8359', 'accessible'),
        child('RU-MOW', 'accessible'),
      ],
      { state: 'partial', method: 'dns-mismatch' },
    ],
    [
      'one region throttles and another blocks',
      [
        child('RU-MOW', 'throttled', 'rate-cap'),
        child('RU-SPE', 'blocked', 'sni-reset'),
        child('RU-KDA', 'blocked', 'sni-reset'),
      ],
      { state: 'partial', method: 'sni-reset' },
    ],
    [
      'every child with evidence throttles',
      [child('RU-MOW', 'throttled', 'rate-cap'), child('AS8359', 'throttled', 'rate-cap')],
      { state: 'throttled', method: 'rate-cap' },
    ],
    [
      'every child with evidence stalls',
      [child('RU-MOW', 'stalled', 'stall')],
      { state: 'stalled', method: 'stall' },
    ],
    [
      'every child accessible',
      [child('RU-MOW', 'accessible'), child('AS8359', 'accessible')],
      { state: 'accessible', method: null },
    ],
    [
      'every child in outage',
      [child('RU-MOW', 'outage'), child('AS12389', 'outage')],
      { state: 'outage', method: 'outage' },
    ],
    [
      'one region (and its ASN) down, the other region (and its ASN) accessible: the outage stays regional',
      [
        child('RU-DA', 'outage'),
        child('AS64520', 'outage'),
        child('RU-MOW', 'accessible'),
        child('AS64521', 'accessible'),
      ],
      { state: 'accessible', method: null },
    ],
    [
      'one region down, the other blocks: the block is not the whole country',
      [child('RU-DA', 'outage'), child('AS64520', 'outage'), child('RU-MOW', 'blocked', 'sni-reset')],
      { state: 'partial', method: 'sni-reset' },
    ],
    [
      'a minority of children in outage, the rest blocked',
      [child('RU-MOW', 'outage'), child('RU-SPE', 'blocked', 'reset'), child('AS8359', 'blocked', 'reset')],
      { state: 'partial', method: 'reset' },
    ],
    [
      'outage and thin children only',
      [child('RU-MOW', 'outage'), child('AS8359', 'insufficient')],
      { state: 'outage', method: 'outage' },
    ],
    [
      'blocking methods tied between children (schema order decides)',
      [child('RU-MOW', 'blocked', 'sni-reset'), child('RU-SPE', 'blocked', 'nxdomain')],
      { state: 'blocked', method: 'nxdomain' },
    ],
  ])('%s', (_name, children, expected) => {
    const live = children.filter((c) => !['insufficient', 'outage'].includes(c.state)).length;
    expect(deriveCountryState(children)).toEqual({
      ...expected,
      coverage: { live, children: children.length },
    });
  });

  it("answers `outage` with no live child only when the country's own outage machine agrees", () => {
    // Fuzz world 41204050: one ISP down, the other's two agents up but thin on WhatsApp runs that window.
    const children = [
      child('RU-SPE', 'outage'),
      child('AS64931', 'outage'),
      child('AS64930', 'insufficient'),
    ];
    const coverage = { live: 0, children: 3 };
    expect(deriveCountryState(children, false)).toEqual({ state: 'insufficient', method: null, coverage });
    expect(deriveCountryState(children, true)).toEqual({ state: 'outage', method: 'outage', coverage });
    // Live children decide as before, whatever the country's own machine says.
    expect(deriveCountryState([child('RU-MOW', 'accessible'), child('RU-DA', 'outage')], true).state).toBe(
      'accessible',
    );
  });

  it('shows the target’s outage when every child in outage was frozen by it, its network being up', () => {
    const down = (scope: string, regions_evidenced: number, end: string): ScopeMachineState => ({
      ...child(scope, 'outage'),
      last_window_end: end,
      target_outage: { regions_failing: regions_evidenced, regions_evidenced, countries_failing: 4 },
    });
    const children = [
      down('DE-BE', 4, '2026-11-23T10:02:00.000Z'),
      down('AS64501', 5, '2026-11-23T10:03:00.000Z'),
      child('DE-BY', 'insufficient'),
    ];
    // The newest window's numbers, whatever the country's own (network) outage machine says.
    const expected = {
      state: 'outage',
      method: 'outage',
      coverage: { live: 0, children: 3 },
      targetOutage: { regions_failing: 5, regions_evidenced: 5, countries_failing: 4 },
    };
    expect(deriveCountryState(children, false)).toEqual(expected);
    expect(deriveCountryState(children)).toEqual(expected);
    // A child down for its own network's sake is not the target's outage.
    expect(deriveCountryState([...children, child('AS64502', 'outage')], false)).toEqual({
      state: 'insufficient',
      method: null,
      coverage: { live: 0, children: 4 },
    });
    // A network that still reaches the target is live and decides as before.
    expect(deriveCountryState([...children, child('AS64503', 'accessible')]).state).toBe('accessible');
  });

  it('refuses children of different targets or country children', () => {
    const telegram = { ...child('RU-SPE', 'accessible'), target: 'telegram' };
    expect(() => deriveCountryState([child('RU-MOW', 'accessible'), telegram])).toThrow(InputMismatchError);
    expect(() => deriveCountryState([child('RU', 'accessible')])).toThrow(InputMismatchError);
  });
});
