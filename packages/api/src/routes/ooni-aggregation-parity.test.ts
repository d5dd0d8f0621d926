import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { classifyImported, importOoni, readOoniDocument } from '@reachmap/ooni';
import { startTestRedis } from '@reachmap/queue/testing';
import type { Measurement, Verdict } from '@reachmap/schema';
import { countMeasurements, StoreConfig } from '@reachmap/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startTestApi } from '../testing/api-harness.ts';

/**
 * Count parity: OONI's counts computed here, independently, from the imported rows (OONI's SQL in
 * words: anomaly = anomaly ∧ ¬confirmed ∧ ¬failure, confirmed = confirmed ∧ ¬failure, failure =
 * failure, ok = ¬anomaly ∧ ¬confirmed ∧ ¬failure; start_time in [since, until); weeks from Sunday)
 * against what /api/v1/aggregation answers over the same rows, for a matrix of query shapes.
 */

const FIXTURES_ROOT =
  process.env.OONI_FIXTURES_DIR ?? join(import.meta.dirname, '../../../../../shared/fixtures');
const FOLDERS = ['ooni', 'ooni-more'].map((folder) => join(FIXTURES_ROOT, folder));
const HAVE_FIXTURES = FOLDERS.every((folder) => {
  try {
    return readdirSync(folder).length > 0;
  } catch {
    return false;
  }
});
if (!HAVE_FIXTURES && process.env.CI === 'true') throw new Error(`OONI fixtures missing at ${FIXTURES_ROOT}`);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const COPIES = 40;
const COUNTRIES: ReadonlyArray<[string, string]> = [
  ['RU', 'AS8402'],
  ['IR', 'AS197207'],
  ['US', 'AS7922'],
  ['IT', 'AS3269'],
  ['RU', 'AS12389'],
];
const CATEGORIES = ['NEWS', 'GRP', 'HUMR', ''];

interface Row {
  measurement: Measurement;
  verdict: Verdict;
}

const rows: Row[] = [];
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;

const ooniTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Every fixture measurement as it is, and COPIES variants moved in time, country and ASN. */
function documents(): unknown[] {
  const originals = FOLDERS.flatMap((folder) =>
    readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as unknown),
  );
  const out: unknown[] = [...originals];
  for (let copy = 0; copy < COPIES; copy += 1) {
    for (const [index, original] of originals.entries()) {
      const document = readOoniDocument(original);
      if (!('kind' in document) || document.kind !== 'measurement') continue;
      const raw = document.raw as Record<string, unknown>;
      const [cc, asn] = COUNTRIES[(copy + index) % COUNTRIES.length] as [string, string];
      // Spread over the last ~12 days, at times that are not hour-aligned.
      const start = NOW - (copy * 7 + (index % 5)) * HOUR - ((index * 7919) % 3_000_000) - 60_000;
      const moved = {
        ...raw,
        report_id: `${String(raw.report_id)}_copy${copy}`,
        probe_cc: cc,
        probe_asn: asn,
        measurement_start_time: ooniTime(start),
      };
      out.push(
        document.meta === null
          ? moved
          : {
              ...document.meta,
              raw_measurement: moved,
              category_code: CATEGORIES[(copy + index) % CATEGORIES.length],
            },
      );
    }
  }
  return out;
}

beforeAll(async () => {
  if (!HAVE_FIXTURES) return;
  redis = await startTestRedis();
  harness = await startTestApi(redis.server, redis.redis);
  const lines = documents().map((document) => JSON.stringify(document));
  const store = StoreConfig.parse({});
  await importOoni([{ name: 'fixtures', stream: Readable.from([Buffer.from(lines.join('\n'))]) }], {
    submit: async (measurements) => {
      const classified = measurements.map((measurement) => {
        const verdict = classifyImported(measurement);
        rows.push({ measurement, verdict });
        return { measurement, verdict, controls: 'none' as const, received_at: new Date(NOW).toISOString() };
      });
      await countMeasurements(redis.redis, classified, store, NOW);
    },
  });
}, 120_000);
afterAll(async () => {
  await harness?.stop();
  await redis?.stop();
});

type Counts = Record<
  'anomaly_count' | 'confirmed_count' | 'failure_count' | 'ok_count' | 'measurement_count',
  number
>;

/** The OONI flags of a row: OONI's own (`verdicts=ooni`), or reachmap's verdict put into OONI's terms. */
function flagsOf(row: Row, basis: 'ooni' | 'reachmap') {
  if (basis === 'ooni') {
    const ooni = row.measurement.source.ooni;
    return {
      anomaly: ooni?.anomaly === true,
      confirmed: ooni?.confirmed === true,
      failure: ooni?.failure === true,
    };
  }
  const { status, method } = row.verdict;
  return {
    anomaly: ['blocked', 'throttled', 'stalled'].includes(status),
    confirmed: status === 'blocked' && method === 'blockpage',
    failure: ['down', 'error', 'insufficient'].includes(status),
  };
}

function label(ms: number, grain: string): string {
  const date = new Date(ms);
  const iso = date.toISOString();
  if (grain === 'hour') return `${iso.slice(0, 13)}:00:00Z`;
  if (grain === 'day') return iso.slice(0, 10);
  if (grain === 'week') {
    const sunday = new Date(
      Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - date.getUTCDay()),
    );
    return sunday.toISOString().slice(0, 10);
  }
  if (grain === 'month') return `${iso.slice(0, 7)}-01`;
  return `${iso.slice(0, 4)}-01-01`;
}

const reachmapBlockingType = (verdict: Verdict): string | null => {
  if (!['blocked', 'throttled', 'stalled'].includes(verdict.status)) return null;
  if (verdict.layer === 'dns') return 'dns';
  if (verdict.layer === 'tcp') return 'tcp_ip';
  if (verdict.layer === 'tls') return 'http-failure';
  if (verdict.layer === 'http')
    return verdict.method === 'http-diff' || verdict.method === 'blockpage' ? 'http-diff' : 'http-failure';
  return null;
};

interface Shape {
  params: Record<string, string>;
  /** Time grain the reference labels with, when a time axis is asked for. */
  grain?: string;
}

/** OONI's answer for a query, computed from the rows directly. */
function expected(shape: Shape): unknown {
  const p = shape.params;
  const since = Date.parse(p.since ?? '');
  const until = p.until === undefined ? TODAY + DAY : Date.parse(p.until);
  const from = Number.isNaN(since) ? until - 180 * DAY : since;
  const source = p.source ?? 'all';
  const basis = (p.verdicts ?? (source === 'ooni' ? 'ooni' : 'reachmap')) as 'ooni' | 'reachmap';
  const list = (key: string) => p[key]?.split(',');
  const axes = [p.axis_x, p.axis_y].filter((axis): axis is string => axis !== undefined);
  const groups = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const { measurement } = row;
    const time = Date.parse(measurement.start_time);
    const ooni = measurement.source.ooni;
    const testName = ooni?.test_name ?? '';
    const input = measurement.target.input;
    const domain = input === null ? null : new URL(input).hostname;
    const category = ooni?.category_code ?? null;
    if (time < from || time >= until) continue;
    if (source !== 'all' && measurement.source.kind !== source) continue;
    if (list('probe_cc') && !list('probe_cc')?.includes(measurement.network.country)) continue;
    if (list('probe_asn') && !list('probe_asn')?.includes(`AS${measurement.network.asn}`)) continue;
    if (list('test_name') && !list('test_name')?.includes(testName)) continue;
    if (list('domain') && (domain === null || !list('domain')?.includes(domain))) continue;
    if (list('category_code') && (category === null || !list('category_code')?.includes(category))) continue;
    if (p.input !== undefined && input !== p.input) continue;
    const values: Record<string, unknown> = {
      measurement_start_day: label(time, shape.grain ?? 'day'),
      probe_cc: measurement.network.country,
      probe_asn: measurement.network.asn,
      test_name: testName,
      domain,
      input,
      category_code: category,
      blocking_type: basis === 'ooni' ? (ooni?.blocking_type ?? null) : reachmapBlockingType(row.verdict),
    };
    const key = JSON.stringify(axes.map((axis) => values[axis]));
    const group =
      groups.get(key) ??
      ({
        anomaly_count: 0,
        confirmed_count: 0,
        failure_count: 0,
        ok_count: 0,
        measurement_count: 0,
        ...Object.fromEntries(axes.map((axis) => [axis, values[axis]])),
      } as Counts & Record<string, unknown>);
    const flags = flagsOf(row, basis);
    const counts = group as Counts;
    if (flags.anomaly && !flags.confirmed && !flags.failure) counts.anomaly_count += 1;
    if (flags.confirmed && !flags.failure) counts.confirmed_count += 1;
    if (flags.failure) counts.failure_count += 1;
    if (!flags.anomaly && !flags.confirmed && !flags.failure) counts.ok_count += 1;
    counts.measurement_count += 1;
    groups.set(key, group);
  }
  const result = [...groups.values()].sort((a, b) => {
    for (const axis of axes) {
      const order = String(a[axis] ?? '').localeCompare(String(b[axis] ?? ''));
      if (order !== 0) return order;
    }
    return 0;
  });
  if (axes.length > 0) return result;
  return (
    result[0] ?? { anomaly_count: 0, confirmed_count: 0, failure_count: 0, ok_count: 0, measurement_count: 0 }
  );
}

const iso = (ms: number) => new Date(ms).toISOString();
const date = (ms: number) => iso(ms).slice(0, 10);
const ALL_TIME = { since: '2014-01-01', until: date(TODAY + DAY) };
const RECENT = { since: date(TODAY - 13 * DAY), until: date(TODAY + DAY) };

const SHAPES: Shape[] = [
  { params: { ...ALL_TIME, source: 'ooni' } },
  { params: { ...ALL_TIME, source: 'ooni', axis_x: 'probe_cc' } },
  { params: { ...ALL_TIME, source: 'ooni', axis_x: 'test_name' } },
  { params: { ...ALL_TIME, source: 'ooni', axis_x: 'probe_asn' } },
  { params: { ...ALL_TIME, source: 'ooni', axis_x: 'domain' } },
  { params: { ...ALL_TIME, source: 'ooni', axis_x: 'input' } },
  { params: { ...ALL_TIME, source: 'ooni', axis_x: 'blocking_type' } },
  { params: { ...ALL_TIME, source: 'ooni', axis_x: 'category_code' } },
  {
    params: { ...ALL_TIME, source: 'ooni', axis_x: 'measurement_start_day', time_grain: 'month' },
    grain: 'month',
  },
  {
    params: { ...ALL_TIME, source: 'ooni', axis_x: 'measurement_start_day', time_grain: 'year' },
    grain: 'year',
  },
  { params: { ...ALL_TIME, source: 'ooni', axis_x: 'measurement_start_day' }, grain: 'day' },
  { params: { ...RECENT, source: 'ooni', axis_x: 'measurement_start_day', time_grain: 'day' }, grain: 'day' },
  {
    params: { ...RECENT, source: 'ooni', axis_x: 'measurement_start_day', time_grain: 'week' },
    grain: 'week',
  },
  { params: { ...RECENT, source: 'ooni', axis_x: 'measurement_start_day' }, grain: 'day' },
  {
    params: {
      since: date(TODAY - 5 * DAY),
      until: date(TODAY + DAY),
      source: 'ooni',
      axis_x: 'measurement_start_day',
    },
    grain: 'hour',
  },
  {
    params: {
      since: date(TODAY - 3 * DAY),
      until: date(TODAY),
      source: 'ooni',
      axis_x: 'measurement_start_day',
      time_grain: 'hour',
    },
    grain: 'hour',
  },
  {
    params: {
      ...RECENT,
      source: 'ooni',
      axis_x: 'measurement_start_day',
      axis_y: 'probe_cc',
      time_grain: 'day',
    },
    grain: 'day',
  },
  { params: { ...RECENT, source: 'ooni', axis_x: 'probe_cc', axis_y: 'test_name' } },
  { params: { ...ALL_TIME, source: 'ooni', probe_cc: 'RU,IR', axis_x: 'probe_cc' } },
  { params: { ...ALL_TIME, source: 'ooni', test_name: 'signal,whatsapp', axis_x: 'test_name' } },
  { params: { ...ALL_TIME, source: 'ooni', test_name: 'facebook_messenger' } },
  { params: { ...ALL_TIME, source: 'ooni', probe_asn: 'AS8402,AS12389', axis_x: 'probe_asn' } },
  { params: { ...ALL_TIME, source: 'ooni', domain: 'rutor.org,www.pokerroom.com', axis_x: 'domain' } },
  { params: { ...ALL_TIME, source: 'ooni', input: 'http://rutor.org/' } },
  { params: { ...ALL_TIME, source: 'ooni', category_code: 'NEWS', axis_x: 'probe_cc' } },
  { params: { ...ALL_TIME, source: 'ooni', category_code: 'GRP,HUMR', axis_x: 'category_code' } },
  {
    params: {
      since: `${date(TODAY - 4 * DAY)}T10:00:00Z`,
      until: `${date(TODAY - DAY)}T17:00:00Z`,
      source: 'ooni',
      axis_x: 'probe_cc',
    },
  },
  {
    params: {
      since: `${date(TODAY - 2 * DAY)} 06:00:00`,
      until: `${date(TODAY - 2 * DAY)}T18:00:00Z`,
      source: 'ooni',
    },
  },
  { params: { ...ALL_TIME, source: 'ooni', verdicts: 'reachmap', axis_x: 'test_name' } },
  { params: { ...ALL_TIME, axis_x: 'blocking_type' } },
  {
    params: { ...RECENT, axis_x: 'test_name', axis_y: 'measurement_start_day', time_grain: 'week' },
    grain: 'week',
  },
  { params: { ...RECENT, probe_cc: 'US', axis_x: 'measurement_start_day', time_grain: 'day' }, grain: 'day' },
  { params: { source: 'ooni', axis_x: 'probe_cc' } },
  {
    params: {
      source: 'ooni',
      test_name: 'web_connectivity',
      axis_x: 'blocking_type',
      axis_y: 'probe_cc',
      ...ALL_TIME,
    },
  },
  { params: { ...ALL_TIME, source: 'agent' } },
];

describe.skipIf(!HAVE_FIXTURES)('count parity with OONI on imported measurements', () => {
  it('imports every copy', () => {
    expect(rows.length).toBeGreaterThan(26 * COPIES);
  });

  it.each(SHAPES.map((shape) => [new URLSearchParams(shape.params).toString(), shape] as const))(
    'answers %s as OONI would',
    async (query, shape) => {
      const response = await fetch(`${harness.api.url}/api/v1/aggregation?${query}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { result: unknown; dimension_count: number };
      expect(body.result).toEqual(expected(shape));
    },
  );

  it('has at least 30 query shapes, and none of them is empty but the agent-only one', () => {
    expect(SHAPES.length).toBeGreaterThanOrEqual(30);
    const empty = SHAPES.filter((shape) => {
      const result = expected(shape);
      return Array.isArray(result) ? result.length === 0 : (result as Counts).measurement_count === 0;
    });
    expect(empty.map((shape) => shape.params.source)).toEqual(['agent']);
  });
});
