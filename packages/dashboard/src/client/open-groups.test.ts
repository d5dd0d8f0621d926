import { describe, expect, it } from 'vitest';
import type { OpenState } from './api-types.ts';
import { groupOpenStates } from './open-groups.ts';

const open = (scope: string, overrides: Partial<OpenState> = {}): OpenState => ({
  scope,
  target: 'signal',
  state: 'outage',
  method: 'outage',
  confidence: 0,
  since: '2026-12-05T10:00:00.000Z',
  agents: 2,
  simulated: false,
  witnesses: [],
  ...overrides,
});
const down = { target_outage: { regions_failing: 5, regions_evidenced: 5, countries_failing: 2 } };

describe('groupOpenStates', () => {
  it('lists a service down everywhere once, countries first, from its earliest start', () => {
    const states = [
      open('RU-MOW', { ...down, since: '2026-12-05T10:01:00.000Z' }),
      open('AS64500', down),
      open('RU', { ...down, since: '2026-12-05T09:59:00.000Z' }),
      open('KZ-ALA', down),
      open('RU-MOW', { target: 'whatsapp', state: 'blocked', method: 'sni-reset' }),
    ];
    const entries = groupOpenStates(states);
    expect(entries).toHaveLength(2);
    const [group, single] = entries;
    expect(group).toMatchObject({
      kind: 'group',
      target: 'signal',
      state: 'outage',
      since: '2026-12-05T09:59:00.000Z',
      countries: 1,
    });
    expect(group?.kind === 'group' && group.members.map((member) => member.scope)).toEqual([
      'RU',
      'RU-MOW',
      'KZ-ALA',
      'AS64500',
    ]);
    expect(single).toMatchObject({ kind: 'single', state: { scope: 'RU-MOW', target: 'whatsapp' } });
  });

  it('keeps apart what differs in target, method or kind of outage, and leaves small sets as they are', () => {
    const states = [
      open('RU-MOW', down),
      open('RU-SPE', down),
      open('AS64500'), // the network's own outage, not the service's
      open('RU-MOW', { target: 'whatsapp', state: 'blocked', method: 'sni-reset' }),
      open('RU-SPE', { target: 'whatsapp', state: 'blocked', method: 'sni-reset' }),
      open('AS64501', { target: 'whatsapp', state: 'blocked', method: 'timeout' }),
    ];
    expect(groupOpenStates(states).map((entry) => entry.kind)).toEqual(Array(6).fill('single'));
    const grouped = groupOpenStates(states, 2);
    expect(
      grouped.map((entry) => (entry.kind === 'group' ? entry.members.length : entry.state.scope)),
    ).toEqual([2, 'AS64500', 2, 'AS64501']);
  });
});
