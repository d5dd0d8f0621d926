import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@reachmap/queue';
import type { Logger } from '@reachmap/telemetry';
import { eventOfEntry, eventStreamKeys, traceOfEntry } from '../events/stream-entry.ts';
import { type DeliveryQueue, enqueueDelivery } from './delivery-queue.ts';
import { subscriptionMatches } from './subscription-filter.ts';
import { archiveEvent, listWebhooks } from './webhook-store.ts';

/** Consumer group every API process joins on each partition's event stream. */
export const DISPATCH_GROUP = 'webhook-dispatch';

/** Entries another consumer read but did not acknowledge for this long are taken over (it likely died). */
const CLAIM_IDLE_MS = 60_000;
const BATCH = 100;

export interface DispatcherOptions {
  /** A connection of its own: XREADGROUP BLOCK holds it while waiting. */
  connection: RedisClient;
  queue: DeliveryQueue;
  partitions: number;
  attempts: number;
  logger: Logger;
  blockMs?: number;
}

type StreamEntry = [id: string, fields: string[]];

/**
 * Feeds the delivery queue from the event streams. A consumer group hands each entry to one API
 * process; the entry is acknowledged only after its jobs are enqueued, so a crash re-dispatches it
 * (at least once) and the idempotent job ids keep that from becoming a second delivery.
 */
export class EventDispatcher {
  readonly #options: DispatcherOptions;
  readonly #consumer = `api-${randomUUID()}`;
  #running = false;
  #loop: Promise<void> | null = null;
  #lastClaimAt = 0;

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const { connection, partitions } = this.#options;
    for (const key of eventStreamKeys(partitions)) {
      try {
        // `$`: a new group starts with events from now on; history is not replayed to subscribers.
        await connection.xgroup('CREATE', key, DISPATCH_GROUP, '$', 'MKSTREAM');
      } catch (error) {
        if (!(error as Error).message.includes('BUSYGROUP')) throw error;
      }
    }
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { connection, partitions, logger } = this.#options;
    const keys = eventStreamKeys(partitions);
    // Partitions hash to different cluster slots, so each is read on its own; the wait is shared out.
    const blockMs = Math.max(10, Math.floor((this.#options.blockMs ?? 1000) / keys.length));
    while (this.#running) {
      for (const key of keys) {
        if (!this.#running) break;
        try {
          await this.#claimStale(key);
          const reply = (await connection.xreadgroup(
            'GROUP',
            DISPATCH_GROUP,
            this.#consumer,
            'COUNT',
            BATCH,
            'BLOCK',
            blockMs,
            'STREAMS',
            key,
            '>',
          )) as Array<[string, StreamEntry[]]> | null;
          for (const [, entries] of reply ?? []) await this.#dispatch(key, entries);
        } catch (error) {
          if (!this.#running) break;
          logger.error({ err: error, stream: key }, 'webhook dispatch failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    }
  }

  async #claimStale(key: string): Promise<void> {
    const now = Date.now();
    if (now - this.#lastClaimAt < CLAIM_IDLE_MS / 2) return;
    this.#lastClaimAt = now;
    const [, entries] = (await this.#options.connection.xautoclaim(
      key,
      DISPATCH_GROUP,
      this.#consumer,
      CLAIM_IDLE_MS,
      '0-0',
      'COUNT',
      BATCH,
    )) as [string, StreamEntry[]];
    await this.#dispatch(
      key,
      entries.filter((entry) => entry !== null),
    );
  }

  async #dispatch(key: string, entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const { connection, queue, attempts, logger } = this.#options;
    const webhooks = await listWebhooks(connection);
    for (const [streamId, fields] of entries) {
      const event = eventOfEntry(fields);
      if (event === null) {
        logger.warn({ stream: key, streamId }, 'skipping an event entry that does not parse');
      } else {
        const matching = webhooks.filter((webhook) => subscriptionMatches(webhook, event));
        if (matching.length > 0) await archiveEvent(connection, event);
        for (const webhook of matching) {
          await enqueueDelivery(
            queue,
            { webhookId: webhook.id, eventId: event.id, trigger: 'event', trace: traceOfEntry(fields) },
            attempts,
          );
        }
        logger.debug({ eventId: event.id, subscriptions: matching.length }, 'event dispatched');
      }
      await connection.xack(key, DISPATCH_GROUP, streamId);
    }
  }
}
