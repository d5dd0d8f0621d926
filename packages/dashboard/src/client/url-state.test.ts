import { describe, expect, it } from 'vitest';
import { formatUrlState, parseUrlState, type UrlState } from './url-state.ts';

const EMPTY: UrlState = { target: null, scope: null, at: null, measurement: null, range: '30d' };

describe('url state', () => {
  it.each([
    ['', EMPTY],
    ['#target=whatsapp', { ...EMPTY, target: 'whatsapp' }],
    [
      '#target=whatsapp&scope=RU-MOW&range=7d',
      { ...EMPTY, target: 'whatsapp', scope: 'RU-MOW', range: '7d' },
    ],
    ['#at=2026-11-23T10:00:00Z', { ...EMPTY, at: '2026-11-23T10:00:00.000Z' }],
    ['#at=yesterday', EMPTY],
    ['#range=2w', EMPTY],
    ['#measurement=0193', { ...EMPTY, measurement: '0193' }],
  ])('parses %s', (hash, expected) => {
    expect(parseUrlState(hash)).toEqual(expected);
  });

  it('round-trips every field and leaves defaults out of the link', () => {
    const state: UrlState = {
      target: 'telegram',
      scope: 'AS12389',
      at: '2026-11-23T10:00:00.000Z',
      measurement: '0193',
      range: '365d',
    };
    expect(parseUrlState(formatUrlState(state))).toEqual(state);
    expect(formatUrlState({ ...EMPTY, target: 'whatsapp' })).toBe('#target=whatsapp');
  });
});
