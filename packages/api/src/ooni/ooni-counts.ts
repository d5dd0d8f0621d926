import type { VerdictStatus } from '@reachmap/schema';

/** The counts OONI's `/api/v1/aggregation` reports for each group of measurements. */
export interface OoniCounts {
  anomaly_count: number;
  confirmed_count: number;
  failure_count: number;
  ok_count: number;
  measurement_count: number;
}

export function emptyOoniCounts(): OoniCounts {
  return { anomaly_count: 0, confirmed_count: 0, failure_count: 0, ok_count: 0, measurement_count: 0 };
}

/**
 * Where each of our verdicts lands in OONI's counts (docs/api.md, "OONI mapping"). OONI's invariant
 * measurement = ok + anomaly + failure holds, and confirmed is a subset of anomaly, as in OONI.
 */
export const OONI_BUCKET_OF_STATUS: Readonly<
  Record<VerdictStatus, 'ok_count' | 'anomaly_count' | 'failure_count'>
> = {
  ok: 'ok_count',
  blocked: 'anomaly_count',
  throttled: 'anomaly_count',
  stalled: 'anomaly_count',
  // Both controls failed: the vantage point had no network, as when OONI's control fails (failure).
  down: 'failure_count',
  error: 'failure_count',
  // Too little to judge: OONI counts measurements its analysis cannot decide as failures too.
  insufficient: 'failure_count',
};

/**
 * Adds one group of rollup counters into OONI counts. `blockpageRuns` are runs whose method was a
 * blockpage fingerprint match: the only evidence OONI calls "confirmed".
 */
export function addToOoniCounts(
  into: OoniCounts,
  counts: Partial<Record<VerdictStatus, number>>,
  blockpageRuns: number,
): OoniCounts {
  for (const [status, runs] of Object.entries(counts) as Array<[VerdictStatus, number]>) {
    into[OONI_BUCKET_OF_STATUS[status]] += runs;
    into.measurement_count += runs;
  }
  into.confirmed_count += Math.min(blockpageRuns, counts.blocked ?? 0);
  return into;
}
