import { EVENTS_STREAM_KEY, queuePrefix } from '@reachmap/queue';
import { startTestRedis } from '@reachmap/queue/testing';
import {
  bucketId,
  bucketStart,
  initialScopeState,
  type OpenInterference,
  RollupConfig,
  type ScopeEventDraft,
} from '@reachmap/rollup';
import type { Measurement, ThroughputRun, TlsHandshake, Verdict } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClassifiedMeasurement } from './classified-measurement.ts';
import { readControlRecords } from './control-records.ts';
import { countMeasurement, countMeasurements, MEASUREMENTS_PER_CALL } from './count-measurement.ts';
import { countedHourOf, withoutCertificateChains } from './count-plan.ts';
import { readEvents } from './events.ts';
import { partitionOf, storeKeys } from './keys.ts';
import { listScopes, readScopeState, readScopeStates } from './scope-states.ts';
import { readSeries } from './series.ts';
import { compareAndSetScopeState, readStoredScopeState, type StoredScopeState } from './state-store.ts';
import { StoreConfig } from './store-config.ts';
import { readOutageSignals, readWindowSummary } from './window-reader.ts';

// Redis expires keys on the real clock, and rollups are given absolute expiries from their bucket's
// end, so the test's times must sit just before the real now: a fixed date rots once it is older
// than the shortest retention (48 h for 5-minute buckets).
const T0 = bucketStart(Date.now(), '1h') - 3_600_000;
const NOW = T0 + 120_000;
const config = StoreConfig.parse({});
let redis: Awaited<ReturnType<typeof startTestRedis>>;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => await redis.stop());
beforeEach(async () => {
  await redis.redis.flushall();
});

function agent(n: number) {
  return {
    id: `agt_store${String(n).padStart(16, '0')}`,
    software: { name: 'reachmap-agent', version: '0.1.0' },
  } as const;
}

function classified(
  overrides: Partial<Measurement>,
  verdict: Pick<Verdict, 'status' | 'method'>,
  controls: ClassifiedMeasurement['controls'] = 'healthy',
): ClassifiedMeasurement {
  const measurement = sampleMeasurement({ start_time: new Date(T0 + 5_000).toISOString(), ...overrides });
  return {
    measurement,
    verdict: {
      measurement_id: measurement.id,
      ...verdict,
      layer: null,
      confidence: 0.9,
      evidence: [],
      classifier_version: 'test',
    },
    controls,
    received_at: new Date(NOW).toISOString(),
  };
}

/** The domestic control of the lab catalogue's RU suite. */
const DOMESTIC_CONTROL = {
  id: 'control-domestic-ru',
  kind: 'control',
  control: 'domestic',
  input: null,
  catalogue_version: 'lab-1',
} as const;

describe('countMeasurement', () => {
  it('counts a measurement once however often it is replayed, in every scope', async () => {
    const blocked = classified({ agent: agent(1) }, { status: 'blocked', method: 'sni-reset' });
    const results = await Promise.all(
      [1, 2, 3].map(() => countMeasurement(redis.redis, blocked, config, NOW)),
    );
    expect(results.map((r) => r.counted).sort()).toEqual([0, 0, 1]);
    for (const scope of ['RU', 'RU-MOW', 'AS64500']) {
      const [point] = await readSeries(redis.redis, config, {
        scope,
        target: 'whatsapp',
        fromMs: T0,
        toMs: T0 + 1,
        granularity: '5m',
      });
      expect(point?.runs).toBe(1);
      expect(point?.counts).toEqual({ blocked: 1 });
      expect(point?.methods).toEqual({ 'sni-reset': 1 });
      expect(point?.agents).toBe(1);
    }
  });

  it('counts a target whose id is a name every object inherits, in every scope', async () => {
    // `constructor` is a valid slug; an agent once got it dead-lettered by a lookup in a plain object.
    const base = sampleMeasurement();
    const record = classified(
      { target: { ...base.target, id: 'constructor' } },
      { status: 'blocked', method: 'sni-reset' },
    );
    expect((await countMeasurement(redis.redis, record, config, NOW)).counted).toBe(1);
    for (const scope of ['RU', 'RU-MOW', 'AS64500']) {
      const [point] = await readSeries(redis.redis, config, {
        scope,
        target: 'constructor',
        fromMs: T0,
        toMs: T0 + 1,
        granularity: '5m',
      });
      expect(point?.runs).toBe(1);
    }
  });

  it('sets retention TTLs on rollup keys per granularity and on the marker', async () => {
    const record = classified({}, { status: 'ok', method: null });
    await countMeasurement(redis.redis, record, config, NOW);
    const keys = storeKeys(0);
    const base = { scope: 'RU-MOW', target: 'whatsapp', source: 'agent' } as const;
    const expected = {
      '5m': [bucketId(T0, '5m'), config.retention['5m']],
      '1h': [bucketId(T0, '1h'), config.retention['1h']],
      '1d': [bucketId(T0, '1d'), config.retention['1d']],
    } as const;
    for (const [bucket, retention] of Object.values(expected)) {
      const expireAt = await redis.redis.pexpiretime(keys.rollup({ ...base, bucket }));
      expect(expireAt).toBeGreaterThan(T0 + retention);
      expect(expireAt).toBeLessThanOrEqual(T0 + retention + 86_400_000);
    }
    const marker = keys.counted(countedHourOf(record.measurement.start_time));
    expect(await redis.redis.sismember(marker, record.measurement.id)).toBe(1);
    const markerTtl = await redis.redis.pttl(marker);
    expect(markerTtl).toBeGreaterThan(8 * 86_400_000 - 60_000);
  });

  it('keeps the daily rollups of imported history for good and writes no bucket already expired', async () => {
    const years = Date.UTC(2019, 4, 6, 12);
    const ooni = {
      kind: 'ooni',
      ooni: {
        report_id: 'r',
        measurement_uid: null,
        test_name: 'whatsapp',
        anomaly: false,
        confirmed: false,
        failure: false,
      },
    } as const;
    const imported = classified(
      { start_time: new Date(years).toISOString(), source: ooni },
      { status: 'blocked', method: 'nxdomain' },
    );
    const live = classified(
      { agent: agent(3), start_time: new Date(years).toISOString() },
      { status: 'ok', method: null },
    );
    await countMeasurements(redis.redis, [imported, live], config, NOW);
    const keys = storeKeys(partitionOf('RU', config.partitions));
    const part = { scope: 'RU', target: 'whatsapp' } as const;
    const daily = keys.rollup({ ...part, bucket: bucketId(years, '1d'), source: 'ooni' });
    expect(await redis.redis.hgetall(daily)).toMatchObject({ runs: '1', 'status:blocked': '1' });
    expect(await redis.redis.pexpiretime(daily)).toBe(-1);
    const [point] = await readSeries(redis.redis, config, {
      ...part,
      fromMs: years,
      toMs: years + 1,
      granularity: '1d',
    });
    expect(point?.counts).toEqual({ blocked: 1 });
    // Finer buckets and the agent's own rollups of 2019 are past their retention: none is written.
    const rollupKeys = await redis.redis.keys('*:roll*');
    expect(rollupKeys.filter((key) => !key.includes('1d-20190506'))).toEqual([]);
    expect(rollupKeys.every((key) => key.includes(':ooni'))).toBe(true);
    const limited = StoreConfig.parse({ importedDailyRetentionMs: 86_400_000 });
    await redis.redis.flushall();
    await countMeasurement(redis.redis, imported, limited, NOW);
    expect(await redis.redis.keys('*:roll*')).toEqual([]);
  });

  it('keeps simulated data apart so readers can leave it out', async () => {
    await countMeasurement(
      redis.redis,
      classified({ source: { kind: 'simulated', ooni: null } }, { status: 'blocked', method: 'sni-reset' }),
      config,
      NOW,
    );
    await countMeasurement(redis.redis, classified({}, { status: 'ok', method: null }), config, NOW);
    const request = {
      scope: 'RU-MOW',
      target: 'whatsapp',
      fromMs: T0,
      toMs: T0 + 1,
      granularity: '1h',
    } as const;
    const [all] = await readSeries(redis.redis, config, request);
    const [real] = await readSeries(redis.redis, config, { ...request, sources: ['agent', 'ooni'] });
    expect(all?.counts).toEqual({ blocked: 1, ok: 1 });
    expect(real?.counts).toEqual({ ok: 1 });
  });

  it('records throughput of target transfers in the histogram', async () => {
    const base = sampleMeasurement();
    const run: ThroughputRun = {
      direction: 'download',
      connection: 0,
      ip: '198.18.0.10',
      port: 443,
      sni: 'e1.whatsapp.net',
      sni_role: 'target',
      samples: [],
      bytes: 20_000,
      duration_s: 1,
      ttfb_s: 0.1,
      goodput_bps: 128_000,
      longest_stall_s: 0,
      bytes_before_stall: null,
      failure: null,
      t0: 0,
      t: 1,
    };
    await countMeasurement(
      redis.redis,
      classified(
        { observations: { ...base.observations, throughput: [run, { ...run, connection: 1 }] } },
        { status: 'throttled', method: 'rate-cap' },
      ),
      config,
      NOW,
    );
    const [point] = await readSeries(redis.redis, config, {
      scope: 'RU',
      target: 'whatsapp',
      fromMs: T0,
      toMs: T0 + 1,
      granularity: '1d',
    });
    expect(point?.throughput.p50).toBeGreaterThan(128_000 * 0.94);
    expect(point?.throughput.p50).toBeLessThan(128_000 * 1.06);
  });

  it('keeps a control with its verdict for its round, without its certificates, and no other measurement', async () => {
    const handshake = {
      ip: '198.18.1.10',
      port: 443,
      sni: 'control.lab',
      sni_role: 'target' as const,
      alpn_offered: ['h2'],
      alpn_negotiated: 'h2',
      tls_version: 'TLSv1.3',
      cipher_suite: 'TLS_AES_128_GCM_SHA256',
      peer_certificates: [
        {
          subject: 'CN=control.lab',
          issuer: 'CN=reachmap lab CA',
          sans: ['control.lab'],
          not_before: '2026-01-01T00:00:00.000Z',
          not_after: '2027-01-01T00:00:00.000Z',
          sha256: 'a'.repeat(64),
        },
      ],
      validation: { valid: true, failure: null },
      failure: null,
      t0: 0,
      t: 0.05,
    } satisfies TlsHandshake;
    const control = classified(
      {
        target: DOMESTIC_CONTROL,
        observations: { ...sampleMeasurement().observations, tls: [handshake] },
      },
      { status: 'ok', method: null },
      'none',
    );
    const target = classified({ agent: agent(2) }, { status: 'blocked', method: 'sni-reset' });
    await countMeasurement(redis.redis, control, config, NOW);
    await countMeasurement(redis.redis, target, config, NOW);
    const ids = [control.measurement.id, target.measurement.id];
    const [stored, target_] = await readControlRecords(redis.redis, config, ids, 'RU');
    expect(target_).toBeNull();
    expect(stored?.measurement.observations.tls).toEqual([{ ...handshake, peer_certificates: [] }]);
    expect(stored).toEqual(withoutCertificateChains(control));
    const ttl = await redis.redis.pttl(storeKeys(0).controlRecord(control.measurement.id));
    expect(ttl).toBeGreaterThan(config.controlRecordTtlMs - 60_000);
    expect(ttl).toBeLessThanOrEqual(config.controlRecordTtlMs);
    expect(await redis.redis.keys('*msm*')).toEqual([storeKeys(0).controlRecord(control.measurement.id)]);
    expect(await listScopes(redis.redis, config)).toEqual(['AS64500', 'RU', 'RU-MOW']);
    // Kept deflated: fewer bytes than its JSON.
    const kept = (await redis.redis.get(storeKeys(0).controlRecord(control.measurement.id))) as string;
    expect(kept.length).toBeLessThan(0.8 * JSON.stringify(withoutCertificateChains(control)).length);
  });

  it('still reads a control record kept as plain JSON (written before records were deflated)', async () => {
    const control = classified({ target: DOMESTIC_CONTROL }, { status: 'ok', method: null }, 'none');
    const key = storeKeys(0).controlRecord(control.measurement.id);
    await redis.redis.set(key, JSON.stringify(control), 'PX', 60_000);
    const [stored] = await readControlRecords(redis.redis, config, [control.measurement.id], 'RU');
    expect(stored).toEqual(control);
  });
});

describe('countMeasurements', () => {
  /** Script runs since the last CONFIG RESETSTAT (EVALSHA, or EVAL after a SCRIPT FLUSH). */
  async function scriptCalls(): Promise<number> {
    const stats = await redis.redis.info('commandstats');
    return [...stats.matchAll(/^cmdstat_eval(?:sha)?:calls=(\d+)/gm)].reduce(
      (sum, [, n]) => sum + Number(n),
      0,
    );
  }

  interface KeySnapshot {
    type: string;
    content: unknown;
    /** PEXPIRETIME: absolute ms, or -1 without a TTL. */
    expireAt: number;
  }

  /** Every key's type, content and expiry. */
  async function snapshot(): Promise<Record<string, KeySnapshot>> {
    const state: Record<string, KeySnapshot> = {};
    for (const key of (await redis.redis.keys('*')).sort()) {
      const type = await redis.redis.type(key);
      const expireAt = await redis.redis.pexpiretime(key);
      let content: unknown;
      if (type === 'hash') content = await redis.redis.hgetall(key);
      else if (type === 'list') content = await redis.redis.lrange(key, 0, -1);
      else if (type === 'zset') content = await redis.redis.zrange(key, '0', '-1', 'WITHSCORES');
      else if (type === 'set') content = (await redis.redis.smembers(key)).sort();
      else content = await redis.redis.get(key);
      state[key] = { type, content, expireAt };
    }
    return state;
  }

  function job(): ClassifiedMeasurement[] {
    const at = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();
    return [
      classified({ agent: agent(1), start_time: at(1_000) }, { status: 'blocked', method: 'sni-reset' }),
      classified({ agent: agent(1), start_time: at(2_000) }, { status: 'ok', method: null }, 'failed'),
      classified({ agent: agent(2), start_time: at(3_000) }, { status: 'blocked', method: 'sni-reset' }),
      classified({ agent: agent(2), start_time: at(400_000) }, { status: 'ok', method: null }),
      classified({ agent: agent(3), start_time: at(4_000) }, { status: 'blocked', method: 'timeout' }),
      classified(
        { agent: agent(3), network: { country: 'RU', region: 'RU-SPE', asn: 64501, network_type: 'mobile' } },
        { status: 'ok', method: null },
      ),
      classified(
        {
          agent: agent(4),
          target: {
            id: 'control-domestic',
            kind: 'control',
            control: 'domestic',
            input: null,
            catalogue_version: 'lab-1',
          },
        },
        { status: 'ok', method: null },
        'none',
      ),
    ];
  }

  it('counts exactly the measurements of a job not counted before, in one call when none was', async () => {
    const measurements = job();
    const replayed = [measurements[0], measurements[3], measurements[6]] as ClassifiedMeasurement[];
    for (const m of replayed) await countMeasurement(redis.redis, m, config, NOW);
    await redis.redis.config('RESETSTAT');
    // The job also carries one of its measurements twice (a duplicate inside one batch).
    const results = await countMeasurements(
      redis.redis,
      [...measurements, measurements[1] as ClassifiedMeasurement],
      config,
      NOW,
    );
    // The first call finds the replayed ids and writes nothing; the second counts the rest.
    expect(await scriptCalls()).toBe(2);
    expect(results.map((r) => r.counted)).toEqual([0, 1, 1, 0, 1, 1, 0, 0]);
    expect(results.map((r) => r.alreadyCounted)).toEqual([1, 0, 0, 1, 0, 0, 1, 1]);
    const [hour] = await readSeries(redis.redis, config, {
      scope: 'RU',
      target: 'whatsapp',
      fromMs: T0,
      toMs: T0 + 1,
      granularity: '1h',
    });
    expect(hour?.runs).toBe(6);
    expect(hour?.counts).toEqual({ blocked: 3, ok: 3 });
    expect(hour?.methods).toEqual({ 'sni-reset': 2, timeout: 1 });
    expect(hour?.agents).toBe(3);
    // Replaying the whole job later changes nothing, not even the relative TTLs of the keys it wrote.
    const before = await snapshot();
    // A gap, so that a relative TTL set again would show as a later expiry.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await redis.redis.config('RESETSTAT');
    const again = await countMeasurements(redis.redis, measurements, config, NOW + 600_000);
    expect(await scriptCalls()).toBe(1);
    expect(again.every((r) => r.counted === 0 && r.alreadyCounted === 1)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it(`splits a large job into calls of at most ${MEASUREMENTS_PER_CALL} measurements`, async () => {
    const measurements = Array.from({ length: MEASUREMENTS_PER_CALL + 20 }, (_, i) =>
      classified(
        { agent: agent(i % 7), start_time: new Date(T0 + i * 1_000).toISOString() },
        { status: 'ok', method: null },
      ),
    );
    await redis.redis.config('RESETSTAT');
    const results = await countMeasurements(redis.redis, measurements, config, NOW);
    expect(await scriptCalls()).toBe(2);
    expect(results.every((r) => r.counted === 1 && r.alreadyCounted === 0)).toBe(true);
    const [hour] = await readSeries(redis.redis, config, {
      scope: 'RU-MOW',
      target: 'whatsapp',
      fromMs: T0,
      toMs: T0 + 1,
      granularity: '1h',
    });
    expect(hour?.runs).toBe(MEASUREMENTS_PER_CALL + 20);
    expect(hour?.agents).toBe(7);
  });

  it('leaves the same keys, contents and expiries as counting one measurement per call', async () => {
    const measurements = job();
    for (const m of measurements) await countMeasurement(redis.redis, m, config, NOW);
    const oneByOne = await snapshot();
    await redis.redis.flushall();
    await countMeasurements(redis.redis, measurements, config, NOW);
    const batched = await snapshot();
    const withoutExpiry = (state: Record<string, KeySnapshot>) =>
      Object.fromEntries(Object.entries(state).map(([key, { type, content }]) => [key, { type, content }]));
    expect(withoutExpiry(batched)).toEqual(withoutExpiry(oneByOne));
    // Relative TTLs (markers, windows, records) follow the wall clock of the call: equal within a minute.
    for (const [key, { expireAt }] of Object.entries(batched)) {
      const expected = oneByOne[key]?.expireAt ?? Number.NaN;
      expect(expireAt < 0, key).toBe(expected < 0);
      expect(Math.abs(expireAt - expected), key).toBeLessThan(60_000);
    }
  });
});

describe('evaluation windows', () => {
  it('summarises exactly the runs inside [start, end) of a (scope, target)', async () => {
    await countMeasurement(
      redis.redis,
      classified({ agent: agent(1) }, { status: 'blocked', method: 'sni-reset' }),
      config,
      NOW,
    );
    await countMeasurement(
      redis.redis,
      classified({ agent: agent(2) }, { status: 'blocked', method: 'sni-reset' }, 'failed'),
      config,
      NOW,
    );
    await countMeasurement(
      redis.redis,
      classified(
        { agent: agent(3), start_time: new Date(T0 + 60_000).toISOString() },
        { status: 'ok', method: null },
      ),
      config,
      NOW,
    );
    const summary = await readWindowSummary(redis.redis, config, 'AS64500', 'whatsapp', {
      startMs: T0,
      endMs: T0 + 60_000,
    });
    expect(summary.counts).toEqual({ blocked: 2 });
    expect(summary.agents.by_status).toEqual({ blocked: 2 });
    expect(summary.agents.testifying_by_status).toEqual({ blocked: 1 });
    expect(summary.methods).toEqual({ blocked: { 'sni-reset': 2 } });
  });

  it('reads outage signals from control rounds and heartbeats', async () => {
    const controlTarget = (n: number, kind: 'domestic' | 'foreign', round: string, status: 'ok' | 'down') =>
      classified(
        {
          agent: agent(n),
          round: { id: round as `rnd_${string}`, controls: [] },
          target: {
            id: `control-${kind}`,
            kind: 'control',
            control: kind,
            input: null,
            catalogue_version: 'lab-1',
          },
        },
        { status, method: status === 'down' ? 'timeout' : null },
        'none',
      );
    await countMeasurement(
      redis.redis,
      controlTarget(1, 'domestic', 'rnd_aaaaaaaaaaaaaaaaaaaa', 'down'),
      config,
      NOW,
    );
    await countMeasurement(
      redis.redis,
      controlTarget(1, 'foreign', 'rnd_aaaaaaaaaaaaaaaaaaaa', 'down'),
      config,
      NOW,
    );
    await countMeasurement(
      redis.redis,
      controlTarget(2, 'domestic', 'rnd_bbbbbbbbbbbbbbbbbbbb', 'down'),
      config,
      NOW,
    );
    await countMeasurement(
      redis.redis,
      controlTarget(2, 'foreign', 'rnd_bbbbbbbbbbbbbbbbbbbb', 'ok'),
      config,
      NOW,
    );
    const signals = await readOutageSignals(
      redis.redis,
      config,
      RollupConfig.parse({ windowMs: 60_000, outage: { baselineMs: 600_000 } }),
      'RU-MOW',
      { startMs: T0, endMs: T0 + 60_000 },
    );
    expect(signals.controls).toEqual({ agents: 2, agents_healthy: 1, runs: 2, runs_failed: 1 });
    expect(signals.heartbeats).toEqual({ agents_heard: 2, baseline: null });
    expect(signals.witnesses).toHaveLength(3);
  });
});

describe('scope state compare-and-set', () => {
  it('lets exactly one of several racing writers store a transition and its event', async () => {
    const machine = initialScopeState('RU-MOW', 'whatsapp');
    const draft: ScopeEventDraft = {
      type: 'block.started',
      scope: 'RU-MOW',
      target: 'whatsapp',
      method: 'sni-reset',
      since: new Date(T0).toISOString(),
      at: new Date(T0 + 60_000).toISOString(),
      confidence: 1,
      counts: { blocked: 6 },
      agents: 3,
      witnesses: [],
      simulated: false,
    };
    const interference: OpenInterference = {
      status: 'blocked',
      method: 'sni-reset',
      since: draft.since,
      confidence: 1,
      agents: 3,
      counts: { blocked: 6 },
      witnesses: [],
      clean_windows: 0,
      simulated: false,
    };
    const next: StoredScopeState = {
      version: 1,
      machine: {
        ...machine,
        version: 1,
        state: 'blocked',
        since: draft.since,
        interference,
        last_window_end: draft.at,
      },
      last_window: { agents: 3, all_simulated: false },
    };
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => compareAndSetScopeState(redis.redis, config, 0, next, [draft])),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const page = await readEvents(redis.redis, config, { limit: 10 });
    expect(page.events.map((e) => e.event.type)).toEqual(['block.started']);
    expect(page.events[0]?.event.id).toMatch(/^evt_/);
    expect((await readStoredScopeState(redis.redis, config, 'RU-MOW', 'whatsapp')).version).toBe(1);
    expect(await readScopeState(redis.redis, config, 'RU-MOW', 'whatsapp')).toMatchObject({
      state: 'blocked',
      method: 'sni-reset',
      agents: 3,
    });
    // Nothing more after the cursor.
    expect((await readEvents(redis.redis, config, { cursor: page.cursor, limit: 10 })).events).toEqual([]);
    // The country has no quorum of its own: it is derived from its region (pairs are written by counting).
    await countMeasurement(
      redis.redis,
      classified({}, { status: 'blocked', method: 'sni-reset' }),
      config,
      NOW,
    );
    expect(
      await readScopeStates(redis.redis, config, { level: 'country', target: 'whatsapp' }),
    ).toMatchObject([
      { scope: 'RU', state: 'blocked', method: 'sni-reset', agents: 3, coverage: { live: 1, children: 1 } },
    ]);
    // The same three agents seen through their ASN: the country still has three agents, not six.
    const asnState: StoredScopeState = { ...next, machine: { ...next.machine, scope: 'AS64500' } };
    await compareAndSetScopeState(redis.redis, config, 0, asnState, [{ ...draft, scope: 'AS64500' }]);
    expect(await readScopeState(redis.redis, config, 'RU', 'whatsapp')).toMatchObject({
      state: 'blocked',
      agents: 3,
      since: draft.since,
    });
  });
});

describe('partitions', () => {
  it('puts a country with its regions in one partition and spreads ASNs', () => {
    expect(partitionOf('RU', 8)).toBe(partitionOf('RU-MOW', 8));
    expect(new Set(Array.from({ length: 50 }, (_, i) => partitionOf(`AS${i + 1}`, 8))).size).toBeGreaterThan(
      4,
    );
    expect(partitionOf('AS12389', 1)).toBe(0);
  });

  it('tags every key of partition 0 like the queues and the shared events stream key', () => {
    const keys = storeKeys(0);
    expect(keys.events).toBe(EVENTS_STREAM_KEY);
    for (const key of [keys.counted('x'), keys.window('RU-MOW', 'whatsapp'), keys.pairs, keys.events]) {
      expect(key.startsWith(queuePrefix(0))).toBe(true);
    }
    expect(storeKeys(3).scopes.startsWith('{rm:p3}:')).toBe(true);
  });

  it('counts each partition exactly once when scopes span partitions', async () => {
    const spread = StoreConfig.parse({ partitions: 4 });
    const m = classified(
      { network: { country: 'RU', region: 'RU-MOW', asn: 64501, network_type: 'fixed' } },
      { status: 'ok', method: null },
    );
    const first = await countMeasurement(redis.redis, m, spread, NOW);
    const again = await countMeasurement(redis.redis, m, spread, NOW);
    const partitions = new Set([partitionOf('RU', 4), partitionOf('AS64501', 4)]).size;
    expect(first).toEqual({ counted: partitions, alreadyCounted: 0 });
    expect(again).toEqual({ counted: 0, alreadyCounted: partitions });
  });
});

describe('a region whose ISPs disagree', () => {
  const since = new Date(T0).toISOString();
  const at = new Date(T0 + 60_000).toISOString();
  function stored(scope: string, state: 'accessible' | 'stalled'): StoredScopeState {
    const interference: OpenInterference | null =
      state === 'stalled'
        ? {
            status: 'stalled',
            method: 'stall',
            since,
            confidence: 1,
            agents: 2,
            counts: { stalled: 6 },
            witnesses: [],
            clean_windows: 0,
            simulated: false,
          }
        : null;
    return {
      version: 1,
      machine: {
        ...initialScopeState(scope, 'telegram'),
        version: 1,
        state,
        since,
        interference,
        last_window_end: at,
      },
      last_window: { agents: 2, all_simulated: false },
    };
  }
  const network = (asn: number) => ({ country: 'RU', region: 'RU-MOW', asn, network_type: 'fixed' as const });

  it('shows the region partial when one ISP stalls and the other does not, and its own state when they agree', async () => {
    // Two ISPs measured in RU-MOW (the store learns the region's ASNs by counting).
    for (const [n, asn] of [
      [1, 64500],
      [2, 64501],
    ] as const) {
      await countMeasurement(
        redis.redis,
        classified({ agent: agent(n), network: network(asn) }, { status: 'ok', method: null }),
        config,
        NOW,
      );
    }
    // Pooled, the region's 12 ok runs beat its 6 stalled ones: accessible on its own.
    await compareAndSetScopeState(redis.redis, config, 0, stored('RU-MOW', 'accessible'), []);
    await compareAndSetScopeState(redis.redis, config, 0, stored('AS64500', 'stalled'), []);
    await compareAndSetScopeState(redis.redis, config, 0, stored('AS64501', 'accessible'), []);

    expect(await readScopeState(redis.redis, config, 'RU-MOW', 'telegram')).toMatchObject({
      scope: 'RU-MOW',
      state: 'partial',
      method: 'stall',
      since,
    });
    // The ASNs themselves keep their own states.
    expect(await readScopeState(redis.redis, config, 'AS64500', 'telegram')).toMatchObject({
      state: 'stalled',
    });

    // Both ISPs clean: the region shows its own state again.
    await compareAndSetScopeState(redis.redis, config, 1, stored('AS64500', 'accessible'), []);
    expect(await readScopeState(redis.redis, config, 'RU-MOW', 'telegram')).toMatchObject({
      state: 'accessible',
    });
  });
});
