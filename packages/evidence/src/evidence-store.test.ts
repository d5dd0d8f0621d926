import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Measurement, VerdictStatus } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import type { ClassifiedMeasurement } from '@reachmap/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceStore, evidenceStorePath } from './evidence-store.ts';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const HOUR_MS = 3_600_000;
let dir: string;
let now = T0;
const opened: EvidenceStore[] = [];

function open(): EvidenceStore {
  const store = EvidenceStore.open(join(dir, 'evidence.sqlite'), { now: () => now });
  opened.push(store);
  return store;
}

function classified(
  overrides: Partial<Measurement>,
  status: VerdictStatus = 'ok',
  startOffsetMs = 0,
): ClassifiedMeasurement {
  const measurement = sampleMeasurement({
    start_time: new Date(T0 + startOffsetMs).toISOString(),
    ...overrides,
  });
  return {
    measurement,
    verdict: {
      measurement_id: measurement.id,
      status,
      method: status === 'blocked' ? 'sni-reset' : null,
      layer: status === 'blocked' ? 'tls' : null,
      confidence: 0.9,
      evidence: [],
      classifier_version: 'test',
    },
    controls: 'healthy',
    received_at: new Date(T0).toISOString(),
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reachmap-evidence-'));
  now = T0;
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('EvidenceStore', () => {
  it('keeps a recorded measurement whole, once, and lets another connection read it', () => {
    const writer = open();
    const record = classified({});
    const unsigned = classified({});
    const signatures = { [record.measurement.id]: 'c2lnbmF0dXJl', 'not-in-the-batch': 'eA==' };
    expect(writer.record([record, unsigned], HOUR_MS, signatures)).toBe(2);
    // A retried job records the same measurement again: nothing new.
    expect(writer.record([record], HOUR_MS)).toBe(0);
    const reader = open();
    expect(reader.get(record.measurement.id)).toEqual(record);
    expect(reader.entries([record.measurement.id, unsigned.measurement.id, 'not-in-the-batch'])).toEqual([
      { record, signature: 'c2lnbmF0dXJl' },
      { record: unsigned, signature: null },
      null,
    ]);
  });

  it('lists newest first, filters, and pages with beforeMs', () => {
    const store = open();
    const agentA = {
      id: 'agt_evidence00000000000a' as const,
      software: { name: 'reachmap-agent', version: '0.1.0' },
    };
    const records = [
      classified({ agent: agentA }, 'ok', 0),
      classified({}, 'blocked', 1_000),
      classified(
        { network: { country: 'IR', region: 'IR-07', asn: 44244, network_type: 'mobile' } },
        'blocked',
        2_000,
      ),
      classified({ source: { kind: 'simulated', ooni: null } }, 'ok', 3_000),
    ];
    store.record(records, HOUR_MS);
    const ids = (list: ClassifiedMeasurement[]) => list.map((record) => record.measurement.id);
    const [ok, blockedRu, blockedIr, simulated] = records.map((record) => record.measurement.id);
    expect(ids(store.list({ limit: 10 }))).toEqual([simulated, blockedIr, blockedRu, ok]);
    expect(ids(store.list({ limit: 2 }))).toEqual([simulated, blockedIr]);
    expect(ids(store.list({ limit: 10, status: 'blocked' }))).toEqual([blockedIr, blockedRu]);
    expect(ids(store.list({ limit: 10, country: 'IR' }))).toEqual([blockedIr]);
    expect(ids(store.list({ limit: 10, agentId: agentA.id }))).toEqual([ok]);
    expect(ids(store.list({ limit: 10, sources: ['agent'] }))).toEqual([blockedIr, blockedRu, ok]);
    expect(ids(store.list({ limit: 10, sources: [] }))).toEqual([]);
    expect(ids(store.list({ limit: 10, beforeMs: T0 + 2_000 }))).toEqual([blockedRu, ok]);
    expect(ids(store.list({ limit: 10, target: 'signal' }))).toEqual([]);
  });

  it('stops showing a measurement when its retention ends, and prune deletes it', () => {
    const store = open();
    const short = classified({});
    const long = classified({}, 'ok', 1_000);
    store.record([short], HOUR_MS);
    store.record([long], 3 * HOUR_MS);
    now = T0 + 2 * HOUR_MS;
    expect(store.get(short.measurement.id)).toBeNull();
    expect(store.list({ limit: 10 }).map((record) => record.measurement.id)).toEqual([long.measurement.id]);
    expect(store.prune()).toBe(1);
    expect(store.prune()).toBe(0);
    expect(store.get(long.measurement.id)).toEqual(long);
  });

  it('prunes in chunks past the chunk size', () => {
    const store = open();
    const many = Array.from({ length: 12_000 }, (_, index) => classified({}, 'ok', index));
    expect(store.record(many, HOUR_MS)).toBe(12_000);
    now = T0 + HOUR_MS;
    expect(store.prune()).toBe(12_000);
    expect(store.list({ limit: 1 })).toEqual([]);
  });

  it('rolls a failed transaction back whole', () => {
    const store = open();
    const good = classified({});
    // A value JSON cannot carry fails the second insert, after the first went in.
    const broken = { ...classified({}), received_at: 1n } as unknown as ClassifiedMeasurement;
    expect(() => store.record([good, broken], HOUR_MS)).toThrow(/BigInt/);
    expect(store.get(good.measurement.id)).toBeNull();
    expect(store.record([good], HOUR_MS)).toBe(1);
  });

  it('says which file it could not open', () => {
    const file = join(dir, 'not-sqlite');
    writeFileSync(file, 'this is not a database, but text long enough to have a header');
    expect(() => EvidenceStore.open(file)).toThrow(/evidence store .*not-sqlite/);
  });

  it('lives in the data directory unless REACHMAP_EVIDENCE_DB says otherwise', () => {
    expect(evidenceStorePath({ REACHMAP_DATA_DIR: '/var/lib/reachmap' })).toBe(
      '/var/lib/reachmap/evidence.sqlite',
    );
    expect(evidenceStorePath({ REACHMAP_DATA_DIR: 'x', REACHMAP_EVIDENCE_DB: '/ssd/evidence.sqlite' })).toBe(
      '/ssd/evidence.sqlite',
    );
  });
});

describe('EvidenceStore opened by several connections at once', () => {
  it('opens a new file in every one of them: none fails with "database is locked"', async () => {
    // Aggregators start side by side (scale-out, the cluster parity test) and open one file. Switching
    // a file to WAL, or opening it while the last connection closes and removes the WAL, can answer
    // "database is locked" without waiting for busy_timeout. 8 processes opening 3 files passed most
    // runs while CI's cluster parity test failed on it (2026-12-05), so 4 threads open 200 new files,
    // all 4 released at the same instant for each: 16-25 of the 800 opens failed before the retry.
    const module = new URL('./evidence-store.ts', import.meta.url).href;
    const threads = 4;
    const paths = Array.from({ length: 200 }, (_, attempt) => join(dir, `shared-${attempt}.sqlite`));
    // One counter per file: a thread opens it once all threads have arrived there.
    const gate = new SharedArrayBuffer(4 * paths.length);
    const results = await Promise.all(
      Array.from({ length: threads }, async () => {
        const worker = new Worker(
          `const { workerData, parentPort } = require('node:worker_threads');
           import(workerData.module).then(({ EvidenceStore }) => {
             const arrived = new Int32Array(workerData.gate);
             const failures = [];
             workerData.paths.forEach((path, index) => {
               Atomics.add(arrived, index, 1);
               while (Atomics.load(arrived, index) < workerData.threads);
               try {
                 EvidenceStore.open(path).close();
               } catch (error) {
                 failures.push(error.message);
               }
             });
             parentPort.postMessage(failures);
           });`,
          { eval: true, workerData: { module, paths, gate, threads } },
        );
        const [failures] = (await once(worker, 'message')) as [string[]];
        await worker.terminate();
        return failures;
      }),
    );
    const failures = results.flat();
    expect(failures).toEqual([]);
  }, 120_000);
});
