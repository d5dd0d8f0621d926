import { describe, expect, it } from 'vitest';
import { fittedSlope } from './slope.ts';

describe('fittedSlope', () => {
  it('finds the trend through noise, and none in a flat sawtooth', () => {
    const rising = Array.from({ length: 60 }, (_, x) => ({ x, y: 3 * x + (x % 2 === 0 ? 5 : -5) }));
    expect(fittedSlope(rising)).toBeCloseTo(3, 1);
    const sawtooth = Array.from({ length: 60 }, (_, x) => ({ x, y: 100 + (x % 10) }));
    expect(Math.abs(fittedSlope(sawtooth))).toBeLessThan(0.1);
    expect(fittedSlope([{ x: 1, y: 5 }])).toBe(0);
  });
});
