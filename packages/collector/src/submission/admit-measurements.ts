import type { RedisClient } from '@reachmap/queue';
import { type IngestJobData, type Measurement, newPrefixedId } from '@reachmap/schema';
import { injectTraceContext } from '@reachmap/telemetry';
import { enqueueBatch, type IngestQueue } from './ingest-queue.ts';
import { findSeenIds, markIdsSeen } from './measurement-dedup.ts';

export class EnqueueFailedError extends Error {
  override name = 'EnqueueFailedError';
}

export interface Admission {
  batchId: string;
  /** Queued now, in one job. */
  fresh: Measurement[];
  /** Ids accepted earlier; not queued again. */
  seen: Set<string>;
  /** The job is queued but its ids could not be marked seen: a re-send would only make a duplicate job. */
  markFailure: unknown;
}

/**
 * Admits validated measurements into the pipeline: drops ids accepted before, queues the rest as one
 * job, then marks them seen. This order loses nothing (docs/api-agent.md): a crash after the enqueue
 * can only cause a duplicate job, which the aggregator counts once; a failed enqueue throws, so the
 * sender keeps the batch and retries.
 */
export async function admitMeasurements(
  redis: RedisClient,
  queue: IngestQueue,
  submission: {
    agentId: IngestJobData['agent_id'];
    measurements: Measurement[];
    now: number;
    /**
     * The verified per-measurement signatures of the measurements about to be queued, by id; they go
     * with the job. Asked only for those not accepted before, so a re-sent batch is not verified again.
     */
    signaturesOf?: (fresh: readonly Measurement[]) => Record<string, string>;
  },
): Promise<Admission> {
  const seen = await findSeenIds(redis, submission.measurements);
  const fresh = submission.measurements.filter((measurement) => !seen.has(measurement.id));
  const batchId = newPrefixedId('bat');
  let markFailure: unknown = null;
  if (fresh.length > 0) {
    const signatures = submission.signaturesOf?.(fresh) ?? {};
    const job: IngestJobData = {
      batch_id: batchId,
      agent_id: submission.agentId,
      received_at: new Date(submission.now).toISOString(),
      measurements: fresh,
      ...(Object.keys(signatures).length > 0 ? { signatures } : {}),
      trace: injectTraceContext(),
    };
    try {
      await enqueueBatch(queue, job);
    } catch (error) {
      throw new EnqueueFailedError(`batch ${batchId} could not be queued: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      await markIdsSeen(redis, fresh);
    } catch (error) {
      markFailure = error;
    }
  }
  return { batchId, fresh, seen, markFailure };
}
