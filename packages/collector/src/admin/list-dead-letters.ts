import type { RedisClient } from '@reachmap/queue';
import { countDeadLetters, type DeadLetter, readDeadLetters } from '@reachmap/store';

/** `reachmap admin dead-letters list`: the newest measurements the aggregator could not count. */
export async function listDeadLetters(
  redis: RedisClient,
  limit = 100,
): Promise<{ total: number; newest: DeadLetter[] }> {
  const [total, newest] = await Promise.all([countDeadLetters(redis), readDeadLetters(redis, limit)]);
  return { total, newest };
}
