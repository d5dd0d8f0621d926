/**
 * Every BullMQ queue and Redis key family in one place (docs/redis-keys.md lists the layout).
 *
 * Queue keys carry a hash tag per partition (`{rm:p0}`) so that on Redis Cluster all keys of one
 * queue land in one slot, which BullMQ's multi-key Lua scripts require.
 */
export const QUEUE_NAMES = {
  /** Collector → aggregator: one job per accepted batch of measurements. */
  ingest: 'ingest',
  /** API → webhook deliverer: one job per (event, subscription). */
  webhookDeliveries: 'webhook-deliveries',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** BullMQ `prefix` for a partition of the queues; partition 0 is the only one on a single node. */
export function queuePrefix(partition = 0): string {
  return `{rm:p${partition}}`;
}

/**
 * Redis stream of scope events of a partition (`{rm:p<N>}:events`); with several partitions, readers
 * merge the streams by id (docs/redis-keys.md, @reachmap/store `readEvents`).
 */
export function eventsStreamKey(partition = 0): string {
  return `${queuePrefix(partition)}:events`;
}

/** The events stream of partition 0: the only one on a single Redis node. */
export const EVENTS_STREAM_KEY = eventsStreamKey(0);
