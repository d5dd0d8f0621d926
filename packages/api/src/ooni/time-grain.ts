import type { Granularity } from '@reachmap/rollup';
import type { OoniTimeGrain } from './aggregation-query.ts';

const DAY_MS = 86_400_000;

/** `auto` keeps a chart to a few hundred points: hours up to 2 days, days up to 90, weeks up to 2 years. */
export function resolveTimeGrain(grain: OoniTimeGrain, spanMs: number): Exclude<OoniTimeGrain, 'auto'> {
  if (grain !== 'auto') return grain;
  if (spanMs <= 2 * DAY_MS) return 'hour';
  if (spanMs <= 90 * DAY_MS) return 'day';
  return spanMs <= 730 * DAY_MS ? 'week' : 'month';
}

/** Hours come from the 1h rollups, everything coarser from the 1d rollups. */
export function rollupGranularityOf(grain: Exclude<OoniTimeGrain, 'auto'>): Granularity {
  return grain === 'hour' ? '1h' : '1d';
}

/** The `measurement_start_day` label of a bucket: a date for day and coarser grains, as OONI prints them. */
export function timeLabel(bucketStartMs: number, grain: Exclude<OoniTimeGrain, 'auto'>): string {
  const date = new Date(bucketStartMs);
  switch (grain) {
    case 'hour':
      return `${date.toISOString().slice(0, 13)}:00:00Z`;
    case 'day':
      return date.toISOString().slice(0, 10);
    case 'week': {
      // ISO weeks start on Monday.
      const monday = new Date(bucketStartMs - ((date.getUTCDay() + 6) % 7) * DAY_MS);
      return monday.toISOString().slice(0, 10);
    }
    case 'month':
      return `${date.toISOString().slice(0, 7)}-01`;
    case 'year':
      return `${date.toISOString().slice(0, 4)}-01-01`;
  }
}
