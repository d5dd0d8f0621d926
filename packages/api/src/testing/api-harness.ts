import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { EvidenceStore } from '@reachmap/evidence';
import type { EmbeddedRedis, RedisClient, RedisTarget } from '@reachmap/queue';
import type { ScopeEvent } from '@reachmap/schema';
import { newPrefixedId } from '@reachmap/schema';
import { StoreConfig, storeKeys } from '@reachmap/store';
import { loadCatalogue } from '@reachmap/targets';
import { createLogger } from '@reachmap/telemetry';
import { createApiKey } from '../access/api-keys.ts';
import { type RunningApi, type StartApiOptions, startApi } from '../start-api.ts';

export interface ApiHarness {
  api: RunningApi;
  /** Every log line the API wrote, as raw JSON text. */
  logs: string[];
  adminKey: string;
  readKey: string;
  /** The API's evidence store, opened beside it: tests record what an aggregator would. */
  evidence: EvidenceStore;
  stop(): Promise<void>;
}

/**
 * The options of an API for tests and benchmarks: loopback on a free port, the lab catalogue, anonymous
 * reads, generous rate limits and webhooks allowed to loopback. One owner for every harness that needs
 * a whole API over real HTTP.
 */
export async function loopbackApiOptions(
  redis: RedisTarget,
  overrides: Partial<StartApiOptions> = {},
): Promise<StartApiOptions> {
  const catalogue = await loadCatalogue({ kind: 'lab' });
  return {
    redis,
    host: '127.0.0.1',
    port: 0,
    store: StoreConfig.parse({}),
    // Made only when the caller has no path of its own: an unused directory would outlive the test.
    evidencePath:
      overrides.evidencePath ??
      join(mkdtempSync(join(tmpdir(), 'reachmap-api-evidence-')), 'evidence.sqlite'),
    catalogue: async () => catalogue,
    access: {
      anonymousRead: true,
      perAddress: { limit: 10_000, windowMs: 60_000 },
      perKey: { limit: 10_000, windowMs: 60_000 },
    },
    webhooks: { allowedCidrs: [['127.0.0.0', 8]], secretOverlapMs: 3_600_000, timeoutMs: 5_000 },
    maxStreams: 20,
    shutdownGraceMs: 500,
    logger: createLogger({ name: 'api', level: 'silent' }),
    ...overrides,
  };
}

/** Starts the whole API (HTTP, dispatcher, delivery worker) on a free loopback port with captured logs. */
export async function startTestApi(
  redisServer: EmbeddedRedis,
  redis: RedisClient,
  overrides: Partial<StartApiOptions> = {},
): Promise<ApiHarness> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const options = await loopbackApiOptions(
    { kind: 'single', url: redisServer.url },
    { logger: createLogger({ name: 'api', level: 'debug', destination }), ...overrides },
  );
  const api = await startApi(options);
  const evidence = EvidenceStore.open(options.evidencePath);
  const admin = await createApiKey(redis, { role: 'admin', label: 'test admin' });
  const read = await createApiKey(redis, { role: 'read', label: 'test reader' });
  const stop = async () => {
    await api.close();
    evidence.close();
    if (overrides.evidencePath === undefined)
      rmSync(dirname(options.evidencePath), { recursive: true, force: true });
  };
  return { api, logs, adminKey: admin.secret, readKey: read.secret, evidence, stop };
}

/** A scope event as the aggregator would draft it. */
export function sampleEvent(overrides: Partial<ScopeEvent> = {}): ScopeEvent {
  const at = new Date().toISOString();
  return {
    id: newPrefixedId('evt'),
    type: 'block.started',
    scope: 'RU-MOW',
    target: 'whatsapp',
    method: 'sni-reset',
    since: at,
    at,
    confidence: 0.9,
    counts: { blocked: 9, ok: 1 },
    agents: 3,
    witnesses: [],
    simulated: false,
    ...overrides,
  };
}

/**
 * Appends an event to partition 0's stream with the fields the store's compare-and-set script writes
 * (packages/store/src/scripts/compare-and-set-state.lua); returns the stream entry id.
 */
export async function appendEvent(redis: RedisClient, event: ScopeEvent, entryId = '*'): Promise<string> {
  const id = await redis.xadd(
    storeKeys(0).events,
    entryId,
    'id',
    event.id,
    'type',
    event.type,
    'scope',
    event.scope,
    'target',
    event.target ?? '',
    'event',
    JSON.stringify(event),
  );
  if (id === null) throw new Error('XADD returned no id');
  return id;
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
