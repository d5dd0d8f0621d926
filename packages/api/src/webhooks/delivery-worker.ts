import { QUEUE_NAMES, queuePrefix, type RedisClient } from '@reachmap/queue';
import { getTracer, type Logger, withSpan, withTraceContext } from '@reachmap/telemetry';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Counter } from 'prom-client';
import { type DeliveryContext, deliverMessage } from './deliver-message.ts';
import { type DeliveryJob, WEBHOOK_BACKOFF } from './delivery-queue.ts';
import { messageOfEvent } from './message-body.ts';
import { parseRetryAfter, retryDelayMs } from './retry-schedule.ts';
import { archivedEvent, disableWebhook, getWebhook } from './webhook-store.ts';

/** A failed attempt that should be retried on the schedule, or after the receiver's Retry-After. */
class DeliveryFailedError extends Error {
  override name = 'DeliveryFailedError';
  readonly retryAfterMs: number | null;

  constructor(message: string, retryAfterMs: number | null) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

export interface DeliveryWorkerOptions {
  connection: RedisClient;
  context: DeliveryContext;
  /** Delays between attempts; WEBHOOK_RETRY_DELAYS_MS in production, scaled down in tests. */
  retryDelaysMs: readonly number[];
  logger: Logger;
  /** Attempts by outcome: delivered, failed (retried later), gone (410), exhausted (endpoint disabled). */
  deliveries: Counter<'outcome'>;
  concurrency?: number;
}

/**
 * Delivers queued messages. A 2xx completes the job; 410 Gone disables the endpoint at once (the
 * receiver said it will never want more); the last failed attempt disables it with the reason.
 * Other failures throw, and BullMQ retries after the custom backoff.
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): Worker<DeliveryJob> {
  const { context, logger } = options;
  const attempts = options.retryDelaysMs.length + 1;
  const attemptDelivery = async (job: Job<DeliveryJob>): Promise<string> => {
    const { webhookId, eventId, trigger } = job.data;
    const webhook = await getWebhook(context.redis, webhookId);
    if (webhook === null || !webhook.enabled) return 'endpoint deleted or disabled';
    const event = await archivedEvent(context.redis, eventId);
    if (event === null) return 'event no longer archived';
    const attemptNumber = job.attemptsMade + 1;
    const { attempt, retryAfter } = await deliverMessage(
      webhook,
      messageOfEvent(event),
      trigger,
      attemptNumber,
      context,
    );
    const fields = { webhookId, eventId, attempt: attemptNumber, status: attempt.response_status };
    if (attempt.outcome === 'succeeded') {
      options.deliveries.inc({ outcome: 'delivered' });
      logger.info(fields, 'webhook delivered');
      return 'delivered';
    }
    logger.warn({ ...fields, error: attempt.error }, 'webhook delivery failed');
    if (attempt.response_status === 410) {
      options.deliveries.inc({ outcome: 'gone' });
      await disableWebhook(context.redis, webhookId, 'the endpoint answered 410 Gone', context.now());
      throw new UnrecoverableError('the endpoint answered 410 Gone; it is disabled');
    }
    if (attemptNumber >= (job.opts.attempts ?? attempts)) {
      options.deliveries.inc({ outcome: 'exhausted' });
      await disableWebhook(
        context.redis,
        webhookId,
        `${attemptNumber} delivery attempts failed; the last: ${attempt.error ?? 'unknown error'}`,
        context.now(),
      );
      throw new UnrecoverableError('retries exhausted; the endpoint is disabled');
    }
    options.deliveries.inc({ outcome: 'failed' });
    throw new DeliveryFailedError(
      attempt.error ?? 'delivery failed',
      parseRetryAfter(retryAfter, context.now()),
    );
  };
  // Each attempt is a span in the trace of the event it delivers (the aggregator's `aggregator.event`).
  const tracer = getTracer('api');
  const process = (job: Job<DeliveryJob>): Promise<string> =>
    withTraceContext(job.data.trace, () =>
      withSpan(
        tracer,
        'webhook.deliver',
        {
          'reachmap.webhook_id': job.data.webhookId,
          'reachmap.event_id': job.data.eventId,
          'reachmap.attempt': job.attemptsMade + 1,
        },
        () => attemptDelivery(job),
      ),
    );
  return new Worker<DeliveryJob>(QUEUE_NAMES.webhookDeliveries, process, {
    connection: options.connection,
    prefix: queuePrefix(0),
    concurrency: options.concurrency ?? 10,
    settings: {
      backoffStrategy: (attemptsMade, type, error) => {
        if (type !== WEBHOOK_BACKOFF) return 0;
        const retryAfterMs = error instanceof DeliveryFailedError ? error.retryAfterMs : null;
        return retryDelayMs(options.retryDelaysMs, attemptsMade, retryAfterMs);
      },
    },
  });
}
