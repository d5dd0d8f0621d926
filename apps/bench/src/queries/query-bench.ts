import { StoreConfig } from '@reachmap/store';
import { benchNetworks, scopeCount } from '../bench-networks.ts';
import { type BenchRedis, redisInfoNumbers } from '../bench-redis.ts';
import { percentile } from '../percentile.ts';
import { startApiProcess } from '../processes/api-process.ts';
import type { BenchProfile } from '../profile.ts';
import type { Progress } from '../progress.ts';
import { evaluateSeeded } from './evaluate-seeded.ts';
import { seedHistory } from './seed-history.ts';

export interface QueryTiming {
  query: string;
  example: string;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

export interface HistoryFigures {
  days: number;
  scopes: number;
  targets: number;
  measurements: number;
  seedSeconds: number;
  usedMemoryBytes: number;
  rollupKeys: number;
  rollupBytes: number;
  events: number;
  /** Mean bytes of the per-measurement keys (docs/redis-keys.md): what grows with volume, not with scopes. */
  perMeasurementKeyBytes: { counted: number | null; seen: number | null; control: number | null };
  queries: QueryTiming[];
}

const DAY_MS = 86_400_000;

/** Sums MEMORY USAGE over every rollup key (hashes, HyperLogLogs, witness lists). */
async function rollupMemory(redis: BenchRedis): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, found] = await redis.client.scan(cursor, 'MATCH', '*:roll*', 'COUNT', 5_000);
    cursor = next;
    const pipeline = redis.client.pipeline();
    for (const key of found) pipeline.memory('USAGE', key);
    for (const [, value] of (await pipeline.exec()) ?? []) bytes += Number(value ?? 0);
    keys += found.length;
  } while (cursor !== '0');
  return { keys, bytes };
}

/** Mean MEMORY USAGE of up to `sample` keys matching `pattern`; null when none exist. */
async function scanKeys(redis: BenchRedis, pattern: string, sample: number): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.client.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0' && found.length < sample);
  return found;
}

/**
 * Bytes per member of the sets matching `pattern` (the "counted" and "seen" sets hold one id per
 * measurement): MEMORY USAGE over every element (SAMPLES 0) ÷ members.
 */
async function meanSetMemberBytes(redis: BenchRedis, pattern: string): Promise<number | null> {
  const found = await scanKeys(redis, pattern, 1_000);
  let bytes = 0;
  let members = 0;
  for (const key of found) {
    bytes += Number((await redis.client.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
    members += await redis.client.scard(key);
  }
  return members === 0 ? null : bytes / members;
}

async function meanKeyBytes(redis: BenchRedis, pattern: string, sample = 200): Promise<number | null> {
  const found = await scanKeys(redis, pattern, sample);
  if (found.length === 0) return null;
  const pipeline = redis.client.pipeline();
  for (const key of found.slice(0, sample)) pipeline.memory('USAGE', key);
  const sizes = ((await pipeline.exec()) ?? []).map(([, value]) => Number(value ?? 0));
  return sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
}

async function timeQueries(baseUrl: string, paths: readonly string[], repetitions: number) {
  const samples: number[] = [];
  let failures = 0;
  for (let index = 0; index < repetitions; index += 1) {
    const path = paths[index % paths.length] as string;
    const started = performance.now();
    const response = await fetch(`${baseUrl}${path}`);
    await response.arrayBuffer();
    samples.push(performance.now() - started);
    if (response.status !== 200) failures += 1;
  }
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), failures };
}

/**
 * Sizes the per-measurement keys the ingest benchmark left, empties Redis, seeds `days` of history
 * through the store's write path, lets the window evaluator form states and events, then times the read endpoints of a real API process over HTTP, one request at a time.
 */
export async function runHistoryBench(
  redis: BenchRedis,
  profile: BenchProfile,
  progress: Progress,
): Promise<HistoryFigures> {
  const { history } = profile;
  const now = Date.now();
  const store = StoreConfig.parse({});
  // The ingest benchmark left its per-measurement keys behind: size them, then start from an empty
  // Redis, so that its evaluated windows do not shadow the seeded ones and memory counts only history.
  const perMeasurementKeyBytes = {
    counted: await meanSetMemberBytes(redis, '{rm:p*}:counted:*'),
    seen: await meanSetMemberBytes(redis, 'rm:seen:*'),
    control: await meanKeyBytes(redis, '{rm:p*}:ctl-msm:*'),
  };
  await redis.client.flushall();
  const memoryBefore = (await redisInfoNumbers(redis.client, 'memory')).get('used_memory') ?? 0;
  const seedStart = performance.now();
  const { measurements } = await seedHistory(redis.client, store, history, now);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const usedMemoryBytes =
    ((await redisInfoNumbers(redis.client, 'memory')).get('used_memory') ?? 0) - memoryBefore;
  const rollupAfter = await rollupMemory(redis);

  progress(
    `history: ${measurements} measurements over ${history.days} days seeded in ${seedSeconds.toFixed(1)} s`,
  );

  const evaluation = await evaluateSeeded(redis, 'history-archive');
  progress(`history: evaluator formed ${evaluation.transitions} transitions`);

  const api = await startApiProcess(redis);
  const baseUrl = api.url;
  try {
    const networks = benchNetworks(history.countries, history.regionsPerCountry);
    const regions = networks.map((network) => network.region ?? network.country);
    const since = new Date(now - history.days * DAY_MS).toISOString();
    const weekAgo = new Date(now - 7 * DAY_MS).toISOString();
    const until = new Date(now).toISOString();
    const sinceDay = since.slice(0, 10);
    const suites: { query: string; paths: string[] }[] = [
      {
        query: 'map, countries',
        paths: ['whatsapp', 'telegram', 'signal'].map((t) => `/v1/map?target=${t}&level=country`),
      },
      {
        query: 'map, regions',
        paths: ['whatsapp', 'telegram', 'signal'].map((t) => `/v1/map?target=${t}&level=region`),
      },
      {
        query: `series, 1d buckets over ${history.days} days`,
        paths: regions.map(
          (scope) => `/v1/series?scope=${scope}&target=whatsapp&bucket=1d&from=${since}&to=${until}`,
        ),
      },
      {
        query: 'series, 1h buckets over 7 days',
        paths: regions.map(
          (scope) => `/v1/series?scope=${scope}&target=telegram&bucket=1h&from=${weekAgo}&to=${until}`,
        ),
      },
      {
        query: 'events, 100 newest pages',
        paths: ['/v1/events?limit=100', '/v1/events?limit=100&type=block.started'],
      },
      {
        query: `OONI aggregation, day × country over ${history.days} days`,
        paths: [
          `/api/v1/aggregation?axis_x=measurement_start_day&axis_y=probe_cc&since=${sinceDay}&test_name=whatsapp`,
        ],
      },
    ];
    const queries: QueryTiming[] = [];
    for (const suite of suites) {
      const timing = await timeQueries(baseUrl, suite.paths, profile.queries.repetitions);
      queries.push({ query: suite.query, example: suite.paths[0] ?? '', ...timing });
      progress(
        `queries: ${suite.query}: p50 ${timing.p50Ms.toFixed(1)} ms, p99 ${timing.p99Ms.toFixed(1)} ms`,
      );
    }
    return {
      days: history.days,
      scopes: scopeCount(history.countries, history.regionsPerCountry),
      targets: history.targets,
      measurements,
      seedSeconds,
      usedMemoryBytes,
      rollupKeys: rollupAfter.keys,
      rollupBytes: rollupAfter.bytes,
      events: evaluation.events,
      perMeasurementKeyBytes,
      queries,
    };
  } finally {
    await api.process.stop();
  }
}
