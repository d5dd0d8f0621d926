import { startTestRedis } from '@reachmap/queue/testing';
import type { Measurement, Verdict } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { type ClassifiedMeasurement, countMeasurement, StoreConfig } from '@reachmap/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, appendEvent, sampleEvent, startTestApi } from '../testing/api-harness.ts';

const NOW = Date.now();
const config = StoreConfig.parse({});
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;
let blockedId = '';

async function count(
  network: Measurement['network'],
  verdict: Pick<Verdict, 'status' | 'method'>,
  agent: number,
) {
  const measurement = sampleMeasurement({
    start_time: new Date(NOW - 60_000 - agent * 1000).toISOString(),
    network,
    agent: {
      id: `agt_query${String(agent).padStart(16, '0')}`,
      software: { name: 'reachmap-agent', version: '0.1.0' },
    },
  });
  const classified: ClassifiedMeasurement = {
    measurement,
    verdict: {
      measurement_id: measurement.id,
      ...verdict,
      layer: 'tls',
      confidence: 0.8,
      evidence: ['reset after ClientHello'],
      classifier_version: 'test',
    },
    controls: 'healthy',
    received_at: new Date(NOW).toISOString(),
  };
  // What the aggregator does with a job's measurement: count it, then record it as evidence.
  await countMeasurement(redis.redis, classified, config, NOW);
  harness.evidence.record([classified], 3_600_000);
  return measurement.id;
}

async function get(path: string, headers: Record<string, string> = {}) {
  return await fetch(`${harness.api.url}${path}`, { headers });
}

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startTestApi(redis.server, redis.redis);
  const ru = { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' } as const;
  blockedId = await count(ru, { status: 'blocked', method: 'sni-reset' }, 1);
  await count(ru, { status: 'ok', method: null }, 2);
  // The collector's agent records, as apps/collector writes them.
  await redis.redis.sadd('rm:agents', 'agt_census0000000000000001', 'agt_census0000000000000002');
  await redis.redis.hset('rm:agent:agt_census0000000000000001', {
    network: JSON.stringify(ru),
    public_key: 'secret-ish-public-key',
    label: 'alice-home',
    last_seen_at: new Date(NOW).toISOString(),
  });
  await redis.redis.hset('rm:agent:agt_census0000000000000002', {
    network: JSON.stringify({ ...ru, network_type: 'mobile' }),
    revoked_at: new Date(NOW).toISOString(),
  });
});
afterAll(async () => {
  await harness.stop();
  await redis.stop();
});

describe('query endpoints', () => {
  it('GET /v1/map lists the country with this hour’s verdict counts', async () => {
    const response = await get('/v1/map?target=whatsapp&level=country');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { scopes: Array<Record<string, unknown>> };
    expect(body.scopes).toEqual([
      expect.objectContaining({
        scope: 'RU',
        target: 'whatsapp',
        counts: { blocked: 1, ok: 1 },
        simulated: false,
      }),
    ]);
    const csv = await (await get('/v1/map?target=whatsapp&level=region&format=csv')).text();
    expect(csv.split('\r\n')[0]).toBe('scope,target,state,method,confidence,since,agents,simulated,counts');
  });

  it('GET /v1/map?at= replays the events before that instant', async () => {
    const hourAgo = NOW - 3_600_000;
    const at = new Date(hourAgo).toISOString();
    // Stream ids are append times: this entry is written as if the aggregator had appended it an hour ago.
    await appendEvent(redis.redis, sampleEvent({ scope: 'RU-KDA', at, since: at }), `${hourAgo}-0`);
    const mapAt = async (ms: number) =>
      (
        (await (
          await get(`/v1/map?target=whatsapp&level=region&at=${new Date(ms).toISOString()}`)
        ).json()) as {
          scopes: Array<Record<string, unknown>>;
        }
      ).scopes;
    expect(await mapAt(hourAgo + 1_800_000)).toEqual([
      expect.objectContaining({ scope: 'RU-KDA', state: 'blocked', method: 'sni-reset', counts: {} }),
    ]);
    expect(await mapAt(hourAgo - 1_800_000)).toEqual([]);
  });

  it('GET /v1/events pages with a cursor and filters by type, in JSON and CSV', async () => {
    const events = [
      sampleEvent({ scope: 'AS64500' }),
      sampleEvent({ scope: 'AS64500', type: 'block.ended' }),
      sampleEvent({ scope: 'AS64500', type: 'throttle.started' }),
    ];
    for (const event of events) await appendEvent(redis.redis, event);
    const first = (await (await get('/v1/events?scope=AS64500&limit=2')).json()) as {
      events: Array<{ id: string }>;
      next_cursor: string;
      has_more: boolean;
    };
    expect(first.events.map((event) => event.id)).toEqual([events[0]?.id, events[1]?.id]);
    expect(first.has_more).toBe(true);
    const second = (await (
      await get(`/v1/events?scope=AS64500&limit=2&cursor=${first.next_cursor}`)
    ).json()) as {
      events: Array<{ id: string }>;
    };
    expect(second.events.map((event) => event.id)).toEqual([events[2]?.id]);
    const ended = (await (await get('/v1/events?scope=AS64500&type=block.ended')).json()) as {
      events: Array<{ id: string }>;
    };
    expect(ended.events.map((event) => event.id)).toEqual([events[1]?.id]);
    const csv = await (await get('/v1/events?scope=AS64500', { accept: 'text/csv' })).text();
    expect(csv.trim().split('\r\n')).toHaveLength(4);
  });

  it('GET /v1/measurements lists recent evidence; /v1/measurements/:id shows one, or 404', async () => {
    const list = (await (await get('/v1/measurements?status=blocked')).json()) as {
      measurements: Array<{ measurement: { id: string }; verdict: { method: string } }>;
    };
    expect(list.measurements.map((record) => record.measurement.id)).toEqual([blockedId]);
    const one = (await (await get(`/v1/measurements/${blockedId}`)).json()) as {
      verdict: { evidence: string[] };
    };
    expect(one.verdict.evidence).toEqual(['reset after ClientHello']);
    const missing = await get('/v1/measurements/01900000-0000-7000-8000-000000000000');
    expect(missing.status).toBe(404);
    const csv = await (await get('/v1/measurements?format=csv&source=agent')).text();
    expect(csv).toContain(blockedId);
  });

  it('GET /v1/targets, /v1/scopes and /v1/agents describe what there is, without identifying agents', async () => {
    const targets = (await (await get('/v1/targets')).json()) as { targets: Array<{ id: string }> };
    expect(targets.targets.map((target) => target.id)).toContain('whatsapp');
    const scopes = (await (await get('/v1/scopes')).json()) as {
      scopes: Array<{ scope: string; level: string }>;
    };
    expect(scopes.scopes).toEqual(
      expect.arrayContaining([
        { scope: 'RU', level: 'country' },
        { scope: 'AS64500', level: 'asn' },
      ]),
    );
    const agentsText = await (await get('/v1/agents')).text();
    expect(JSON.parse(agentsText)).toEqual({
      agents: [
        { scope: 'AS64500', network_type: 'fixed', agents: 1, active_24h: 1 },
        { scope: 'RU', network_type: 'fixed', agents: 1, active_24h: 1 },
        { scope: 'RU-MOW', network_type: 'fixed', agents: 1, active_24h: 1 },
      ],
    });
    for (const identifying of ['agt_', 'alice-home', 'secret-ish-public-key'])
      expect(agentsText).not.toContain(identifying);
  });

  it('GET /v1/series returns verdict shares per bucket with the control’s throughput', async () => {
    const from = new Date(NOW - 3_600_000).toISOString();
    const body = (await (await get(`/v1/series?scope=RU&target=whatsapp&bucket=1h&from=${from}`)).json()) as {
      control: string | null;
      points: Array<{ runs: number; shares: Record<string, number>; control_throughput: object }>;
    };
    expect(body.control).toMatch(/^control-foreign-/);
    const withRuns = body.points.filter((point) => point.runs > 0);
    expect(withRuns).toHaveLength(1);
    expect(withRuns[0]?.shares).toEqual({ blocked: 0.5, ok: 0.5 });
    expect(withRuns[0]?.control_throughput).toEqual({ p10: null, p50: null, p90: null });
  });

  it('answers bad parameters with 400 and JSON pointers, unknown paths with the JSON 404', async () => {
    const bad = await get('/v1/map?target=whatsapp&level=planet');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: Array<{ path: string }> } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.map((detail) => detail.path)).toEqual(['/query/level']);
    const missing = await get('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: { code: 'not_found', requestId: expect.any(String) },
    });
  });

  it('publishes its OpenAPI document and a self-contained reference page', async () => {
    const document = (await (await get('/v1/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    for (const path of ['/v1/map', '/v1/events', '/v1/webhooks', '/v1/stream', '/api/v1/aggregation']) {
      expect(Object.keys(document.paths)).toContain(path);
    }
    const page = await (await get('/v1/docs')).text();
    expect(page).toContain('/v1/webhooks/{id}/rotate-secret');
    expect(page).not.toMatch(/<script|<link|src="http|href="http/);
  });
});
