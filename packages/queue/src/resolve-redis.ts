import { join } from 'node:path';
import { type EmbeddedRedis, findRunningEmbeddedRedis, startEmbeddedRedis } from './embedded-redis.ts';
import { parseRedisTarget, type RedisTarget } from './redis-target.ts';

export interface ResolvedRedis {
  target: RedisTarget;
  /** Set when reachmap started its own redis-server; stop it last, after queues are drained. */
  embedded: EmbeddedRedis | undefined;
}

/**
 * `REDIS_URL` when given; otherwise the embedded default: the private redis-server already running
 * under `dataDir`, or a new one.
 */
export async function resolveRedis(options: {
  redisUrl: string | undefined;
  dataDir: string;
  /** `maxmemory` of an embedded Redis this call starts (not of one already running). */
  maxMemoryBytes?: number | undefined;
}): Promise<ResolvedRedis> {
  if (options.redisUrl !== undefined && options.redisUrl !== '') {
    return { target: parseRedisTarget(options.redisUrl), embedded: undefined };
  }
  const dataDir = join(options.dataDir, 'redis');
  // A short-lived command (`reachmap admin …`) joins the server `reachmap up` is running.
  const embedded =
    (await findRunningEmbeddedRedis(dataDir)) ??
    (await startEmbeddedRedis({
      dataDir,
      ...(options.maxMemoryBytes === undefined ? {} : { maxMemoryBytes: options.maxMemoryBytes }),
    }));
  return { target: { kind: 'single', url: embedded.url }, embedded };
}
