import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisConnection, type RedisClient } from './connection.ts';
import { type EmbeddedRedis, startEmbeddedRedis } from './embedded-redis.ts';

export interface TestRedis {
  server: EmbeddedRedis;
  redis: RedisClient;
  /** Disconnects, stops the server and removes its temporary data directory. */
  stop(): Promise<void>;
}

/** A private redis-server in a temporary directory for one test file; `flushall` between tests keeps them apart. */
export async function startTestRedis(): Promise<TestRedis> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-test-redis-'));
  const server = await startEmbeddedRedis({ dataDir });
  const redis = createRedisConnection({ kind: 'single', url: server.url }, 'worker');
  return {
    server,
    redis,
    stop: async () => {
      redis.disconnect();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
