import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, startEmbeddedRedis } from './embedded-redis.ts';
import { assertRedisCompatible, IncompatibleRedisError } from './redis-compatibility.ts';

let redis: EmbeddedRedis;
let client: Redis;
const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-compat-'));
beforeAll(async () => {
  redis = await startEmbeddedRedis({ dataDir });
  client = new Redis(redis.url);
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('assertRedisCompatible', () => {
  it('accepts a Redis >= 6.2 with maxmemory-policy noeviction', async () => {
    const { version } = await assertRedisCompatible(client);
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses an evicting Redis, naming the policy and the fix', async () => {
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await expect(assertRedisCompatible(client)).rejects.toThrow(IncompatibleRedisError);
      await expect(assertRedisCompatible(client)).rejects.toThrow(/"allkeys-lru".*noeviction/);
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
