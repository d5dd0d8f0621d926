import { bucketId } from '@reachmap/rollup';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface BucketPlan {
  /** Start (epoch ms) of every hour bucket to read. */
  hours: number[];
  /** Start (epoch ms) of every day bucket to read. */
  days: number[];
}

function hoursCovering(fromMs: number, toMs: number): number[] {
  const hours: number[] = [];
  for (let start = Math.floor(fromMs / HOUR_MS) * HOUR_MS; start < toMs; start += HOUR_MS) hours.push(start);
  return hours;
}

/**
 * The index buckets that cover [from, to) without overlap: whole days from daily buckets, the partial
 * days at either end from hourly ones (so a time of day is honoured to the hour), or hours only when
 * the grain is hourly or no whole day fits.
 */
export function planBuckets(fromMs: number, toMs: number, hourly: boolean): BucketPlan {
  const firstWholeDay = Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const lastWholeDayEnd = Math.floor(toMs / DAY_MS) * DAY_MS;
  if (hourly || firstWholeDay >= lastWholeDayEnd) return { hours: hoursCovering(fromMs, toMs), days: [] };
  const days: number[] = [];
  for (let start = firstWholeDay; start < lastWholeDayEnd; start += DAY_MS) days.push(start);
  return {
    hours: [...hoursCovering(fromMs, firstWholeDay), ...hoursCovering(lastWholeDayEnd, toMs)],
    days,
  };
}

export function bucketIdsOf(plan: BucketPlan): string[] {
  return [
    ...plan.hours.map((start) => bucketId(start, '1h')),
    ...plan.days.map((start) => bucketId(start, '1d')),
  ];
}

/** Start (epoch ms) of a `1h-YYYYMMDDTHHMMZ` / `1d-…` bucket id. */
export function bucketStartOf(id: string): number {
  const match = /^1[hd]-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/.exec(id);
  if (match === null) throw new Error(`not an index bucket: ${id}`);
  const [, year, month, day, hour, minute] = match.map(Number) as number[];
  return Date.UTC(year as number, (month as number) - 1, day, hour, minute);
}
