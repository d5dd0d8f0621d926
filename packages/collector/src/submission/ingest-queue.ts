import { QUEUE_NAMES, queuePrefix, type RedisClient } from '@reachmap/queue';
import type { IngestJobData } from '@reachmap/schema';
import { Queue } from 'bullmq';

/**
 * The aggregator may be down or failing; 10 attempts with exponential backoff from 5 s span about
 * 85 minutes before a job is parked in the failed set, where it stays a week for inspection and retry
 * (its measurements are dead letters by then). A completed job is deleted at once: its measurements
 * are counted and archived, and keeping their copy an hour made counting cost more memory than
 * queueing, which deadlocked Redis at maxmemory.
 */
const INGEST_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 86_400, count: 100_000 },
} as const;

export type IngestQueue = Queue<IngestJobData, unknown, 'ingest'>;

/** The collector → aggregator queue on partition 0, sharing the collector's producer connection. */
export function openIngestQueue(redis: RedisClient): IngestQueue {
  return new Queue<IngestJobData, unknown, 'ingest'>(QUEUE_NAMES.ingest, {
    connection: redis,
    prefix: queuePrefix(0),
    defaultJobOptions: INGEST_JOB_OPTIONS,
  });
}

/** One job per accepted batch, keyed by the batch id so a retried add cannot create a second job. */
export async function enqueueBatch(queue: IngestQueue, data: IngestJobData): Promise<void> {
  await queue.add('ingest', data, { jobId: data.batch_id });
}

/** Jobs not yet taken by the aggregator: what backpressure watches. */
export async function ingestBacklog(queue: IngestQueue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'delayed');
  return (counts.waiting ?? 0) + (counts.delayed ?? 0);
}
