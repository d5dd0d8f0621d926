import { BucketRetention } from '@reachmap/rollup';
import { z } from 'zod';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How the store lays out and ages its data; docs/redis-keys.md explains each setting. */
export const StoreConfig = z.object({
  /** Redis Cluster partitions (hash tags `{rm:p0}`…); 1 keeps everything in `{rm:p0}`. */
  partitions: z.number().int().min(1).max(1024).default(1),
  /** Rollup bucket retention per granularity, after the bucket closes. */
  retention: BucketRetention.prefault({}),
  /**
   * Daily rollups of imported history (OONI): how long after the day closes they are kept; null keeps
   * them for good. Imported archives are years old, so the live retention would drop them on arrival.
   */
  importedDailyRetentionMs: z.number().int().positive().nullable().default(null),
  /**
   * How long a "counted" marker outlives its measurement's processing. Must outlast every retry: the
   * collector's 10 attempts span ~85 min and failed jobs may be retried by hand for 7 days.
   */
  countedMarkerTtlMs: z
    .number()
    .int()
    .min(8 * DAY_MS)
    .default(8 * DAY_MS),
  /**
   * How long a control measurement is kept for the targets of its round that come in later jobs. It
   * outlasts the collector's retries of a job (10 attempts, ~85 min); a target later than that is
   * classified without it, as when a control never arrives.
   */
  controlRecordTtlMs: z
    .number()
    .int()
    .positive()
    .default(2 * HOUR_MS),
  /** How long window, control and heartbeat entries are kept: several evaluation windows. */
  entryRetentionMs: z.number().int().positive().default(HOUR_MS),
  /** Approximate cap per partition stream (XADD MAXLEN ~). */
  eventsMaxLen: z.number().int().positive().default(1_000_000),
  /** Outage baseline history entries kept per scope (one per evaluated window). */
  heartbeatHistoryCap: z.number().int().positive().default(1_000),
});
export type StoreConfig = z.infer<typeof StoreConfig>;
