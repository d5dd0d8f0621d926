import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './redis-target.ts';

export type RedisClient = Redis | Cluster;

/**
 * `worker`: BullMQ workers and blocking readers; BullMQ requires `maxRetriesPerRequest: null` so a
 * blocking command is never cut short. `producer`: request paths (collector, API) that must fail fast
 * when Redis is down instead of queueing commands in memory until a client times out.
 */
export type ConnectionRole = 'worker' | 'producer';

function roleOptions(role: ConnectionRole): RedisOptions {
  return role === 'worker'
    ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
}

export function createRedisConnection(
  target: RedisTarget,
  role: ConnectionRole,
  connectionName = `reachmap-${role}`,
): RedisClient {
  const options: RedisOptions = { ...roleOptions(role), connectionName, lazyConnect: false };
  if (target.kind === 'single') return new Redis(target.url, options);
  return new Cluster(target.nodes, {
    ...roleOptions(role),
    redisOptions: {
      connectionName,
      password: target.password,
      ...(target.tls ? { tls: {} } : {}),
    },
  });
}

/** Resolves once the client is ready, or rejects with the connection error after `timeoutMs`. */
export async function waitUntilReady(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    const onError = (error: Error) => {
      lastError = error;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `Redis did not become ready within ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`,
        ),
      );
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
    };
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

/**
 * Runs a command line's `use` against Redis, opened for it and closed after; resolves to the exit
 * code. Commands take this rather than a client so that their help and usage errors need no Redis.
 */
export type WithRedis = (use: (redis: RedisClient) => Promise<number>) => Promise<number>;
