import type { RedisClient } from '@reachmap/queue';
import { COLLECTOR_KEYS, seenHourOf } from '../redis-keys.ts';

/**
 * How long an accepted id is remembered. Agents re-send at most their spool's age (7 days, the
 * longest an agent keeps unsent measurements); a day more covers clock skew and slow drains.
 */
export const SEEN_RETENTION_S = 8 * 86_400;

/** What dedup needs of a measurement: its id, and its start time, which picks its hour's set. */
export interface SeenCandidate {
  id: string;
  start_time: string;
}

/** Ids grouped by the "seen" set of their hour: a batch of one agent's rounds spans one or two. */
function byHourSet(measurements: readonly SeenCandidate[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { id, start_time } of measurements) {
    const key = COLLECTOR_KEYS.seenMeasurements(seenHourOf(start_time));
    let ids = groups.get(key);
    if (ids === undefined) {
      ids = [];
      groups.set(key, ids);
    }
    ids.push(id);
  }
  return groups;
}

/**
 * The ids Redis already marks as accepted: one SMISMEMBER per hour set, not a command per id. Each
 * command names one key, so this also works on Redis Cluster, where the hours' sets live in
 * different slots.
 */
export async function findSeenIds(
  redis: RedisClient,
  measurements: readonly SeenCandidate[],
): Promise<Set<string>> {
  const seen = new Set<string>();
  await Promise.all(
    [...byHourSet(measurements)].map(async ([key, ids]) => {
      const flags = await redis.smismember(key, ...ids);
      for (const [index, flag] of flags.entries()) if (flag === 1) seen.add(ids[index] as string);
    }),
  );
  return seen;
}

/**
 * Marks ids accepted: SADD to their hour's set, whose TTL each write renews. Called only after their
 * job is safely in the queue (docs/api-agent.md).
 */
export async function markIdsSeen(redis: RedisClient, measurements: readonly SeenCandidate[]): Promise<void> {
  await Promise.all(
    [...byHourSet(measurements)].map(async ([key, ids]) => {
      await redis
        .pipeline()
        .sadd(key, ...ids)
        .expire(key, SEEN_RETENTION_S)
        .exec();
    }),
  );
}
