import { classifyMeasurement } from '@reachmap/classifier';
import type { RedisClient } from '@reachmap/queue';
import type { IngestJobData, Measurement } from '@reachmap/schema';
import { type ClassifiedMeasurement, countMeasurements } from '@reachmap/store';
import type { Logger } from '@reachmap/telemetry';
import { appendToArchive } from './raw-archive.ts';
import { controlsHealthOf, findRoundControls } from './round-controls.ts';
import type { AggregatorSettings } from './settings.ts';

/** Job name of a target re-queued to wait for its round's controls. */
export const RECHECK_CONTROLS_JOB = 'recheck-controls';

/** An ingest job; a re-check job carries one measurement and how many times it has waited. */
export type AggregatorJobData = IngestJobData & { controls_attempt?: number };

export interface IngestOutcome {
  counted: number;
  duplicates: number;
  /** Targets re-queued to wait for controls. */
  deferred: Measurement[];
}

export interface IngestDependencies {
  redis: RedisClient;
  settings: AggregatorSettings;
  logger: Logger;
  clock: () => number;
}

/**
 * Classifies, counts and archives one job's measurements. Counting is idempotent per measurement (the
 * store's markers), archiving happens after counting; only when both succeeded does the job complete.
 * A retry after a failure in between counts nothing twice and may add a duplicate archive line.
 */
export async function ingestJob(data: AggregatorJobData, deps: IngestDependencies): Promise<IngestOutcome> {
  const { redis, settings, logger } = deps;
  const attempt = data.controls_attempt ?? 0;
  const inJob = new Map(data.measurements.map((measurement) => [measurement.id, measurement]));
  const ready: ClassifiedMeasurement[] = [];
  const deferred: Measurement[] = [];
  for (const measurement of data.measurements) {
    if (measurement.target.kind === 'control') {
      const verdict = classifyMeasurement({ measurement, controls: [] });
      ready.push({ measurement, verdict, controls: 'none', received_at: data.received_at });
      continue;
    }
    const { found, missing } = await findRoundControls(redis, settings.store, measurement, inJob);
    if (missing.length > 0 && attempt < settings.controlWaitAttempts) {
      deferred.push(measurement);
      continue;
    }
    if (missing.length > 0) {
      logger.warn(
        { measurementId: measurement.id, agentId: measurement.agent.id, missing },
        'classifying without missing round controls',
      );
    }
    const verdict = classifyMeasurement({
      measurement,
      controls: found.map((control) => control.measurement),
      expectations: settings.expectations.get(measurement.target.id),
    });
    ready.push({ measurement, verdict, controls: controlsHealthOf(found), received_at: data.received_at });
  }

  // One Lua call per partition for the whole job (chunked by the store): measurements of one job
  // mostly share their rollup keys, so Redis merges their writes instead of repeating them.
  const results = await countMeasurements(redis, ready, settings.store, deps.clock());
  const counted = results.filter((result) => result.counted > 0).length;
  if (ready.length > 0)
    await appendToArchive(
      settings.archiveDir,
      ready.map((classified) => classified.measurement),
    );
  return { counted, duplicates: ready.length - counted, deferred };
}
