import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedRedis, startEmbeddedRedis } from '@reachmap/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisRetention } from './redis-retention.ts';

describe('redisRetention', () => {
  let dataDir: string;
  let redis: EmbeddedRedis;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'reachmap-retention-'));
    redis = await startEmbeddedRedis({ dataDir });
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(redis.port), ...args]);

  it('counts memory of expiring keys as explained and leaves persistent keys unexplained', () => {
    const before = redisRetention(redis.port);
    const value = 'x'.repeat(10_000);
    for (let i = 0; i < 50; i++) cli('set', `{rm:t}:msm:"quoted" ${i}`, value, 'EX', '3600');
    const withExpiring = redisRetention(redis.port);
    expect(withExpiring.expiringKeys - before.expiringKeys).toBe(50);
    // 50 values of 10 kB (0.48 MiB) under retention; the unexplained rest moves by less than half
    // of that (per-key overhead and the AOF buffer, which MEMORY USAGE leaves out).
    expect(withExpiring.expiringMiB - before.expiringMiB).toBeGreaterThan(0.45);
    expect(Math.abs(withExpiring.unexplainedMiB - before.unexplainedMiB)).toBeLessThan(0.24);

    for (let i = 0; i < 50; i++) cli('set', `leak:${i}`, value);
    const withPersistent = redisRetention(redis.port);
    expect(withPersistent.persistentKeys - withExpiring.persistentKeys).toBe(50);
    expect(withPersistent.unexplainedMiB - withExpiring.unexplainedMiB).toBeGreaterThan(0.45);
  });
});
