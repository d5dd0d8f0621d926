import { EvidenceStore } from '@reachmap/evidence';
import {
  createRedisConnection,
  QUEUE_NAMES,
  queuePrefix,
  type RedisTarget,
  waitUntilReady,
} from '@reachmap/queue';
import { scopesOfNetwork } from '@reachmap/schema';
import { countMeasurements, recordScopeTrace, withEvaluatorLock, writeDeadLetters } from '@reachmap/store';
import { loadCatalogue } from '@reachmap/targets';
import {
  getTracer,
  injectTraceContext,
  type Logger,
  type Registry,
  withSpan,
  withTraceContext,
} from '@reachmap/telemetry';
import { type Job, Queue, Worker } from 'bullmq';
import type { AggregatorConfig } from './aggregator-config.ts';
import { createAggregatorMetrics } from './aggregator-metrics.ts';
import { createCountBatcher } from './count-batcher.ts';
import { type EvaluationResult, evaluatePartition } from './evaluate-windows.ts';
import { type AggregatorJobData, ingestJob, RECHECK_CONTROLS_JOB } from './ingest-job.ts';
import { oldestPendingIngestMs, WindowHold } from './ingest-watermark.ts';
import { settingsOf } from './settings.ts';
import { expectationsByTarget } from './target-expectations.ts';
import { evaluationLagMs, lastClosedWindowEnd } from './window-clock.ts';

export interface AggregatorOptions {
  redis: RedisTarget;
  config: AggregatorConfig;
  logger: Logger;
  /** Overrides REACHMAP_ARCHIVE_DIR. */
  archiveDir?: string;
  /** Overrides REACHMAP_EVIDENCE_DB. */
  evidencePath?: string;
  /** Epoch ms; the lab and tests drive windows with their own clock. */
  clock?: () => number;
}

export interface Aggregator {
  /** Evaluates every partition's closed windows now (the timer does the same periodically). */
  evaluateNow(): Promise<EvaluationResult>;
  /** Stops taking jobs, lets running jobs and evaluation finish, closes connections. */
  stop(): Promise<void>;
  /** Prometheus registry; main.ts serves it on the metrics listener. */
  metrics: Registry;
  /**
   * How long the newest due window has waited to be judged, 0 once it is (the evaluation-lag gauge,
   * in ms): a few seconds between passes, more while the ingest is behind (`WindowHold`).
   */
  evaluationLagMs(): number;
}

// Re-check jobs retry like the collector's ingest jobs if Redis or the archive fail.
const RECHECK_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 86_400, count: 100_000 },
} as const;

/**
 * When a re-check runs and what it says about its batch. BullMQ's `timestamp` is when the collector
 * accepted the batch, and the windows the aggregator judges wait for every batch accepted before them
 * (`WindowHold`): a re-check stamped with the time it was re-queued would let a window be judged
 * before the measurement it holds is counted. So it keeps its batch's stamp, and its delay, which
 * BullMQ counts from the stamp, covers the time already spent (docs/state-machine.md).
 */
function recheckTiming(
  batchAcceptedMs: number,
  controlWaitMs: number,
  nowMs: number,
): { timestamp: number; delay: number } {
  return { timestamp: batchAcceptedMs, delay: controlWaitMs + Math.max(0, nowMs - batchAcceptedMs) };
}

/**
 * Measurements one merged flush takes (whole jobs): with 8 jobs of 100 in flight, all of them; the
 * store splits a flush into Lua calls of its own size.
 */
const MAX_MEASUREMENTS_PER_FLUSH = 2_000;

/** The one signature a re-check job needs, not its parent batch's whole map. */
function signatureOf(data: AggregatorJobData, id: string): Record<string, string> {
  const signature = data.signatures?.[id];
  return signature === undefined ? {} : { [id]: signature };
}

/** How often the evidence store drops what aged out. */
const EVIDENCE_PRUNE_EVERY_MS = 10 * 60_000;

/** Stalls tolerated per job before BullMQ fails it; far beyond a worker dying a few times. */
const MAX_STALLS_PER_JOB = 100;

/**
 * Starts the ingest workers and the window evaluator. Any number of aggregator processes may run
 * against the same Redis: counting is exactly-once per measurement (the jobs a process runs at once are
 * counted in one merged flush) and state writes are
 * compare-and-set (docs/redis-keys.md).
 */
export async function startAggregator(options: AggregatorOptions): Promise<Aggregator> {
  const catalogue = await loadCatalogue({ kind: options.config.REACHMAP_CATALOGUE });
  const base = settingsOf(options.config, expectationsByTarget(catalogue));
  const settings = {
    ...base,
    archiveDir: options.archiveDir ?? base.archiveDir,
    evidence: { ...base.evidence, path: options.evidencePath ?? base.evidence.path },
  };
  const clock = options.clock ?? Date.now;
  const logger = options.logger;
  const tracer = getTracer('aggregator');
  const redis = createRedisConnection(options.redis, 'worker', 'reachmap-aggregator');
  const workerConnection = createRedisConnection(options.redis, 'worker', 'reachmap-aggregator-worker');
  const startedAt = clock();
  let evaluatedEnd: number | null = null;
  let waitingForIngest = false;
  const hold = new WindowHold(
    settings.windowMs,
    settings.graceMs,
    settings.latenessMs,
    settings.catchUpWindows,
  );
  const currentLagMs = () =>
    evaluationLagMs(clock(), evaluatedEnd, startedAt, settings.windowMs, settings.graceMs);
  const metrics = createAggregatorMetrics(() => currentLagMs() / 1000);
  metrics.watchRedis(redis, 'aggregator');
  metrics.watchRedis(workerConnection, 'aggregator-worker');
  await Promise.all([waitUntilReady(redis), waitUntilReady(workerConnection)]);
  const evidence = EvidenceStore.open(settings.evidence.path, { now: clock });

  const queue = new Queue<AggregatorJobData>(QUEUE_NAMES.ingest, {
    connection: redis,
    prefix: queuePrefix(0),
  });

  const batcher = createCountBatcher(
    (measurements) => countMeasurements(redis, measurements, settings.store, clock()),
    {
      lingerMs: settings.flushLingerMs,
      maxMeasurements: MAX_MEASUREMENTS_PER_FLUSH,
      onFlush: (jobs, measurements) => logger.debug({ jobs, measurements }, 'flushing merged jobs'),
    },
  );

  const processJob = async (job: Job<AggregatorJobData>) => {
    const timer = metrics.jobDuration.startTimer({ job: job.name });
    try {
      await ingestTraced(job);
      timer({ outcome: 'ok' });
    } catch (error) {
      timer({ outcome: 'failed' });
      throw error;
    }
  };

  const ingestTraced = async (job: Job<AggregatorJobData>) =>
    await withTraceContext(job.data.trace, () =>
      withSpan(
        tracer,
        'aggregator.ingest',
        { 'reachmap.batch_id': job.data.batch_id, 'reachmap.measurements': job.data.measurements.length },
        async () => {
          const outcome = await ingestJob(job.data, { redis, settings, logger, clock, batcher, evidence });
          await rememberIngestTrace(job.data);
          metrics.counted.inc(outcome.counted);
          metrics.duplicates.inc(outcome.duplicates);
          metrics.deferred.inc(outcome.deferred.length);
          const attempt = (job.data.controls_attempt ?? 0) + 1;
          for (const measurement of outcome.deferred) {
            // The job id makes a retried parent job re-queue the same re-check, not a second one.
            await queue.add(
              RECHECK_CONTROLS_JOB,
              {
                ...job.data,
                measurements: [measurement],
                signatures: signatureOf(job.data, measurement.id),
                controls_attempt: attempt,
              },
              {
                ...RECHECK_JOB_OPTIONS,
                jobId: `recheck-${measurement.id}-${attempt}`,
                ...recheckTiming(job.timestamp, settings.controlWaitMs, Date.now()),
              },
            );
            logger.info(
              { measurementId: measurement.id, agentId: measurement.agent.id, attempt },
              'round controls missing, re-checking later',
            );
          }
          logger.debug(
            {
              batchId: job.data.batch_id,
              agentId: job.data.agent_id,
              counted: outcome.counted,
              duplicates: outcome.duplicates,
              deferred: outcome.deferred.length,
              deadLettered: outcome.deadLettered,
            },
            'batch aggregated',
          );
        },
      ),
    );

  // The event a later window evaluation emits for these scopes continues this ingest's trace;
  // the list lives as long as a window can still be judged or re-judged. Only bookkeeping for
  // traces: a failure is logged and does not fail a job whose measurements are already counted.
  const rememberIngestTrace = (data: AggregatorJobData) =>
    recordScopeTrace(
      redis,
      settings.store,
      data.measurements.flatMap((measurement) => scopesOfNetwork(measurement.network)),
      injectTraceContext(),
      2 * settings.windowMs + settings.graceMs + settings.latenessMs,
    ).catch((error: unknown) =>
      logger.warn({ batchId: data.batch_id, err: error }, 'ingest trace context not recorded'),
    );

  const worker = new Worker<AggregatorJobData>(QUEUE_NAMES.ingest, processJob, {
    connection: workerConnection,
    prefix: queuePrefix(0),
    concurrency: settings.concurrency,
    // A stall means a worker died mid-job (crash, OOM kill, a long GC pause); counting is idempotent,
    // so the job is simply run again. BullMQ's default of one stall failed such a job for good.
    maxStalledCount: MAX_STALLS_PER_JOB,
  });
  worker.on('failed', (job, error) => {
    logger.error({ batchId: job?.data.batch_id, attempt: job?.attemptsMade, err: error }, 'batch failed');
    if (job === undefined || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    // Out of retries: its measurements become dead letters, so none ends uncounted without a record.
    writeDeadLetters(
      redis,
      job.data.measurements.map((measurement) => ({
        measurement,
        batchId: job.data.batch_id,
        error: `job failed after ${job.attemptsMade} attempts: ${error.message}`,
        at: clock(),
      })),
    ).catch((deadLetterError: unknown) =>
      logger.error(
        { batchId: job.data.batch_id, err: deadLetterError },
        'dead-lettering a failed batch failed',
      ),
    );
  });
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));

  const evaluateNow = async (): Promise<EvaluationResult> => {
    const passStart = clock();
    const oldestPending = await oldestPendingIngestMs(redis, queue);
    const passEnd = hold.readyEnd(passStart, oldestPending);
    const waiting = passEnd < lastClosedWindowEnd(passStart, settings.windowMs, settings.graceMs);
    if (waiting !== waitingForIngest)
      logger[waiting ? 'warn' : 'info'](
        {
          oldestUncountedMs: oldestPending === null ? 0 : passStart - oldestPending,
          judgedUpTo: new Date(passEnd).toISOString(),
        },
        waiting
          ? 'ingest behind: due windows wait until the batches accepted before them are counted'
          : 'ingest caught up: windows are judged when due again',
      );
    waitingForIngest = waiting;
    const timer = metrics.evaluationDuration.startTimer();
    const total: EvaluationResult = { transitions: 0, events: [] };
    for (let partition = 0; partition < settings.store.partitions; partition += 1) {
      // The lock outlives a tick so a slow evaluation is not joined by a second one meanwhile.
      const result = await withEvaluatorLock(redis, partition, settings.evaluateEveryMs * 4, () =>
        evaluatePartition({ redis, settings, logger }, partition, clock(), passEnd),
      );
      total.transitions += result?.transitions ?? 0;
      total.events.push(...(result?.events ?? []));
    }
    timer();
    // A partition whose lock another process held is evaluated by that process: the pass is complete.
    evaluatedEnd = Math.max(evaluatedEnd ?? passEnd, passEnd);
    for (const event of total.events) metrics.events.inc({ type: event.type });
    return total;
  };

  let evaluating: Promise<unknown> = Promise.resolve();
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    evaluating = evaluateNow()
      .catch((error: unknown) => logger.error({ err: error }, 'window evaluation failed'))
      .finally(() => {
        inFlight = false;
      });
  }, settings.evaluateEveryMs);

  const pruneEvidence = () => {
    try {
      const deleted = evidence.prune();
      if (deleted > 0) logger.info({ deleted }, 'evidence store pruned');
    } catch (error) {
      logger.error({ err: error }, 'evidence store prune failed');
    }
  };
  pruneEvidence();
  const pruneTimer = setInterval(pruneEvidence, EVIDENCE_PRUNE_EVERY_MS);

  logger.info(
    {
      partitions: settings.store.partitions,
      windowMs: settings.windowMs,
      archiveDir: settings.archiveDir,
      evidence: settings.evidence.path,
    },
    'aggregator started',
  );

  let stopping: Promise<void> | undefined;
  return {
    evaluateNow,
    metrics: metrics.registry,
    evaluationLagMs: currentLagMs,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(timer);
        clearInterval(pruneTimer);
        await worker.close();
        await evaluating;
        await queue.close();
        await Promise.all([redis.quit(), workerConnection.quit()]);
        evidence.close();
        logger.info('aggregator stopped');
      })();
      return stopping;
    },
  };
}
