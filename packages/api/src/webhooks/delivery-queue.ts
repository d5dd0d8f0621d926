import { QUEUE_NAMES, queuePrefix, type RedisClient } from '@reachmap/queue';
import { Queue } from 'bullmq';
import type { DeliveryTrigger } from './webhook-schema.ts';

export interface DeliveryJob {
  webhookId: string;
  eventId: string;
  trigger: DeliveryTrigger;
  /** W3C trace context of the span that emitted the event; absent for redeliveries. */
  trace?: Record<string, string>;
}

export type DeliveryQueue = Queue<DeliveryJob>;

/** Name of the custom backoff the delivery worker implements (retry-schedule.ts). */
export const WEBHOOK_BACKOFF = 'webhook-schedule';

export function createDeliveryQueue(connection: RedisClient): DeliveryQueue {
  return new Queue<DeliveryJob>(QUEUE_NAMES.webhookDeliveries, { connection, prefix: queuePrefix(0) });
}

/**
 * One job per (event, subscription). The job id makes enqueueing idempotent: a dispatcher that
 * crashes after enqueueing and before acknowledging the stream entry enqueues the same id again,
 * which BullMQ ignores while the job is kept (completed jobs are kept a week for that reason).
 * BullMQ ids cannot contain `:`, so the pair is joined with `.`.
 */
export async function enqueueDelivery(
  queue: DeliveryQueue,
  job: DeliveryJob,
  attempts: number,
  jobId = `${job.eventId}.${job.webhookId}`,
): Promise<void> {
  await queue.add('deliver', job, {
    jobId,
    attempts,
    backoff: { type: WEBHOOK_BACKOFF },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
}
