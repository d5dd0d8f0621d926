import { readdirSync, readFileSync } from 'node:fs';
import { OoniAggregationResponse } from '@reachmap/ooni';
import { startTestRedis } from '@reachmap/queue/testing';
import type { Measurement, Verdict } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { countMeasurement, StoreConfig } from '@reachmap/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startTestApi } from '../testing/api-harness.ts';

const FIXTURES = new URL(
  `file://${process.env.OONI_FIXTURES_DIR ?? new URL('../../../../../shared/fixtures', import.meta.url).pathname}/ooni/`,
);

/** A recorded OONI response: `{status, contentType, body}` with the JSON body as a string. */
function recordedAggregation(nameStart: string): Record<string, unknown> {
  const file = readdirSync(FIXTURES).find((name) => name.startsWith(nameStart));
  if (file === undefined) throw new Error(`no fixture ${nameStart}`);
  const recorded = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as { body: string };
  return JSON.parse(recorded.body) as Record<string, unknown>;
}

/** Keys and value types, recursively, with arrays reduced to the shape of their elements. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value))
    return [...new Set(value.map((item) => JSON.stringify(shapeOf(item))))].map((s) => JSON.parse(s));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, shapeOf(inner)]),
    );
  }
  return value === null ? 'null' : typeof value;
}

const NOW = Date.now();
const DAY = new Date(NOW - 3_600_000).toISOString().slice(0, 10);
const config = StoreConfig.parse({});
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;

async function count(
  network: Measurement['network'],
  targetId: string,
  verdict: Pick<Verdict, 'status' | 'method'>,
  agentNumber: number,
) {
  const measurement = sampleMeasurement({
    start_time: new Date(NOW - 3_600_000).toISOString(),
    network,
    agent: {
      id: `agt_ooni${String(agentNumber).padStart(16, '0')}`,
      software: { name: 'reachmap-agent', version: '0.1.0' },
    },
    target: { id: targetId, kind: 'service', control: null, input: null, catalogue_version: 'lab-1' },
  });
  await countMeasurement(
    redis.redis,
    {
      measurement,
      verdict: {
        measurement_id: measurement.id,
        ...verdict,
        layer: null,
        confidence: 0.9,
        evidence: [],
        classifier_version: 'test',
      },
      controls: 'healthy',
      received_at: new Date(NOW).toISOString(),
    },
    config,
    NOW,
  );
}

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startTestApi(redis.server, redis.redis);
  const ru = { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' } as const;
  const ir = { country: 'IR', region: null, asn: 64600, network_type: 'mobile' } as const;
  await count(ru, 'telegram', { status: 'blocked', method: 'sni-reset' }, 1);
  await count(ru, 'telegram', { status: 'blocked', method: 'blockpage' }, 2);
  await count(ru, 'telegram', { status: 'ok', method: null }, 3);
  await count(ru, 'telegram', { status: 'error', method: null }, 3);
  await count(ir, 'telegram', { status: 'throttled', method: 'rate-cap' }, 4);
  await count(ir, 'youtube', { status: 'down', method: null }, 4);
});
afterAll(async () => {
  await harness.stop();
  await redis.stop();
});

async function aggregation(query: string) {
  const response = await fetch(`${harness.api.url}/api/v1/aggregation?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown> & { result: Array<Record<string, unknown>> };
}

describe('GET /api/v1/aggregation (OONI-compatible)', () => {
  it('answers a two-axis query with the structure of the recorded OONI response', async () => {
    const recorded = recordedAggregation(
      'aggregation__axis_x-measurement_start_day_axis_y-probe_cc_since-2025-03-01',
    );
    const ours = await aggregation(
      `axis_x=measurement_start_day&axis_y=probe_cc&since=${DAY}&test_name=telegram&time_grain=day`,
    );
    expect(shapeOf(ours)).toEqual(shapeOf(recorded));
    expect(OoniAggregationResponse.safeParse(ours).success).toBe(true);
    expect(ours.dimension_count).toBe(recorded.dimension_count);
    expect(ours.result).toEqual([
      {
        anomaly_count: 1,
        confirmed_count: 0,
        failure_count: 0,
        ok_count: 0,
        measurement_count: 1,
        measurement_start_day: DAY,
        probe_cc: 'IR',
      },
      {
        // OONI's four counts are disjoint: the blockpage run is confirmed, not also an anomaly.
        anomaly_count: 1,
        confirmed_count: 1,
        failure_count: 1,
        ok_count: 1,
        measurement_count: 4,
        measurement_start_day: DAY,
        probe_cc: 'RU',
      },
    ]);
  });

  it('answers a one-axis daily query like the recorded web_connectivity one', async () => {
    const recorded = recordedAggregation('aggregation__test_name-web_connectivity');
    const ours = await aggregation(
      `test_name=web_connectivity&since=${DAY}&axis_x=measurement_start_day&time_grain=day`,
    );
    expect(shapeOf(ours)).toEqual(shapeOf(recorded));
    expect(ours.result).toEqual([
      {
        anomaly_count: 0,
        confirmed_count: 0,
        failure_count: 1,
        ok_count: 0,
        measurement_count: 1,
        measurement_start_day: DAY,
      },
    ]);
  });

  it('filters by probe_asn and answers CSV', async () => {
    const response = await fetch(
      `${harness.api.url}/api/v1/aggregation?probe_asn=AS64500&axis_x=probe_asn&since=${DAY}&format=CSV`,
    );
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(await response.text()).toBe(
      'anomaly_count,confirmed_count,failure_count,ok_count,measurement_count,probe_asn\r\n1,1,1,1,4,64500\r\n',
    );
  });

  it('takes comma lists and the catalogue spelling of facebook-messenger', async () => {
    const both = await aggregation(`probe_cc=RU,IR&test_name=telegram,youtube&since=${DAY}&axis_x=probe_cc`);
    expect(both.result.map((row) => [row.probe_cc, row.measurement_count])).toEqual([
      ['IR', 1],
      ['RU', 4],
    ]);
    const none = await aggregation(`test_name=facebook-messenger&since=${DAY}`);
    expect(none.result).toMatchObject({ measurement_count: 0 });
  });

  it('refuses dates that do not exist, bad grains and queries over its cost limit with 400, never 500', async () => {
    for (const query of [
      'since=2026-13-45',
      'until=2026-02-30',
      // The default 180-day window before 1970 (found by the 100 000-request campaign: a 500).
      'until=1970-01-01T00:00:00Z',
      'since=1969-06-01&until=1970-01-01',
      'since=2026-01-01T25:00:00Z',
      // OONI allows hours only up to 7 days.
      'since=2026-01-01&until=2026-02-01&axis_x=measurement_start_day&time_grain=hour',
      // 56 years of daily buckets: over the cost limit, however few rows they hold.
      'since=1970-01-01&until=2026-01-01',
      // Hourly counts of 2020 are long gone: a time of day there cannot be honoured.
      'since=2020-01-01T10:00:00Z&until=2020-01-03',
    ]) {
      const response = await fetch(`${harness.api.url}/api/v1/aggregation?${query}`);
      expect(response.status, query).toBe(400);
    }
    // No span limit besides the cost: 30 years of days is fine.
    const wide = await fetch(`${harness.api.url}/api/v1/aggregation?since=1996-01-01&until=2026-01-01`);
    expect(wide.status).toBe(200);
  });

  it('refuses unknown axes with a pointer to the parameter', async () => {
    const response = await fetch(`${harness.api.url}/api/v1/aggregation?axis_x=colour`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { details: Array<{ path: string }> } };
    expect(body.error.details[0]?.path).toBe('/query/axis_x');
  });
});
