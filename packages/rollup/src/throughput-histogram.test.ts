import { describe, expect, it } from 'vitest';
import { seededRandom } from './testing.ts';
import {
  binBounds,
  binOf,
  histogramOf,
  mergeHistograms,
  quantile,
  THROUGHPUT_BIN_COUNT,
  ThroughputHistogram,
} from './throughput-histogram.ts';

function exactQuantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function sampleLogNormal(random: () => number, medianBps: number, sigma: number, n: number): number[] {
  return Array.from({ length: n }, () => {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return medianBps * Math.exp(sigma * gaussian);
  });
}

describe('binOf', () => {
  it.each([
    [0, 0],
    [999.999, 0],
    [1_000, 1],
    [10_000, 41],
    [1_000_000, 121],
    [9_999_999_999, THROUGHPUT_BIN_COUNT - 2],
    [10_000_000_000, THROUGHPUT_BIN_COUNT - 1],
    [1e15, THROUGHPUT_BIN_COUNT - 1],
  ])('puts %d bit/s in bin %d', (bps, bin) => {
    expect(binOf(bps)).toBe(bin);
  });

  it('puts every bin lower bound in its own bin and the value just below in the previous one', () => {
    for (let bin = 1; bin < THROUGHPUT_BIN_COUNT; bin++) {
      const { lower } = binBounds(bin);
      expect(binOf(lower)).toBe(bin);
      expect(binOf(lower * (1 - 1e-12))).toBe(bin - 1);
    }
  });

  it('keeps every finite bin within 6 % width', () => {
    for (let bin = 1; bin < THROUGHPUT_BIN_COUNT - 1; bin++) {
      const { lower, upper } = binBounds(bin);
      expect(upper / lower).toBeLessThan(1.06);
    }
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (bps) => {
    expect(() => binOf(bps)).toThrow(RangeError);
  });
});

describe('quantile', () => {
  const random = seededRandom(20261123);
  const distributions: Array<[string, number[]]> = [
    ['lognormal around 5 Mbit/s', sampleLogNormal(random, 5e6, 1, 5000)],
    ['lognormal around 40 Mbit/s, narrow', sampleLogNormal(random, 40e6, 0.2, 2000)],
    ['log-uniform 10 kbit/s .. 1 Gbit/s', Array.from({ length: 5000 }, () => 10 ** (4 + 5 * random()))],
    ['policer flat at 128 kbit/s', Array.from({ length: 300 }, () => 128_000)],
    [
      'bimodal: throttled 140 kbit/s and free 20 Mbit/s',
      [...sampleLogNormal(random, 140_000, 0.05, 700), ...sampleLogNormal(random, 20e6, 0.3, 300)],
    ],
  ];

  it.each(distributions)('estimates p10, p50 and p90 within 10 %% for %s', (_name, samples) => {
    const histogram = histogramOf(samples);
    for (const q of [0.1, 0.5, 0.9]) {
      const estimate = quantile(histogram, q) ?? Number.NaN;
      const truth = exactQuantile(samples, q);
      expect(Math.abs(estimate - truth) / truth).toBeLessThan(0.1);
    }
  });

  it('is null for an empty histogram', () => {
    expect(quantile({}, 0.5)).toBeNull();
    expect(quantile({ '12': 0 }, 0.5)).toBeNull();
  });

  it('reports the edges of the range', () => {
    expect(quantile(histogramOf([0, 0]), 0.5)).toBeLessThan(1_000);
    expect(quantile(histogramOf([5e10]), 0.5)).toBe(10_000_000_000);
  });

  it('is monotonic in q', () => {
    const histogram = histogramOf(sampleLogNormal(seededRandom(7), 1e6, 1.5, 1000));
    let previous = 0;
    for (let q = 0; q <= 1; q += 0.05) {
      const value = quantile(histogram, q) ?? Number.NaN;
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });

  it.each([-0.1, 1.1, Number.NaN])('rejects q = %d', (q) => {
    expect(() => quantile({ '10': 1 }, q)).toThrow(RangeError);
  });
});

describe('mergeHistograms', () => {
  it('sums counts per bin, so merged buckets equal one histogram of all samples', () => {
    const a = [1e5, 2e5, 3e6];
    const b = [2e5, 9e9, 500];
    expect(mergeHistograms(histogramOf(a), histogramOf(b))).toEqual(histogramOf([...a, ...b]));
  });

  it('returns an empty histogram for no input', () => {
    expect(mergeHistograms()).toEqual({});
  });
});

describe('ThroughputHistogram schema', () => {
  it('parses a Redis HGETALL reply of string counts', () => {
    expect(ThroughputHistogram.parse({ '0': '3', '121': '10' })).toEqual({ '0': 3, '121': 10 });
  });

  it.each([{ '-1': 1 }, { '01': 1 }, { [String(THROUGHPUT_BIN_COUNT)]: 1 }, { '5': '-2' }, { '5': 'x' }])(
    'rejects %o',
    (input) => {
      expect(ThroughputHistogram.safeParse(input).success).toBe(false);
    },
  );
});
