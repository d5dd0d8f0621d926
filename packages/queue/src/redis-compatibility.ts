import type { RedisClient } from './connection.ts';

export const MINIMUM_REDIS_VERSION = '6.2.0';

export class IncompatibleRedisError extends Error {
  override name = 'IncompatibleRedisError';
}

function infoField(info: string, field: string): string | undefined {
  const match = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return match?.[1]?.trim();
}

function versionAtLeast(actual: string, minimum: string): boolean {
  const a = actual.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const left = a[i] ?? 0;
    const right = b[i] ?? 0;
    if (left !== right) return left > right;
  }
  return true;
}

/**
 * Refuses a Redis that would lose or corrupt queue data. BullMQ's Lua scripts need 6.2+, and any
 * eviction policy other than `noeviction` may silently delete jobs and rollups under memory pressure.
 * Reads INFO rather than CONFIG GET, which managed Redis services often disable.
 */
export async function assertRedisCompatible(client: RedisClient): Promise<{ version: string }> {
  const nodes = 'nodes' in client ? client.nodes('master') : [client];
  let version = '';
  for (const node of nodes) {
    const info = await node.info();
    version = infoField(info, 'redis_version') ?? '';
    const policy = infoField(info, 'maxmemory_policy');
    if (version === '' || !versionAtLeast(version, MINIMUM_REDIS_VERSION)) {
      throw new IncompatibleRedisError(
        `Redis ${version || '(unknown version)'} is too old: reachmap needs Redis ${MINIMUM_REDIS_VERSION} or newer`,
      );
    }
    if (policy !== 'noeviction') {
      throw new IncompatibleRedisError(
        `Redis maxmemory-policy is "${policy}", which can evict queued measurements; set it to noeviction ` +
          '(redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf)',
      );
    }
  }
  return { version };
}
