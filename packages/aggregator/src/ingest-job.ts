import { classifyMeasurement } from '@reachmap/classifier';
import type { EvidenceStore } from '@reachmap/evidence';
import type { RedisClient } from '@reachmap/queue';
import type { IngestJobData, Measurement } from '@reachmap/schema';
import {
  type ClassifiedMeasurement,
  type CountResult,
  countMeasurement,
  type DeadLetterInput,
  writeDeadLetters,
} from '@reachmap/store';
import type { Logger } from '@reachmap/telemetry';
import type { CountBatcher } from './count-batcher.ts';
import { appendToArchive } from './raw-archive.ts';
import { controlsHealthOf, findJobControls, roundControlsOf } from './round-controls.ts';
import type { AggregatorSettings } from './settings.ts';

/** Job name of a target re-queued to wait for its round's controls. */
export const RECHECK_CONTROLS_JOB = 'recheck-controls';

/** An ingest job; a re-check job carries one measurement and how many times it has waited. */
export type AggregatorJobData = IngestJobData & { controls_attempt?: number };

export interface IngestOutcome {
  counted: number;
  duplicates: number;
  /** Measurements that cannot be counted, kept as dead letters instead of failing the job. */
  deadLettered: number;
  /** Targets re-queued to wait for controls. */
  deferred: Measurement[];
}

export interface IngestDependencies {
  redis: RedisClient;
  settings: AggregatorSettings;
  logger: Logger;
  clock: () => number;
  /** Merges this job's counting with that of the jobs running beside it (one flush for all). */
  batcher: CountBatcher;
  /** Where counted measurements are kept with their verdicts for drill-down. */
  evidence: EvidenceStore;
}

/**
 * Classifies, counts, records and archives one job's measurements. Counting is idempotent per
 * measurement (the store's "counted" sets) and merged with the jobs running beside it
 * (`CountBatcher`); the evidence store and the archive are written after counting; only when all
 * succeeded does the job complete. A retry after a failure in between counts and records nothing
 * twice and may add a duplicate archive line.
 */
export async function ingestJob(data: AggregatorJobData, deps: IngestDependencies): Promise<IngestOutcome> {
  const { redis, settings, logger } = deps;
  const attempt = data.controls_attempt ?? 0;
  const controls = await findJobControls(redis, settings.store, data.measurements);
  const ready: ClassifiedMeasurement[] = [];
  const deferred: Measurement[] = [];
  const dead: DeadLetterInput[] = [];
  const deadLetter = (measurement: Measurement, error: unknown) =>
    dead.push({ measurement, batchId: data.batch_id, error, at: deps.clock() });
  for (const measurement of data.measurements) {
    if (measurement.target.kind === 'control') {
      try {
        const verdict = classifyMeasurement({ measurement, controls: [] });
        ready.push({ measurement, verdict, controls: 'none', received_at: data.received_at });
      } catch (error) {
        deadLetter(measurement, error);
      }
      continue;
    }
    const { found, missing } = roundControlsOf(measurement, controls);
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
    try {
      const verdict = classifyMeasurement({
        measurement,
        controls: found.map((control) => control.measurement),
        expectations: settings.expectations.get(measurement.target.id),
      });
      ready.push({ measurement, verdict, controls: controlsHealthOf(found), received_at: data.received_at });
    } catch (error) {
      deadLetter(measurement, error);
    }
  }

  logger.debug(
    { batchId: data.batch_id, measurements: ready.length },
    'batch classified, waiting for its flush',
  );
  const { counted, countable } = await countIsolated(ready, deps, deadLetter);
  // Dead letters are written before the job can complete: a job never ends with an uncounted
  // measurement and no record of it. A failure here fails the job, which retries.
  await writeDeadLetters(redis, dead);
  for (const letter of dead) {
    logger.warn(
      { measurementId: letter.measurement.id, batchId: data.batch_id, err: letter.error },
      'measurement dead-lettered',
    );
  }
  deps.evidence.record(countable, settings.evidence.retentionMs, data.signatures);
  if (countable.length > 0)
    await appendToArchive(
      settings.archiveDir,
      countable.map((classified) => classified.measurement),
    );
  return { counted, duplicates: countable.length - counted, deferred, deadLettered: dead.length };
}

/**
 * Errors the store's pure planning throws for a measurement it cannot place (a bucket before 1970,
 * a time past the safe integers): the measurement is at fault, and retrying cannot help. Anything
 * else (Redis down, out of memory) fails the job so it is retried.
 */
function isUncountable(error: unknown): boolean {
  return error instanceof RangeError || error instanceof TypeError;
}

/**
 * The job's measurements go to the batcher, which merges them with other jobs' into one flush: they
 * mostly share their rollup keys, so Redis gets one write per key. When planning throws for one
 * measurement (the whole flush fails with it), each of this job's is counted on its own so only that
 * one is dead-lettered; counting is idempotent per measurement, so those written before the throw are
 * not counted twice.
 */
async function countIsolated(
  ready: ClassifiedMeasurement[],
  deps: IngestDependencies,
  deadLetter: (measurement: Measurement, error: unknown) => void,
): Promise<{ counted: number; countable: ClassifiedMeasurement[] }> {
  const { redis, settings } = deps;
  const tally = (results: CountResult[]) => results.filter((result) => result.counted > 0).length;
  try {
    return {
      counted: tally(await deps.batcher.count(ready)),
      countable: ready,
    };
  } catch (error) {
    if (!isUncountable(error)) throw error;
  }
  const countable: ClassifiedMeasurement[] = [];
  const results: CountResult[] = [];
  for (const classified of ready) {
    try {
      results.push(await countMeasurement(redis, classified, settings.store, deps.clock()));
      countable.push(classified);
    } catch (error) {
      if (!isUncountable(error)) throw error;
      deadLetter(classified.measurement, error);
    }
  }
  return { counted: tally(results), countable };
}
