import { z } from 'zod';

/**
 * Log-spaced goodput bins from 1 kbit/s to 10 Gbit/s. 40 bins per decade make each bin 5.9 % wide, so
 * a quantile read back from the bins is within ~6 % of the true value even for a point mass (a
 * policer's flat cap: 128-150 kbit/s in RU, Censored Planet IMC 2021). The layout is part of the
 * stored data: changing it needs new keys.
 */
export const THROUGHPUT_MIN_BPS = 1_000;
export const THROUGHPUT_MAX_BPS = 10_000_000_000;
export const THROUGHPUT_BINS_PER_DECADE = 40;
const DECADES = Math.round(Math.log10(THROUGHPUT_MAX_BPS / THROUGHPUT_MIN_BPS));
/** Bin 0 holds everything below 1 kbit/s (stalls, near-zero rates); the last bin everything ≥ 10 Gbit/s. */
export const THROUGHPUT_BIN_COUNT = DECADES * THROUGHPUT_BINS_PER_DECADE + 2;
const OVERFLOW_BIN = THROUGHPUT_BIN_COUNT - 1;

const BinKey = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, 'expected a bin number')
  .refine((key) => Number(key) < THROUGHPUT_BIN_COUNT, 'bin number out of range');

/**
 * Bin number → count, exactly the shape of the Redis hash the aggregator grows with
 * `HINCRBY key <bin> 1`; the counts coerce so `HGETALL`'s strings parse directly.
 */
export const ThroughputHistogram = z.record(BinKey, z.coerce.number().int().min(0));
export type ThroughputHistogram = z.infer<typeof ThroughputHistogram>;

function lowerBoundOf(bin: number): number {
  if (bin === 0) return 0;
  if (bin === OVERFLOW_BIN) return THROUGHPUT_MAX_BPS;
  return THROUGHPUT_MIN_BPS * 10 ** ((bin - 1) / THROUGHPUT_BINS_PER_DECADE);
}

/** The half-open rate range [lower, upper) of a bin, in bit/s. */
export function binBounds(bin: number): { lower: number; upper: number } {
  if (!Number.isInteger(bin) || bin < 0 || bin > OVERFLOW_BIN)
    throw new RangeError(`no throughput bin ${bin}`);
  return {
    lower: lowerBoundOf(bin),
    upper: bin === OVERFLOW_BIN ? Number.POSITIVE_INFINITY : lowerBoundOf(bin + 1),
  };
}

/** The bin a goodput sample (bit/s) falls in. */
export function binOf(bps: number): number {
  if (!(bps >= 0) || bps === Number.POSITIVE_INFINITY) throw new RangeError(`not a goodput: ${bps}`);
  if (bps < THROUGHPUT_MIN_BPS) return 0;
  if (bps >= THROUGHPUT_MAX_BPS) return OVERFLOW_BIN;
  let bin = 1 + Math.floor(Math.log10(bps / THROUGHPUT_MIN_BPS) * THROUGHPUT_BINS_PER_DECADE);
  // log10 rounding can land one bin off right at a boundary; the bounds are the truth.
  if (bps < lowerBoundOf(bin)) bin -= 1;
  else if (bps >= lowerBoundOf(bin + 1)) bin += 1;
  return bin;
}

export function histogramOf(samplesBps: Iterable<number>): ThroughputHistogram {
  const histogram: ThroughputHistogram = {};
  for (const bps of samplesBps) {
    const key = String(binOf(bps));
    histogram[key] = (histogram[key] ?? 0) + 1;
  }
  return histogram;
}

/** Sum of bin counts: combines agents, scopes or buckets (e.g. 5-minute buckets into an hour). */
export function mergeHistograms(...histograms: ThroughputHistogram[]): ThroughputHistogram {
  const merged: ThroughputHistogram = {};
  for (const histogram of histograms) {
    for (const [key, count] of Object.entries(histogram)) merged[key] = (merged[key] ?? 0) + count;
  }
  return merged;
}

/**
 * The q-quantile (0..1) in bit/s, or null for an empty histogram. Inside a bin the rank is interpolated
 * geometrically, matching the log spacing. Below 1 kbit/s it is interpolated linearly from 0; at or
 * above 10 Gbit/s the answer is 10 Gbit/s, a lower bound.
 */
export function quantile(histogram: ThroughputHistogram, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within 0..1, got ${q}`);
  const bins = Object.entries(histogram)
    .map(([key, count]) => ({ bin: Number(key), count }))
    .filter(({ count }) => count > 0)
    .sort((a, b) => a.bin - b.bin);
  const total = bins.reduce((sum, { count }) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (const { bin, count } of bins) {
    if (below + count >= rank) {
      const fraction = Math.min(1, Math.max(0, (rank - below) / count));
      const { lower, upper } = binBounds(bin);
      if (bin === OVERFLOW_BIN) return lower;
      if (bin === 0) return upper * fraction;
      return lower * (upper / lower) ** fraction;
    }
    below += count;
  }
  // Unreachable for q ≤ 1: the last bin always satisfies below + count ≥ rank.
  throw new RangeError(`quantile ${q} beyond the histogram`);
}
