import type { RedisClient } from '@reachmap/queue';
import { COLLECTOR_KEYS } from '../redis-keys.ts';

/**
 * How long an accepted id is remembered. Agents re-send at most their spool's age (7 days, the
 * longest an agent keeps unsent measurements); a day more covers clock skew and slow drains.
 */
export const SEEN_RETENTION_S = 8 * 86_400;

/**
 * The ids Redis already marks as accepted. One command per key rather than MGET, so it also works on
 * Redis Cluster where the keys live in different slots; ioredis pipelines them on the connection.
 */
export async function findSeenIds(redis: RedisClient, ids: readonly string[]): Promise<Set<string>> {
  const exists = await Promise.all(ids.map((id) => redis.exists(COLLECTOR_KEYS.seenMeasurement(id))));
  return new Set(ids.filter((_, index) => exists[index] === 1));
}

/** Marks ids accepted. Called only after their job is safely in the queue (docs/api-agent.md). */
export async function markIdsSeen(
  redis: RedisClient,
  ids: readonly string[],
  batchId: string,
): Promise<void> {
  await Promise.all(
    ids.map((id) => redis.set(COLLECTOR_KEYS.seenMeasurement(id), batchId, 'EX', SEEN_RETENTION_S, 'NX')),
  );
}
