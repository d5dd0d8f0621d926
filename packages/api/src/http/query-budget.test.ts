import { setTimeout as sleep } from 'node:timers/promises';
import { startTestRedis } from '@reachmap/queue/testing';
import { ErrorBody } from '@reachmap/schema';
import { errorResponse, HttpError } from '@reachmap/server-kit';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEnv } from './api-env.ts';
import { budgetedRedis, queryBudget } from './query-budget.ts';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** How many GET commands Redis has executed, from its own statistics. */
async function getCalls(): Promise<number> {
  const info = await redis.redis.info('commandstats');
  return Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

describe('query budget', () => {
  it('answers 503 with Retry-After at the budget and refuses the Redis reads the query makes after it', async () => {
    const reads = budgetedRedis(redis.redis);
    let ended: (outcome: unknown) => void = () => undefined;
    const handlerEnded = new Promise<unknown>((resolve) => {
      ended = resolve;
    });
    const app = new Hono<ApiEnv>();
    app.onError((error, c) => errorResponse(c, error as HttpError));
    app.use(queryBudget(20));
    app.get('/v1/slow', async (c) => {
      try {
        await reads.get('before-the-deadline');
        // Timers never fire early: the next read starts at least 100 ms after a 20 ms deadline.
        await sleep(100);
        await reads.get('after-the-deadline');
        ended('read after the deadline');
      } catch (error) {
        ended(error);
      }
      return c.json({}, 200);
    });
    const before = await getCalls();

    const response = await app.request('/v1/slow');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    const body = ErrorBody.parse(await response.json());
    expect(body.error.code).toBe('query_budget_exceeded');
    expect(body.error.message).toContain('20 ms');
    expect(body.error.message).toContain('API_QUERY_BUDGET');

    const outcome = await handlerEnded;
    expect(outcome).toBeInstanceOf(HttpError);
    expect((outcome as HttpError).code).toBe('query_budget_exceeded');
    expect((await getCalls()) - before).toBe(1);
  });

  it('leaves writes and event streams unbudgeted, and the client usable outside requests', async () => {
    const reads = budgetedRedis(redis.redis);
    const app = new Hono<ApiEnv>();
    app.use(queryBudget(20));
    app.post('/v1/write', async (c) => {
      await sleep(60);
      await reads.set('written', '1');
      return c.json({}, 201);
    });
    app.get('/v1/stream', async (c) => {
      await sleep(60);
      return c.text(String(await reads.get('written')), 200);
    });
    expect((await app.request('/v1/write', { method: 'POST' })).status).toBe(201);
    expect(await (await app.request('/v1/stream')).text()).toBe('1');
    expect(await reads.get('written')).toBe('1');
  });
});
