import { describe, expect, it } from 'vitest';
import { confidenceOf } from './confidence.ts';

describe('confidenceOf', () => {
  it.each([
    { agreeing: 1, considered: 1, corroborating: 0, expected: 0.5 },
    { agreeing: 1, considered: 1, corroborating: 1, expected: 0.75 },
    { agreeing: 5, considered: 5, corroborating: 1, expected: 0.98 },
    { agreeing: 3, considered: 5, corroborating: 1, expected: 0.56 },
    { agreeing: 20, considered: 20, corroborating: 5, expected: 0.99 },
    { agreeing: 0, considered: 5, corroborating: 3, expected: 0 },
    { agreeing: 2, considered: 0, corroborating: 1, expected: 0 },
  ])(
    '$agreeing of $considered agreeing, $corroborating references → $expected',
    ({ expected, ...support }) => {
      expect(confidenceOf(support)).toBe(expected);
    },
  );

  it('grows with agreeing observations and falls with disagreeing ones', () => {
    expect(confidenceOf({ agreeing: 4, considered: 5, corroborating: 1 })).toBeGreaterThan(
      confidenceOf({ agreeing: 3, considered: 5, corroborating: 1 }),
    );
    expect(confidenceOf({ agreeing: 3, considered: 3, corroborating: 1 })).toBeGreaterThan(
      confidenceOf({ agreeing: 3, considered: 6, corroborating: 1 }),
    );
  });
});
