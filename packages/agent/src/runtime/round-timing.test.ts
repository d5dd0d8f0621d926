import { describe, expect, it } from 'vitest';
import { firstRoundDelay, nextRoundDelay } from './round-timing.ts';

const schedule = { interval_s: 300, jitter_s: 30 };

describe('round timing', () => {
  it.each([
    {
      name: 'interval after the previous start, no jitter drawn',
      previous: 0,
      now: 60_000,
      random: 0,
      expected: 240_000,
    },
    { name: 'the whole jitter at most', previous: 0, now: 60_000, random: 1, expected: 270_000 },
    {
      name: 'at once after a round that overran its interval',
      previous: 0,
      now: 400_000,
      random: 0.5,
      expected: 0,
    },
  ])('waits $name', ({ previous, now, random, expected }) => {
    expect(nextRoundDelay(schedule, previous, now, () => random)).toBe(expected);
  });

  it('spreads the first round over one jitter', () => {
    expect(firstRoundDelay(schedule, () => 0)).toBe(0);
    expect(firstRoundDelay(schedule, () => 0.5)).toBe(15_000);
  });
});
