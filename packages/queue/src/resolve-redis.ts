import { join } from 'node:path';
import { type EmbeddedRedis, startEmbeddedRedis } from './embedded-redis.ts';
import { parseRedisTarget, type RedisTarget } from './redis-target.ts';

export interface ResolvedRedis {
  target: RedisTarget;
  /** Set when reachmap started its own redis-server; stop it last, after queues are drained. */
  embedded: EmbeddedRedis | undefined;
}

/** `REDIS_URL` when given; otherwise the embedded default, a private redis-server under `dataDir`. */
export async function resolveRedis(options: {
  redisUrl: string | undefined;
  dataDir: string;
}): Promise<ResolvedRedis> {
  if (options.redisUrl !== undefined && options.redisUrl !== '') {
    return { target: parseRedisTarget(options.redisUrl), embedded: undefined };
  }
  const embedded = await startEmbeddedRedis({ dataDir: join(options.dataDir, 'redis') });
  return { target: { kind: 'single', url: embedded.url }, embedded };
}
