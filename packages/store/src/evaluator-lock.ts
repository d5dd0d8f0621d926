import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@reachmap/queue';
import { storeKeys } from './keys.ts';
import { runScript } from './scripts.ts';

/**
 * Runs `work` only if this process takes the partition's evaluator lock; returns undefined when another
 * process holds it. The lock only saves duplicate work: correctness rests on compare-and-set, so a
 * lock that expires mid-run is harmless.
 */
export async function withEvaluatorLock<T>(
  redis: RedisClient,
  partition: number,
  ttlMs: number,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const key = storeKeys(partition).evaluatorLock;
  const token = randomUUID();
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return undefined;
  try {
    return await work();
  } finally {
    await runScript(redis, 'rmReleaseLock', [key], [token]);
  }
}
