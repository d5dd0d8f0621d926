import { findFreeLoopbackPort } from '@reachmap/queue';
import { describe, expect, it } from 'vitest';
import { demoRedisUrl, startDemoProcess } from './demo-process.ts';

describe('the demo network as a child process of the lab app', () => {
  it("rejects with the child's reason when it cannot start", async () => {
    // Nothing listens on this port: the child's Redis never becomes ready, before any demo address is bound.
    const port = await findFreeLoopbackPort();
    const started = startDemoProcess({
      collectorUrl: 'http://127.0.0.1:9',
      redisUrl: `redis://127.0.0.1:${port}`,
      logLevel: 'silent',
    });
    await expect(started).rejects.toThrow(/demo network failed to start: Redis did not become ready/);
  }, 30_000);

  it('rejects when the child exits before it is ready (a setting it needs is missing)', async () => {
    await expect(
      startDemoProcess({ collectorUrl: '', redisUrl: 'redis://127.0.0.1:9', logLevel: 'silent' }),
    ).rejects.toThrow(/demo network exited before it was ready \(code 2/);
  }, 30_000);

  it('joins the Redis up started, or the one REDIS_URL names', () => {
    expect(demoRedisUrl(undefined, { kind: 'single', url: 'redis://127.0.0.1:7001' })).toBe(
      'redis://127.0.0.1:7001',
    );
    expect(demoRedisUrl('redis://10.0.0.5:6379', { kind: 'single', url: 'redis://127.0.0.1:7001' })).toBe(
      'redis://10.0.0.5:6379',
    );
  });
});
