import { join } from 'node:path';
import { findFreeLoopbackPort } from '@reachmap/queue';
import type { BenchRedis } from '../bench-redis.ts';
import { type NodeProcess, waitForProcess } from './node-process.ts';
import { spawnServerProcess } from './reachmap-servers.ts';

export interface ApiProcess {
  url: string;
  process: NodeProcess;
}

/**
 * The real API process (`apps/api/src/main.ts`, which also serves the built dashboard at `/`) on a
 * free loopback port. The anonymous rate limit is lifted: the bench asks far more than a reader would.
 */
export async function startApiProcess(redis: BenchRedis): Promise<ApiProcess> {
  const port = await findFreeLoopbackPort();
  const api = spawnServerProcess('api', '@reachmap/api-app', {
    REDIS_URL: redis.embedded.url,
    REACHMAP_DATA_DIR: join(redis.dir, 'api'),
    HOST: '127.0.0.1',
    API_PORT: String(port),
    API_RATE_ANONYMOUS_PER_MINUTE: '10000000',
    LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForProcess(api, async () => (await fetch(`${url}/v1/map?target=whatsapp`)).status === 200);
  } catch (error) {
    await api.stop();
    throw error;
  }
  return { url, process: api };
}
