import { z } from 'zod';

/** Rollup bucket lengths. Map tiles and charts read 5-minute, hourly or daily counters. */
export const Granularity = z.enum(['5m', '1h', '1d']);
export type Granularity = z.infer<typeof Granularity>;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const GRANULARITY_MS: Readonly<Record<Granularity, number>> = {
  '5m': 5 * MINUTE_MS,
  '1h': HOUR_MS,
  '1d': DAY_MS,
};

/**
 * How long a bucket is kept after it closes. Fine buckets serve the live map and the last two days of
 * charts; hourly ones a quarter; daily ones the long history users ask for when a block started.
 */
export const BucketRetention = z.object({
  '5m': z
    .number()
    .int()
    .positive()
    .default(48 * HOUR_MS),
  '1h': z
    .number()
    .int()
    .positive()
    .default(90 * DAY_MS),
  '1d': z
    .number()
    .int()
    .positive()
    .default(3 * 365 * DAY_MS),
});
export type BucketRetention = z.infer<typeof BucketRetention>;

function assertEpochMs(epochMs: number): void {
  if (!Number.isSafeInteger(epochMs) || epochMs < 0) {
    throw new RangeError(`expected a non-negative integer of epoch milliseconds, got ${epochMs}`);
  }
}

/** Start (epoch ms, UTC) of the bucket holding `epochMs`. Days start at UTC midnight. */
export function bucketStart(epochMs: number, granularity: Granularity): number {
  assertEpochMs(epochMs);
  const length = GRANULARITY_MS[granularity];
  return Math.floor(epochMs / length) * length;
}

// Counting names the same few buckets for every measurement of a batch (3 sizes × 3 scopes each), and
// formatting a date was 5 % of an aggregator's CPU (docs/benchmarks.md); a small memo, emptied when full.
const RECENT_BUCKET_IDS = 4096;
const recentBucketIds = new Map<string, string>();

/**
 * Id of the bucket holding `epochMs`, safe inside a Redis key (no `:` or spaces) and sorting in time
 * order: `5m-20261123T1005Z`, `1h-20261123T1000Z`, `1d-20261123T0000Z`.
 */
export function bucketId(epochMs: number, granularity: Granularity): string {
  const start = bucketStart(epochMs, granularity);
  const memoKey = granularity + start;
  const cached = recentBucketIds.get(memoKey);
  if (cached !== undefined) return cached;
  const iso = new Date(start).toISOString();
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  const id = `${granularity}-${compact}`;
  if (recentBucketIds.size >= RECENT_BUCKET_IDS) recentBucketIds.clear();
  recentBucketIds.set(memoKey, id);
  return id;
}

/** Ids of every bucket that overlaps [fromMs, toMs), oldest first: what a range query must read. */
export function bucketIdsCovering(fromMs: number, toMs: number, granularity: Granularity): string[] {
  assertEpochMs(toMs);
  const ids: string[] = [];
  for (let start = bucketStart(fromMs, granularity); start < toMs; start += GRANULARITY_MS[granularity]) {
    ids.push(bucketId(start, granularity));
  }
  return ids;
}

/** Epoch ms at which a bucket's keys may expire (for PEXPIREAT): its end plus the retention. */
export function bucketExpiresAt(
  epochMs: number,
  granularity: Granularity,
  retention: BucketRetention,
): number {
  return bucketStart(epochMs, granularity) + GRANULARITY_MS[granularity] + retention[granularity];
}
