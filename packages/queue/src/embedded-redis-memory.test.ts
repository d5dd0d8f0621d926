import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { defaultEmbeddedMaxMemory, startEmbeddedRedis } from './embedded-redis.ts';

async function maxmemoryOf(options: { maxMemoryBytes?: number }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'reachmap-redis-memory-'));
  const embedded = await startEmbeddedRedis({ dataDir: dir, ...options });
  const client = new Redis(embedded.url, { lazyConnect: true });
  try {
    await client.connect();
    const [, value] = (await client.config('GET', 'maxmemory')) as [string, string];
    return Number(value);
  } finally {
    client.disconnect();
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('embedded Redis memory', () => {
  it('runs with a maxmemory, so memory backpressure can act before the machine runs out', async () => {
    expect(await maxmemoryOf({})).toBe(defaultEmbeddedMaxMemory());
    expect(await maxmemoryOf({ maxMemoryBytes: 64 * 1024 ** 2 })).toBe(64 * 1024 ** 2);
  });

  it('defaults to a quarter of the machine, at least 256 MiB', () => {
    expect(defaultEmbeddedMaxMemory(8 * 1024 ** 3)).toBe(2 * 1024 ** 3);
    expect(defaultEmbeddedMaxMemory(512 * 1024 ** 2)).toBe(256 * 1024 ** 2);
  });
});
