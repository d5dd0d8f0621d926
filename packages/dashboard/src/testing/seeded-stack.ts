import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceStore } from '@reachmap/evidence';
import { createRedisConnection, type RedisClient, startEmbeddedRedis, waitUntilReady } from '@reachmap/queue';
import type { AgentNetwork, Method, ScopeEvent, VerdictStatus } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import {
  type ClassifiedMeasurement,
  compareAndSetScopeState,
  countMeasurement,
  readStoredScopeState,
  StoreConfig,
  type StoredScopeState,
} from '@reachmap/store';
import { loadCatalogue } from '@reachmap/targets';
import { createLogger } from '@reachmap/telemetry';
import { createDashboardApp } from '../server/dashboard-app.ts';
import { classified, seededMeasurement } from './seed-data.ts';

/**
 * apps/api serves this package (it depends on @reachmap/dashboard), so this package cannot declare the
 * reverse dependency without a workspace cycle that Turborepo refuses. The test loads the API's source
 * by path instead, typed by the part of `startApi` it uses.
 */
const API_ENTRY = new URL('../../../api/src/index.ts', import.meta.url).href;
type StartApi = (options: object) => Promise<{ url: string; close(): Promise<void> }>;

const TARGET = 'whatsapp';
/**
 * Down in every seeded network at once (a server-side outage): the aggregator's target-wide rule
 * freezes each machine at `outage` with the reason (docs/state-machine.md, "Target outages").
 */
const DOWN_TARGET = 'signal';
const HOUR_MS = 3_600_000;

type SeededScopeState = 'accessible' | 'blocked' | 'throttled' | 'stalled' | 'insufficient';

interface SeededNetwork {
  network: AgentNetwork;
  /** The state the region and the ASN are put in. */
  region: SeededScopeState;
  asn: SeededScopeState;
  method: Method | null;
  simulated: boolean;
}

/**
 * Russia blocks (its second network has too little evidence to count), Iran throttles, Kazakhstan
 * blocks in one region only (partial; its other region has a code the region map lacks), Germany is
 * accessible, a lab network in the Netherlands stalls.
 */
const NETWORKS: SeededNetwork[] = [
  {
    network: { country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'fixed' },
    region: 'blocked',
    asn: 'blocked',
    method: 'sni-reset',
    simulated: false,
  },
  {
    network: { country: 'RU', region: 'RU-SPE', asn: 8359, network_type: 'mobile' },
    region: 'insufficient',
    asn: 'insufficient',
    method: null,
    simulated: false,
  },
  {
    network: { country: 'IR', region: 'IR-23', asn: 58224, network_type: 'fixed' },
    region: 'throttled',
    asn: 'throttled',
    method: 'rate-cap',
    simulated: false,
  },
  {
    network: { country: 'KZ', region: 'KZ-ALA', asn: 9198, network_type: 'fixed' },
    region: 'blocked',
    asn: 'accessible',
    method: 'sni-reset',
    simulated: false,
  },
  {
    // KZ-75 is Almaty's code since 2022; Natural Earth still has KZ-ALA, so the region map lists it
    // under the map instead of drawing it.
    network: { country: 'KZ', region: 'KZ-75', asn: 206026, network_type: 'mobile' },
    region: 'accessible',
    asn: 'accessible',
    method: null,
    simulated: false,
  },
  {
    network: { country: 'DE', region: 'DE-BE', asn: 3320, network_type: 'fixed' },
    region: 'accessible',
    asn: 'accessible',
    method: null,
    simulated: false,
  },
  {
    network: { country: 'NL', region: 'NL-NH', asn: 1136, network_type: 'fixed' },
    region: 'stalled',
    asn: 'stalled',
    method: 'stall',
    simulated: true,
  },
];

const VERDICT_OF: Record<SeededScopeState, VerdictStatus> = {
  accessible: 'ok',
  blocked: 'blocked',
  throttled: 'throttled',
  stalled: 'stalled',
  insufficient: 'error',
};

function withVerdict(record: ClassifiedMeasurement, status: VerdictStatus, method: Method | null) {
  return { ...record, verdict: { ...record.verdict, status, method: status === 'ok' ? null : method } };
}

/** The stored machine the aggregator would have written after seeing `state` for a while. */
function storedState(
  scope: string,
  state: SeededScopeState,
  seeded: SeededNetwork,
  version: number,
  nowMs: number,
): StoredScopeState {
  return storedMachine(scope, TARGET, state, seeded, version, nowMs);
}

/** A stored machine of `target` in the given state; `outage` is a target outage (`targetOutage`). */
function storedMachine(
  scope: string,
  target: string,
  state: SeededScopeState | 'outage',
  seeded: SeededNetwork,
  version: number,
  nowMs: number,
): StoredScopeState {
  const since = new Date(nowMs - 6 * HOUR_MS).toISOString();
  const interfering = state === 'blocked' || state === 'throttled' || state === 'stalled';
  return {
    version,
    machine: {
      scope,
      target,
      version,
      state,
      since,
      ...(state === 'outage' ? { target_outage: targetOutage } : {}),
      interference: interfering
        ? {
            status: state,
            method: seeded.method,
            since,
            confidence: 0.9,
            agents: 3,
            counts: { [VERDICT_OF[state as SeededScopeState]]: 12 },
            witnesses: [],
            clean_windows: 0,
            simulated: seeded.simulated,
          }
        : null,
      last_window_end: new Date(nowMs).toISOString(),
    },
    last_window: { agents: state === 'insufficient' ? 1 : 3, all_simulated: seeded.simulated },
  };
}

/** Every seeded region fails the down target, in every seeded country. */
const targetOutage = {
  regions_failing: NETWORKS.length,
  regions_evidenced: NETWORKS.length,
  countries_failing: new Set(NETWORKS.map((seeded) => seeded.network.country)).size,
};

/** Counts like the aggregator does, and records the measurement in the evidence store as it does. */
async function seed(
  redis: RedisClient,
  store: EvidenceStore,
  config: StoreConfig,
  nowMs: number,
  evidence: ClassifiedMeasurement,
) {
  await countMeasurement(redis, evidence, config, nowMs);
  store.record([evidence], 48 * HOUR_MS);
  for (const seeded of NETWORKS) {
    // Hourly measurements over the last two days: fine before the state began six hours ago, then not.
    for (let hoursAgo = 47; hoursAgo >= 1; hoursAgo -= 1) {
      const start = new Date(nowMs - hoursAgo * HOUR_MS).toISOString();
      const status = hoursAgo > 6 ? 'ok' : VERDICT_OF[seeded.region];
      const measurement = sampleMeasurement({
        start_time: start,
        network: seeded.network,
        source: { kind: seeded.simulated ? 'simulated' : 'agent', ooni: null },
      });
      const record = withVerdict(classified(measurement), status, seeded.method);
      await countMeasurement(redis, record, config, nowMs);
      store.record([record], 48 * HOUR_MS);
    }
    // The down target's last two hours time out everywhere; before, it worked.
    for (let hoursAgo = 6; hoursAgo >= 1; hoursAgo -= 1) {
      const measurement = sampleMeasurement({
        start_time: new Date(nowMs - hoursAgo * HOUR_MS).toISOString(),
        network: seeded.network,
        source: { kind: seeded.simulated ? 'simulated' : 'agent', ooni: null },
        target: {
          id: DOWN_TARGET,
          kind: 'service',
          control: null,
          input: 'chat.signal.org:443',
          catalogue_version: 'lab-1',
        },
        test: { name: 'signal', version: '0.1.0' },
      });
      const status = hoursAgo > 2 ? 'ok' : 'blocked';
      const record = withVerdict(classified(measurement), status, 'timeout');
      await countMeasurement(redis, record, config, nowMs);
      store.record([record], 48 * HOUR_MS);
    }
    const region = seeded.network.region ?? '';
    const events =
      seeded.region === 'blocked'
        ? [startedEvent(region, seeded, new Date(nowMs - 6 * HOUR_MS).toISOString(), evidence.measurement.id)]
        : [];
    await compareAndSetScopeState(
      redis,
      config,
      0,
      storedState(region, seeded.region, seeded, 1, nowMs),
      events,
    );
    const asn = `AS${seeded.network.asn}`;
    await compareAndSetScopeState(redis, config, 0, storedState(asn, seeded.asn, seeded, 1, nowMs), []);
    for (const scope of [region, asn]) {
      const down = storedMachine(scope, DOWN_TARGET, 'outage', seeded, 1, nowMs);
      await compareAndSetScopeState(redis, config, 0, down, []);
    }
  }
}

function startedEvent(
  scope: string,
  seeded: SeededNetwork,
  at: string,
  witness: string,
): Omit<ScopeEvent, 'id'> {
  return {
    type: 'block.started',
    scope,
    target: TARGET,
    method: seeded.method,
    since: at,
    at,
    confidence: 0.9,
    counts: { blocked: 12, ok: 1 },
    agents: 3,
    witnesses: [witness],
    simulated: seeded.simulated,
  };
}

export interface SeededStack {
  url: string;
  evidence: ClassifiedMeasurement;
  /**
   * Moves St Petersburg to blocked the way the aggregator does: a compare-and-set of its state that
   * appends a `block.started` event to the store's event stream, which the API streams to clients.
   */
  blockStPetersburg(): Promise<void>;
  /** Resolves once an API stream connection is waiting in XREAD, i.e. it will see the next event. */
  streamListening(): Promise<void>;
  stop(): Promise<void>;
}

/** A real redis-server seeded through @reachmap/store, and the real API serving the built dashboard. */
export async function startSeededStack(): Promise<SeededStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-dashboard-redis-'));
  const server = await startEmbeddedRedis({ dataDir });
  const redis = createRedisConnection({ kind: 'single', url: server.url }, 'producer', 'dashboard-test-seed');
  await waitUntilReady(redis);
  const config = StoreConfig.parse({});
  const nowMs = Date.now();
  const evidence = classified(seededMeasurement(new Date(nowMs - 2 * HOUR_MS).toISOString()));
  const evidencePath = join(dataDir, 'evidence.sqlite');
  const evidenceStore = EvidenceStore.open(evidencePath);
  await seed(redis, evidenceStore, config, nowMs, evidence);
  evidenceStore.close();

  const { startApi } = (await import(API_ENTRY)) as { startApi: StartApi };
  const perMinute = { limit: 100_000, windowMs: 60_000 };
  const api = await startApi({
    redis: { kind: 'single', url: server.url },
    host: '127.0.0.1',
    port: 0,
    store: config,
    evidencePath,
    catalogue: () => loadCatalogue({ kind: 'lab' }),
    access: { anonymousRead: true, perKey: perMinute, perAddress: perMinute },
    webhooks: { allowedCidrs: [], secretOverlapMs: 60_000, timeoutMs: 5_000 },
    maxStreams: 20,
    heartbeatMs: 1_000,
    shutdownGraceMs: 200,
    logger: createLogger({ name: 'api', level: 'warn' }),
    dashboard: createDashboardApp(),
  });

  const stPetersburg = NETWORKS[1] as SeededNetwork;
  return {
    url: api.url,
    evidence,
    blockStPetersburg: async () => {
      const current = await readStoredScopeState(redis, config, 'RU-SPE', TARGET);
      const at = new Date().toISOString();
      const next = storedState(
        'RU-SPE',
        'blocked',
        { ...stPetersburg, method: 'sni-reset' },
        current.version + 1,
        Date.now(),
      );
      const written = await compareAndSetScopeState(redis, config, current.version, next, [
        startedEvent('RU-SPE', { ...stPetersburg, method: 'sni-reset' }, at, evidence.measurement.id),
      ]);
      if (!written) throw new Error('RU-SPE changed under the test');
    },
    streamListening: async () => {
      for (;;) {
        const clients = String(await redis.client('LIST'));
        if (/name=reachmap-api-sse .*cmd=xread/.test(clients)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: async () => {
      await api.close();
      redis.disconnect();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
