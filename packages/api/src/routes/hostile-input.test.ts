import { startTestRedis } from '@reachmap/queue/testing';
import { ErrorBody } from '@reachmap/schema';
import { emptyObservations, sampleMeasurement } from '@reachmap/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, bearer, startTestApi } from '../testing/api-harness.ts';
import { MAX_PAGE_BYTES } from './measurements.ts';

// Malformed input an anonymous caller or a careless admin can send: always a 4xx in the one error shape.

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;
beforeAll(async () => {
  redis = await startTestRedis();
  // A budget no query here can reach on a loaded machine; the time-budget test starts its own API.
  harness = await startTestApi(redis.server, redis.redis, { heartbeatMs: 300, queryBudgetMs: 600_000 });
});
afterAll(async () => {
  await harness.stop();
  await redis.stop();
});

async function expectError(response: Response, status: number, code: string): Promise<void> {
  const body = ErrorBody.parse(await response.json());
  expect([response.status, body.error.code]).toEqual([status, code]);
}

describe('malformed input', () => {
  it('answers a malformed JSON body to POST and PATCH /v1/webhooks with 400, not 500', async () => {
    const headers = { ...bearer(harness.adminKey), 'content-type': 'application/json' };
    const post = await fetch(`${harness.api.url}/v1/webhooks`, { method: 'POST', headers, body: '{"url": ' });
    await expectError(post, 400, 'malformed_request');
    const patch = await fetch(`${harness.api.url}/v1/webhooks/whk_0000000000000000000000`, {
      method: 'PATCH',
      headers,
      body: '{nope',
    });
    await expectError(patch, 400, 'malformed_request');
    expect(harness.logs.some((line) => line.includes('"unhandled error"'))).toBe(false);
  });

  it.each([
    ['a non-id', 'zzz'],
    ['an id from the far future', `${Date.now() + 365 * 86_400_000}-0`],
    ['too many parts', '1-0,2-0,3-0'],
  ])('refuses %s as Last-Event-ID with 400', async (_case, id) => {
    await expectError(
      await fetch(`${harness.api.url}/v1/stream?last_event_id=${id}`),
      400,
      'invalid_last_event_id',
    );
    await expectError(
      await fetch(`${harness.api.url}/v1/stream`, { headers: { 'last-event-id': id } }),
      400,
      'invalid_last_event_id',
    );
  });

  it('resumes from a past event id', async () => {
    const response = await fetch(`${harness.api.url}/v1/stream?last_event_id=${Date.now() - 1000}-0`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});

describe('instants before 1970', () => {
  it.each([['to=1970-01-01T00:00:00Z'], ['from=1969-12-31T00:00:00Z&to=1970-01-02T00:00:00Z']])(
    'answers /v1/series?%s with 400, not 500',
    async (range) => {
      const response = await fetch(`${harness.api.url}/v1/series?scope=RU&target=whatsapp&${range}`);
      expect(response.status).toBe(400);
    },
  );
});

describe('query cost', () => {
  it('refuses a year of hourly /v1/series buckets with 400 too_many_points, naming the coarser bucket', async () => {
    const to = Date.now();
    const from = new Date(to - 365 * 86_400_000).toISOString();
    const url = `${harness.api.url}/v1/series?scope=RU&target=whatsapp&bucket=1h&from=${from}&to=${new Date(to).toISOString()}`;
    const response = await fetch(url);
    const body = ErrorBody.parse(await response.json());
    expect([response.status, body.error.code]).toEqual([400, 'too_many_points']);
    expect(body.error.message).toContain('1d');
    const daily = await fetch(url.replace('bucket=1h', 'bucket=1d'));
    expect(daily.status).toBe(200);
  });

  it('ends a /v1/measurements page at its byte budget and points to the next one', async () => {
    const now = Date.now();
    // Twelve measurements of ~500 KB each (2000 network events): 6 MB, past the 4 MiB budget.
    const events = Array.from({ length: 2000 }, (_, index) => ({
      operation: 'read' as const,
      address: `198.18.0.${index % 250}:443/${'x'.repeat(200)}`,
      num_bytes: index,
      failure: null,
      t: 0.001,
    }));
    for (let index = 0; index < 12; index += 1) {
      const measurement = sampleMeasurement({
        start_time: new Date(now - 60_000 - index * 1000).toISOString(),
        observations: { ...emptyObservations(), network_events: events },
      });
      // What the aggregator records for each counted measurement.
      harness.evidence.record(
        [
          {
            measurement,
            verdict: {
              measurement_id: measurement.id,
              status: 'ok',
              method: null,
              layer: 'tls',
              confidence: 0.8,
              evidence: [],
              classifier_version: 'test',
            },
            controls: 'healthy',
            received_at: new Date(now).toISOString(),
          },
        ],
        3_600_000,
      );
    }
    const response = await fetch(`${harness.api.url}/v1/measurements?limit=500`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const page = JSON.parse(text) as { measurements: unknown[]; next_before: string | null };
    expect(text.length).toBeLessThan(MAX_PAGE_BYTES + 600_000);
    expect(page.measurements.length).toBeLessThan(12);
    expect(page.next_before).not.toBeNull();
  });

  it('cuts a query that runs past a small time budget with 503 and stays healthy', async () => {
    // The same API with a 1 ms budget: no series of 2200 hourly buckets, two targets and three
    // sources each (about 30 000 Redis reads) fits in it, though each cap allows it.
    const tight = await startTestApi(redis.server, redis.redis, { queryBudgetMs: 1 });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const to = Date.now();
      const from = new Date(to - 2199 * 3_600_000).toISOString();
      const path = `/v1/series?scope=RU&target=whatsapp&bucket=1h&from=${from}&to=${new Date(to).toISOString()}`;
      const cut = await fetch(`${tight.api.url}${path}`);
      expect(cut.headers.get('retry-after')).toBe('1');
      const body = ErrorBody.parse(await cut.json());
      expect([cut.status, body.error.code]).toEqual([503, 'query_budget_exceeded']);
      expect(body.error.message).toContain('1 ms time budget (API_QUERY_BUDGET)');

      // Within a generous budget the same query is answered: the budget refused it, not its shape.
      const answered = await fetch(`${harness.api.url}${path}`);
      expect(answered.status).toBe(200);
      expect(((await answered.json()) as { points: unknown[] }).points.length).toBe(2200);
      // The tight API still serves what needs no query, and its abandoned query ended quietly.
      expect((await fetch(`${tight.api.url}/metrics`)).status).toBe(200);
      expect(tight.logs.some((line) => line.includes('"unhandled error"'))).toBe(false);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await tight.stop();
    }
  }, 60_000);
});
