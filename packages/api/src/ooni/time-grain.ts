import type { OoniTimeGrain } from './aggregation-query.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type TimeGrain = Exclude<OoniTimeGrain, 'auto'>;

/**
 * The grains OONI allows for a span (ooni/backend's aggregation, `group_by_date`): up to 7 days hour
 * or day, up to 30 day or week, up to 365 day, week or month, beyond that day to year. `auto` takes the
 * smallest allowed: hours up to 7 days, days beyond.
 */
const ALLOWED_GRAINS: ReadonlyArray<[maxDays: number, grains: readonly TimeGrain[]]> = [
  [7, ['hour', 'day']],
  [30, ['day', 'week']],
  [365, ['day', 'week', 'month']],
  [Number.POSITIVE_INFINITY, ['day', 'week', 'month', 'year']],
];

/** The grain to use, or an error message naming the grains allowed for the span (OONI's wording). */
export function resolveTimeGrain(grain: OoniTimeGrain, spanMs: number): TimeGrain | { error: string } {
  // The last range is unbounded, so a span always finds one.
  const [, allowed] = ALLOWED_GRAINS.find(([maxDays]) => spanMs <= maxDays * DAY_MS) as [number, TimeGrain[]];
  if (grain === 'auto') return allowed[0] as TimeGrain;
  if (allowed.includes(grain)) return grain;
  return { error: `Choose time_grain between ${[...allowed, 'auto'].join(', ')} for the given time range` };
}

/**
 * The `measurement_start_day` label of an hour or day bucket, as OONI prints it: the start of its hour,
 * day, week (weeks start on Sunday, ClickHouse's toStartOfWeek), month or year.
 */
export function timeLabel(bucketStartMs: number, grain: TimeGrain): string {
  const date = new Date(bucketStartMs);
  switch (grain) {
    case 'hour':
      return `${date.toISOString().slice(0, 13)}:00:00Z`;
    case 'day':
      return date.toISOString().slice(0, 10);
    case 'week': {
      const dayStart = Math.floor(bucketStartMs / DAY_MS) * DAY_MS;
      return new Date(dayStart - date.getUTCDay() * DAY_MS).toISOString().slice(0, 10);
    }
    case 'month':
      return `${date.toISOString().slice(0, 7)}-01`;
    case 'year':
      return `${date.toISOString().slice(0, 4)}-01-01`;
  }
}
