import { join } from 'node:path';
import type { TargetExpectations } from '@reachmap/classifier';
import { evidenceStorePath } from '@reachmap/evidence';
import { RollupConfig } from '@reachmap/rollup';
import { StoreConfig } from '@reachmap/store';
import type { AggregatorConfig } from './aggregator-config.ts';

export interface AggregatorSettings {
  store: StoreConfig;
  rollup: RollupConfig;
  archiveDir: string;
  /** The evidence store's file, and how long it keeps a counted measurement. */
  evidence: { path: string; retentionMs: number };
  windowMs: number;
  graceMs: number;
  /** Watermark: a window is re-assessed with late runs until `graceMs + latenessMs` after its end. */
  latenessMs: number;
  evaluateEveryMs: number;
  catchUpWindows: number;
  controlWaitMs: number;
  controlWaitAttempts: number;
  concurrency: number;
  /** How long a classified job waits for other jobs to join its flush (REACHMAP_FLUSH_LINGER). */
  flushLingerMs: number;
  /** Catalogue expectations per target id, for the classifier. */
  expectations: ReadonlyMap<string, TargetExpectations>;
}

export function settingsOf(
  config: AggregatorConfig,
  expectations: ReadonlyMap<string, TargetExpectations>,
): AggregatorSettings {
  const windowMs = config.REACHMAP_WINDOW;
  const graceMs = config.REACHMAP_EVALUATION_GRACE;
  const rollup = RollupConfig.parse({
    windowMs,
    targetOutage: { minCountries: config.REACHMAP_TARGET_OUTAGE_COUNTRIES },
    retention: {
      '5m': config.REACHMAP_ROLLUP_TTL_5M,
      '1h': config.REACHMAP_ROLLUP_TTL_1H,
      '1d': config.REACHMAP_ROLLUP_TTL_1D,
    },
  });
  const store = StoreConfig.parse({
    partitions: config.REACHMAP_PARTITIONS,
    retention: rollup.retention,
    importedDailyRetentionMs: config.REACHMAP_ROLLUP_TTL_IMPORTED_1D,
    // Entries must outlive every window the evaluator may still catch up on.
    entryRetentionMs: Math.max(3_600_000, (config.REACHMAP_CATCH_UP_WINDOWS + 2) * windowMs + graceMs),
    // One history entry per window, as many as the outage baseline spans (IODA: 7 days).
    heartbeatHistoryCap: Math.ceil(rollup.outage.baselineMs / windowMs),
  });
  return {
    store,
    rollup,
    archiveDir: config.REACHMAP_ARCHIVE_DIR ?? join(config.REACHMAP_DATA_DIR, 'archive'),
    evidence: {
      path: evidenceStorePath(config),
      retentionMs: config.REACHMAP_RECENT_TTL,
    },
    windowMs,
    graceMs,
    latenessMs: config.REACHMAP_LATENESS ?? windowMs,
    evaluateEveryMs: config.REACHMAP_EVALUATE_EVERY,
    catchUpWindows: config.REACHMAP_CATCH_UP_WINDOWS,
    controlWaitMs: config.REACHMAP_CONTROL_WAIT,
    controlWaitAttempts: config.REACHMAP_CONTROL_WAIT_ATTEMPTS,
    concurrency: config.AGGREGATOR_CONCURRENCY,
    flushLingerMs: config.REACHMAP_FLUSH_LINGER,
    expectations,
  };
}
