import { bucketExpiresAt, Granularity } from '@reachmap/rollup';
import type { MeasurementSource } from '@reachmap/schema';
import type { StoreConfig } from './store-config.ts';

/** Sources whose measurements are history brought in from elsewhere, not live observations. */
const IMPORTED_SOURCES: ReadonlySet<MeasurementSource> = new Set(['ooni']);

/**
 * When the rollup bucket of a measurement expires (epoch ms), or null when it is kept for good. Daily
 * buckets of imported history follow `importedDailyRetentionMs` (null: never expire), so that an
 * archive imported years after the fact stays queryable; everything else follows `retention`.
 */
export function rollupExpiry(
  startMs: number,
  granularity: Granularity,
  source: MeasurementSource,
  config: StoreConfig,
): number | null {
  if (granularity === '1d' && IMPORTED_SOURCES.has(source)) {
    if (config.importedDailyRetentionMs === null) return null;
    return bucketExpiresAt(startMs, granularity, {
      ...config.retention,
      '1d': config.importedDailyRetentionMs,
    });
  }
  return bucketExpiresAt(startMs, granularity, config.retention);
}

/**
 * The granularities whose bucket for a measurement is still kept at `now`: where it can be seen. A
 * bucket that has already expired is not written at all (a write would be deleted at once).
 */
export function keptGranularities(
  startMs: number,
  source: MeasurementSource,
  config: StoreConfig,
  now: number,
): Granularity[] {
  return Granularity.options.filter((granularity) => {
    const expiry = rollupExpiry(startMs, granularity, source, config);
    return expiry === null || expiry > now;
  });
}
