import { startTestRedis, type TestRedis } from '@reachmap/queue/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../http/http-error.ts';
import { enforceRateLimit, type RateLimit } from './enforce-rate-limit.ts';

let testRedis: TestRedis;

beforeAll(async () => {
  testRedis = await startTestRedis();
});
afterAll(async () => await testRedis.stop());
beforeEach(async () => {
  await testRedis.redis.flushall();
});

const rate = { limit: 3, windowMs: 60_000 };

async function refusal(key: string, limit: RateLimit = rate): Promise<HttpError | undefined> {
  return enforceRateLimit(testRedis.redis, key, limit, 'this client').then(
    () => undefined,
    (error: unknown) => error as HttpError,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('enforceRateLimit', () => {
  it('lets the burst through, then refuses with 429 and when to come back', async () => {
    for (let request = 0; request < rate.limit; request++)
      expect(await refusal('rm:rate:test')).toBeUndefined();
    const refused = await refusal('rm:rate:test');
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused?.status).toBe(429);
    expect(refused?.code).toBe('rate_limited');
    expect(refused?.message).toBe('this client is limited to 3 requests per 60 s; retry later');
    expect(refused?.details).toEqual({ limit: 3, window_s: 60 });
    // The next request is one emission interval (60 s / 3) away, not the rest of a window.
    expect(refused?.retryAfterS).toBeGreaterThan(19);
    expect(refused?.retryAfterS).toBeLessThanOrEqual(20);
  });

  it('counts each key on its own and gives every key an expiry', async () => {
    for (let request = 0; request < rate.limit; request++) await refusal('rm:rate:first');
    expect(await refusal('rm:rate:second')).toBeUndefined();
    const ttlMs = await testRedis.redis.pttl('rm:rate:first');
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(rate.windowMs);
  });

  it('refills continuously: after the burst, one request per interval, never a second burst', async () => {
    const fast = { limit: 4, windowMs: 400 }; // one request per 100 ms, bursts of 4
    for (let request = 0; request < fast.limit; request++)
      expect(await refusal('rm:rate:edge', fast)).toBeUndefined();
    expect(await refusal('rm:rate:edge', fast)).toBeInstanceOf(HttpError);
    // A fixed window would hand out a whole new budget of 4 at its edge; a refilling bucket gives
    // back only what the elapsed time earned (one per 100 ms), whatever the phase.
    const started = performance.now();
    await sleep(150);
    let allowed = 0;
    for (let request = 0; request < fast.limit; request++)
      if ((await refusal('rm:rate:edge', fast)) === undefined) allowed++;
    const earned = Math.floor((performance.now() - started) / 100);
    expect(allowed).toBeGreaterThanOrEqual(1);
    expect(allowed).toBeLessThanOrEqual(Math.min(fast.limit, earned));
  });

  it('a quiet key is a full bucket again once its expiry passed', async () => {
    const short = { limit: 1, windowMs: 200 };
    expect(await refusal('rm:rate:short', short)).toBeUndefined();
    expect(await refusal('rm:rate:short', short)).toBeInstanceOf(HttpError);
    await sleep(400);
    expect(await testRedis.redis.exists('rm:rate:short')).toBe(0);
    expect(await refusal('rm:rate:short', short)).toBeUndefined();
  });
});
