import { startTestRedis, type TestRedis } from '@reachmap/queue/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../http/http-error.ts';
import { enforceRateLimit } from './enforce-rate-limit.ts';

let testRedis: TestRedis;

beforeAll(async () => {
  testRedis = await startTestRedis();
});
afterAll(async () => await testRedis.stop());
beforeEach(async () => {
  await testRedis.redis.flushall();
});

const rate = { limit: 3, windowMs: 60_000 };

async function refusal(key: string): Promise<unknown> {
  return enforceRateLimit(testRedis.redis, key, rate, 'this client').then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('enforceRateLimit', () => {
  it('lets the window budget through, then refuses with 429 and when to come back', async () => {
    for (let request = 0; request < rate.limit; request++)
      expect(await refusal('rm:rate:test')).toBeUndefined();
    const error = await refusal('rm:rate:test');
    expect(error).toBeInstanceOf(HttpError);
    const refused = error as HttpError;
    expect(refused.status).toBe(429);
    expect(refused.code).toBe('rate_limited');
    expect(refused.message).toBe('this client is limited to 3 requests per 60 s; retry later');
    expect(refused.details).toEqual({ limit: 3, window_s: 60 });
    expect(refused.retryAfterS).toBeGreaterThan(0);
    expect(refused.retryAfterS).toBeLessThanOrEqual(60);
  });

  it('counts each key on its own and gives every counter an expiry', async () => {
    for (let request = 0; request < rate.limit; request++) await refusal('rm:rate:first');
    expect(await refusal('rm:rate:second')).toBeUndefined();
    const ttlMs = await testRedis.redis.pttl('rm:rate:first');
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(rate.windowMs);
  });

  it('starts a fresh window once the old one expired', async () => {
    const short = { limit: 1, windowMs: 200 };
    await enforceRateLimit(testRedis.redis, 'rm:rate:short', short, 'this client');
    await expect(enforceRateLimit(testRedis.redis, 'rm:rate:short', short, 'this client')).rejects.toThrow(
      HttpError,
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(
      enforceRateLimit(testRedis.redis, 'rm:rate:short', short, 'this client'),
    ).resolves.toBeUndefined();
  });
});
