import { describe, expect, it } from 'vitest';
import { coefficientOfVariation, median, perSecondGoodput } from './throughput-stats.ts';

describe('perSecondGoodput', () => {
  it('turns cumulative bytes into bit/s per whole second, dropping the partial last second', () => {
    const samples: [number, number][] = [
      [0, 0],
      [0.5, 500],
      [1, 1000],
      [1.5, 1000],
      [2, 4000],
      [2.5, 4500],
    ];
    expect(perSecondGoodput(samples)).toEqual([8000, 24_000]);
  });

  it('counts from the first sample, not from zero', () => {
    expect(
      perSecondGoodput([
        [3, 100],
        [4, 300],
        [5, 600],
      ]),
    ).toEqual([1600, 2400]);
  });

  it('is empty without samples', () => {
    expect(perSecondGoodput([])).toEqual([]);
  });
});

describe('coefficientOfVariation', () => {
  it.each([
    [[100, 100, 100], 0],
    [[50, 150], 0.5],
    [[0, 0], Number.POSITIVE_INFINITY],
    [[], Number.POSITIVE_INFINITY],
  ])('%j → %d', (values, expected) => {
    expect(coefficientOfVariation(values)).toBeCloseTo(expected, 10);
  });
});

describe('median', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
    [[], null],
  ])('%j → %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
