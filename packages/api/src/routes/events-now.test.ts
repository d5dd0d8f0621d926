import { startTestRedis } from '@reachmap/queue/testing';
import type { Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import {
  compareAndSetScopeState,
  countMeasurement,
  StoreConfig,
  type StoredScopeState,
} from '@reachmap/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, appendEvent, sampleEvent, startTestApi } from '../testing/api-harness.ts';

const config = StoreConfig.parse({});
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${harness.api.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

function machine(scope: string, state: 'blocked' | 'accessible', sinceMs: number): StoredScopeState {
  const since = new Date(sinceMs).toISOString();
  return {
    version: 1,
    machine: {
      scope,
      target: 'whatsapp',
      version: 1,
      state,
      since,
      interference:
        state === 'blocked'
          ? {
              status: 'blocked',
              method: 'sni-reset',
              since,
              confidence: 0.9,
              agents: 3,
              counts: { blocked: 9 },
              witnesses: ['01936b2e-0000-7000-8000-000000000001'],
              clean_windows: 0,
              simulated: false,
            }
          : null,
      last_window_end: since,
    },
    last_window: { agents: 3, all_simulated: false },
  };
}

async function count(network: Measurement['network'], now: number): Promise<void> {
  const measurement = sampleMeasurement({ network });
  await countMeasurement(
    redis.redis,
    {
      measurement,
      verdict: {
        measurement_id: measurement.id,
        status: 'ok',
        layer: null,
        method: null,
        confidence: 0.9,
        evidence: [],
        classifier_version: 'test',
      },
      controls: 'healthy',
      received_at: measurement.end_time,
    },
    config,
    now,
  );
}

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startTestApi(redis.server, redis.redis);
  const now = Date.now();
  // Counted measurements give each scope its machine (`pairs`) and tie AS8359 to Russia and RU-SPE.
  const networks = [
    { country: 'RU', region: 'RU-SPE', asn: 8359, network_type: 'mobile' },
    { country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'fixed' },
    { country: 'IR', region: 'IR-23', asn: 58224, network_type: 'fixed' },
    { country: 'DE', region: 'DE-BE', asn: 3320, network_type: 'fixed' },
  ] as const;
  for (const network of networks) await count(network, now);
  await compareAndSetScopeState(redis.redis, config, 0, machine('RU-MOW', 'blocked', now - 7_200_000), []);
  await compareAndSetScopeState(redis.redis, config, 0, machine('IR-23', 'blocked', now - 3_600_000), []);
  await compareAndSetScopeState(redis.redis, config, 0, machine('DE-BE', 'accessible', now), []);
  for (const scope of ['RU-MOW', 'AS8359', 'IR-23', 'RU', 'AS3320', 'DE-BE'])
    await appendEvent(redis.redis, sampleEvent({ scope }));
});
afterAll(async () => {
  await harness.stop();
  await redis.stop();
});

describe('what is open now and what changed', () => {
  it('GET /v1/events/open lists the open interferences, newest first, with their witnesses', async () => {
    const body = await getJson<{ open: Array<{ scope: string; state: string; witnesses: string[] }> }>(
      '/v1/events/open?target=whatsapp',
    );
    expect(body.open.map((state) => [state.scope, state.state])).toEqual([
      ['IR-23', 'blocked'],
      ['RU-MOW', 'blocked'],
    ]);
    expect(body.open[0]?.witnesses).toEqual(['01936b2e-0000-7000-8000-000000000001']);
    expect((await getJson<{ open: unknown[] }>('/v1/events/open?target=telegram')).open).toEqual([]);
  });

  it('GET /v1/events/latest answers newest first, and within= covers a scope’s regions and ASNs', async () => {
    const scopes = async (query: string) =>
      (await getJson<{ events: Array<{ scope: string }> }>(`/v1/events/latest?${query}`)).events.map(
        (event) => event.scope,
      );
    expect(await scopes('limit=3')).toEqual(['DE-BE', 'AS3320', 'RU']);
    expect(await scopes('within=RU')).toEqual(['RU', 'AS8359', 'RU-MOW']);
    expect(await scopes('within=RU-SPE')).toEqual(['AS8359']);
    const page = await getJson<{ events: Array<{ scope: string }> }>('/v1/events?within=RU');
    expect(page.events.map((event) => event.scope)).toEqual(['RU-MOW', 'AS8359', 'RU']);
  });
});
