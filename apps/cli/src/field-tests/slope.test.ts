import { describe, expect, it } from 'vitest';
import { fittedSlope, slopeFit } from './slope.ts';

describe('fittedSlope', () => {
  it('finds the trend through noise, and none in a flat sawtooth', () => {
    const rising = Array.from({ length: 60 }, (_, x) => ({ x, y: 3 * x + (x % 2 === 0 ? 5 : -5) }));
    expect(fittedSlope(rising)).toBeCloseTo(3, 1);
    const sawtooth = Array.from({ length: 60 }, (_, x) => ({ x, y: 100 + (x % 10) }));
    expect(Math.abs(fittedSlope(sawtooth))).toBeLessThan(0.1);
    expect(fittedSlope([{ x: 1, y: 5 }])).toBe(0);
  });

  it('gives a straight line no error and a noisy one an error that shrinks with more points', () => {
    const line = Array.from({ length: 20 }, (_, x) => ({ x, y: 2 * x + 1 }));
    expect(slopeFit(line)).toEqual({ slope: 2, standardError: 0 });
    const noisy = (n: number) => Array.from({ length: n }, (_, x) => ({ x, y: (x * 7919) % 13 }));
    const short = slopeFit(noisy(20)).standardError;
    const long = slopeFit(noisy(200)).standardError;
    expect(short).toBeGreaterThan(0.05);
    expect(long).toBeLessThan(short / 10);
  });
});
