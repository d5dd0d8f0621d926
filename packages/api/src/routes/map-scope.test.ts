import { startTestRedis } from '@reachmap/queue/testing';
import type { Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { countMeasurement, StoreConfig } from '@reachmap/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, appendEvent, sampleEvent, startTestApi } from '../testing/api-harness.ts';

// The map's live counts are the current hour's rollup: the API's clock is pinned to the time the
// measurements were counted at, so a run that crosses an hour boundary reads the same hour.
const NOW = Date.now();
const config = StoreConfig.parse({});
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;

async function count(network: Measurement['network'], status: 'ok' | 'blocked') {
  const measurement = sampleMeasurement({ start_time: new Date(NOW).toISOString(), network });
  await countMeasurement(
    redis.redis,
    {
      measurement,
      verdict: {
        measurement_id: measurement.id,
        status,
        layer: 'tls',
        method: status === 'ok' ? null : 'sni-reset',
        confidence: 0.8,
        evidence: ['reset after ClientHello'],
        classifier_version: 'test',
      },
      controls: 'healthy',
      received_at: new Date(NOW).toISOString(),
    },
    config,
    NOW,
  );
}

async function scopesOf(query: string): Promise<string[]> {
  const response = await fetch(`${harness.api.url}/v1/map?target=whatsapp&${query}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { scopes: Array<{ scope: string; counts: object }> };
  return body.scopes.map((entry) => entry.scope);
}

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startTestApi(redis.server, redis.redis, { now: () => NOW });
  await count({ country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'fixed' }, 'blocked');
  await count({ country: 'RU', region: 'RU-SPE', asn: 8359, network_type: 'mobile' }, 'ok');
  await count({ country: 'RU', region: 'RU-SPE', asn: 12389, network_type: 'fixed' }, 'ok');
  await count({ country: 'IR', region: 'IR-23', asn: 58224, network_type: 'fixed' }, 'ok');
});
afterAll(async () => {
  await harness.stop();
  await redis.stop();
});

describe('GET /v1/map narrowed to a country or region', () => {
  it('lists only the ASNs seen in the country, or in the region, with their counts', async () => {
    expect(await scopesOf('level=asn')).toEqual(['AS12389', 'AS58224', 'AS8359']);
    expect(await scopesOf('level=asn&country=RU')).toEqual(['AS12389', 'AS8359']);
    expect(await scopesOf('level=asn&region=RU-MOW')).toEqual(['AS12389']);
    expect(await scopesOf('level=asn&region=RU-SPE')).toEqual(['AS12389', 'AS8359']);
    expect(await scopesOf('level=asn&country=DE')).toEqual([]);
    const body = (await (
      await fetch(`${harness.api.url}/v1/map?target=whatsapp&level=asn&region=RU-MOW`)
    ).json()) as { scopes: Array<{ counts: Record<string, number> }> };
    expect(body.scopes[0]?.counts).toEqual({ blocked: 1, ok: 1 });
  });

  it('lists a country’s regions, one region, or the country itself', async () => {
    expect(await scopesOf('level=region&country=RU')).toEqual(['RU-MOW', 'RU-SPE']);
    expect(await scopesOf('level=region&region=RU-SPE')).toEqual(['RU-SPE']);
    expect(await scopesOf('level=country&country=IR')).toEqual(['IR']);
  });

  it('narrows a historical map the same way', async () => {
    const hourAgo = NOW - 3_600_000;
    const at = new Date(hourAgo).toISOString();
    await appendEvent(redis.redis, sampleEvent({ scope: 'AS12389', at, since: at }), `${hourAgo}-0`);
    await appendEvent(redis.redis, sampleEvent({ scope: 'AS58224', at, since: at }), `${hourAgo}-1`);
    const then = new Date(hourAgo + 60_000).toISOString();
    expect(await scopesOf(`level=asn&at=${then}`)).toEqual(['AS12389', 'AS58224']);
    expect(await scopesOf(`level=asn&country=RU&at=${then}`)).toEqual(['AS12389']);
    expect(await scopesOf(`level=asn&region=IR-23&at=${then}`)).toEqual(['AS58224']);
  });

  it('refuses a region outside the country and a region filter on the country level', async () => {
    for (const query of [
      'level=asn&country=IR&region=RU-MOW',
      'level=country&region=RU-MOW',
      'level=asn&country=ru',
    ]) {
      const response = await fetch(`${harness.api.url}/v1/map?target=whatsapp&${query}`);
      expect(response.status).toBe(400);
    }
  });
});
