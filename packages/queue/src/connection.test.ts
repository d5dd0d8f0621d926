import { describe, expect, it } from 'vitest';
import { createRedisConnection } from './connection.ts';
import { findFreeLoopbackPort } from './embedded-redis.ts';

describe('createRedisConnection', () => {
  it('makes producers fail fast when Redis is down instead of queueing commands', async () => {
    const port = await findFreeLoopbackPort();
    const client = createRedisConnection({ kind: 'single', url: `redis://127.0.0.1:${port}` }, 'producer');
    client.on('error', () => {});
    const started = Date.now();
    await expect(client.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    client.disconnect();
  });

  it('configures workers as BullMQ requires (no per-request retry limit)', () => {
    const client = createRedisConnection({ kind: 'single', url: 'redis://127.0.0.1:1' }, 'worker');
    client.on('error', () => {});
    expect('maxRetriesPerRequest' in client.options && client.options.maxRetriesPerRequest).toBeNull();
    client.disconnect();
  });
});
