import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTestRedis } from './testing.ts';

describe('startTestRedis', () => {
  it('serves a private redis-server and removes its data directory on stop', async () => {
    const testRedis = await startTestRedis();
    const { dataDir } = testRedis.server;
    expect(testRedis.server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+/);
    await testRedis.redis.set('probe', 'answered');
    expect(await testRedis.redis.get('probe')).toBe('answered');
    expect(existsSync(dataDir)).toBe(true);
    await testRedis.stop();
    expect(existsSync(dataDir)).toBe(false);
  });
});
