import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRedisConnection,
  type EmbeddedRedis,
  type RedisClient,
  startEmbeddedRedis,
} from '@reachmap/queue';

/** A private redis-server for one test file, flushed between tests. */
export async function startTestRedis(): Promise<{
  server: EmbeddedRedis;
  redis: RedisClient;
  stop(): Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-store-'));
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
