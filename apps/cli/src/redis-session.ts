import {
  assertRedisCompatible,
  createRedisConnection,
  type RedisClient,
  type RedisTarget,
  redactRedisUrl,
  resolveRedis,
  waitUntilReady,
} from '@reachmap/queue';
import type { Logger } from '@reachmap/telemetry';

export interface RedisSession {
  target: RedisTarget;
  client: RedisClient;
  /** Closes the client, then stops the embedded redis-server if we started one. */
  close(): Promise<void>;
}

function describeTarget(target: RedisTarget): string {
  return target.kind === 'single'
    ? redactRedisUrl(target.url)
    : `cluster ${target.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/** REDIS_URL or the embedded default, checked for a version and eviction policy that keep data safe. */
export async function openRedisSession(
  options: { redisUrl: string | undefined; dataDir: string; maxMemoryBytes?: number | undefined },
  log: Logger,
): Promise<RedisSession> {
  const resolved = await resolveRedis(options);
  if (resolved.embedded) {
    log.info(
      { redisPid: resolved.embedded.pid, port: resolved.embedded.port, dataDir: resolved.embedded.dataDir },
      'started embedded redis-server',
    );
  }
  const client = createRedisConnection(resolved.target, 'producer', 'reachmap-cli');
  try {
    await waitUntilReady(client);
    const { version } = await assertRedisCompatible(client);
    log.info({ redis: describeTarget(resolved.target), version }, 'redis ready');
  } catch (error) {
    client.disconnect();
    await resolved.embedded?.stop();
    throw error;
  }
  return {
    target: resolved.target,
    client,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
      await resolved.embedded?.stop();
    },
  };
}
