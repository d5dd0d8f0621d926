import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type IngestJobData, MAX_COUNT, type Measurement, SubmissionResult } from '@reachmap/schema';
import { writeDeadLetters } from '@reachmap/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEnrolmentToken } from '../admin/create-token.ts';
import { listAgents } from '../admin/list-agents.ts';
import { openGeoIpDatabases } from '../geoip/geoip-lookup.ts';
import { COLLECTOR_KEYS } from '../redis-keys.ts';
import { MAX_ISSUES_PER_BATCH } from '../submission/triage-batch.ts';
import {
  enrolAgent,
  type Harness,
  startHarness,
  type TestAgent,
  type TestCollector,
} from '../testing/collector-harness.ts';
import { runAdminCommand } from '../testing/run-admin-command.ts';
import { writeMmdb } from '../testing/write-mmdb.ts';

// Regression tests for what a hostile agent could do to the collector (docs/security.md).

let harness: Harness;
let collector: TestCollector;
let agent: TestAgent;
beforeAll(async () => {
  harness = await startHarness();
  collector = harness.build();
  agent = await enrolAgent(collector, harness.redis);
});
afterAll(async () => await harness.close());
beforeEach(async () => await harness.queue.obliterate({ force: true }));

async function submit(sender: TestAgent, measurements: unknown[]): Promise<SubmissionResult> {
  const response = await sender.send('POST', '/v1/measurements', { measurements });
  expect(response.status).toBe(202);
  return SubmissionResult.parse(await response.json());
}

async function queuedIds(): Promise<string[]> {
  const jobs = await harness.queue.getJobs(['waiting', 'delayed', 'active']);
  return jobs.flatMap((job) => (job.data as IngestJobData).measurements.map((m) => m.id));
}

/** A UUIDv7 with the given 48-bit time and fixed random bits. */
function idAt(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7abc-8def-0123456789ab`;
}

describe('a hostile agent', () => {
  it('cannot overflow its spool-drop counter, and a record corrupted earlier still reads', async () => {
    const dropper = await enrolAgent(collector, harness.redis);
    const since = new Date(Date.now() - 60_000).toISOString();
    const huge = await dropper.send('POST', '/v1/measurements', {
      measurements: [dropper.measurement()],
      spool_dropped: { count: Number.MAX_SAFE_INTEGER, since },
    });
    expect(huge.status).toBe(422);
    for (let batch = 0; batch < 2; batch += 1) {
      const response = await dropper.send('POST', '/v1/measurements', {
        measurements: [dropper.measurement()],
        spool_dropped: { count: MAX_COUNT, since },
      });
      expect(response.status).toBe(202);
    }
    expect((await listAgents(harness.redis)).find((a) => a.id === dropper.id)?.spool_dropped_total).toBe(
      2 * MAX_COUNT,
    );

    // What two batches of 2^53 - 1 left behind before the bound existed.
    await harness.redis.hset(COLLECTOR_KEYS.agent(dropper.id), 'spool_dropped_total', '18014398509481982');
    expect((await dropper.send('GET', '/v1/agents/me/config')).status).toBe(200);
    const lines: string[] = [];
    expect(await runAdminCommand(['agents', 'list'], harness.redis, (line) => lines.push(line))).toBe(0);
    expect(lines.join('\n')).toContain(dropper.id);
    expect((await listAgents(harness.redis)).find((a) => a.id === dropper.id)?.spool_dropped_total).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it('gets a bounded answer for a batch of 500 items with 200 bad entries each', async () => {
    const tcp = Array.from({ length: 200 }, () => ({ ip: 'x', port: 0, failure: 'made_up', t0: -1, t: -1 }));
    const measurements = Array.from({ length: 500 }, () => ({
      ...agent.measurement(),
      observations: { tcp },
    }));
    const body = Buffer.from(JSON.stringify({ measurements }));
    const response = await agent.send('POST', '/v1/measurements', body, { gzip: true });
    expect(response.status).toBe(202);
    const text = await response.text();
    const result = SubmissionResult.parse(JSON.parse(text));
    expect(result.rejected).toHaveLength(500);
    const listed = result.rejected
      .flatMap((item) => item.errors)
      .filter((e) => !/more issues/.test(e.message));
    expect(listed.length).toBeLessThanOrEqual(MAX_ISSUES_PER_BATCH);
    // Smaller than the decoded request: the answer no longer amplifies it.
    expect(text.length).toBeLessThan(body.length / 10);
  });

  it('cannot claim another network, source kind or an implausible time, and the rest of its batch counts', async () => {
    const good = agent.measurement();
    const elsewhere = agent.measurement({
      network: { country: 'RU', region: 'RU-SPE', asn: 64500, network_type: 'fixed' },
    });
    const otherAsn = agent.measurement({
      network: { country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'fixed' },
    });
    const otherCountry = agent.measurement({
      network: { country: 'DE', region: 'DE-BE', asn: 64500, network_type: 'fixed' },
    });
    const ooni = agent.measurement({
      source: {
        kind: 'ooni',
        ooni: {
          report_id: 'r',
          measurement_uid: null,
          test_name: 'web_connectivity',
          anomaly: null,
          confirmed: null,
          failure: null,
        },
      },
    });
    const simulated = agent.measurement({ source: { kind: 'simulated', ooni: null } });
    const before1970 = {
      ...agent.measurement(),
      start_time: '1969-12-31T23:59:00Z',
      end_time: '1970-01-01T00:00:00Z',
    };
    const beforeRelease = agent.measurement({ start_time: '2025-01-01T00:00:00.000Z' });
    beforeRelease.end_time = beforeRelease.start_time;
    const idAtZero = { ...agent.measurement(), id: idAt(0) };
    const idInFarFuture = { ...agent.measurement(), id: idAt(2 ** 48 - 1) };
    const unknownCountry = agent.measurement({
      network: { country: 'XX', region: null, asn: 64500, network_type: 'fixed' },
    });
    const items: unknown[] = [
      good,
      elsewhere,
      otherAsn,
      otherCountry,
      ooni,
      simulated,
      before1970,
      beforeRelease,
      idAtZero,
      idInFarFuture,
      unknownCountry,
    ];
    const result = await submit(agent, items);
    expect(result.accepted).toEqual([good.id]);
    expect(result.rejected.map((item) => [item.index, item.errors[0]?.path])).toEqual([
      [1, '/measurements/1/network/region'],
      [2, '/measurements/2/network/asn'],
      [3, '/measurements/3/network/country'],
      [4, '/measurements/4/source/kind'],
      [5, '/measurements/5/source/kind'],
      [6, '/measurements/6/start_time'],
      [7, '/measurements/7/start_time'],
      [8, '/measurements/8/id'],
      [9, '/measurements/9/id'],
      [10, '/measurements/10/network/country'],
    ]);
    expect(result.rejected[0]?.errors[0]?.message).toMatch(/enrolled in \(RU\/RU-MOW\/AS64500\)/);
    expect(await queuedIds()).toEqual([good.id]);
    const metrics = await (await collector.request('/metrics')).text();
    expect(metrics).toMatch(
      /reachmap_collector_rejected_total\{reason="network_mismatch",role="collector"\} [1-9]/,
    );
  });

  it('submits simulated measurements only when enrolled with a simulated token (the lab and demo)', async () => {
    const { token } = await createEnrolmentToken(harness.redis, {
      label: 'demo',
      expiresInMs: 60_000,
      simulated: true,
    });
    const lab = await enrolAgent(collector, harness.redis, undefined, token);
    const honest = lab.measurement({ source: { kind: 'simulated', ooni: null } });
    const real: Measurement = lab.measurement();
    const result = await submit(lab, [honest, real]);
    expect(result.accepted).toEqual([honest.id]);
    expect(result.rejected.map((item) => item.errors[0]?.message)).toEqual([
      'this agent was enrolled as simulated; source.kind must be "simulated"',
    ]);
    expect((await listAgents(harness.redis)).find((a) => a.id === lab.id)?.simulated).toBe(true);
  });

  it('with a GeoIP database, cannot submit from an address in another country than it measures, unless an operator exempts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reachmap-geo-'));
    try {
      const path = join(dir, 'geo.mmdb');
      const record = { country: { iso_code: 'DE' }, autonomous_system_number: 64520 };
      writeFileSync(path, writeMmdb([{ address: '127.0.0.1', record }]));
      const geo = harness.build({ geoIp: await openGeoIpDatabases([path]) });
      const germanNetwork = { country: 'DE', region: 'DE-BE', asn: 64520, network_type: 'fixed' } as const;
      const german = await enrolAgent(geo, harness.redis, germanNetwork);
      const russian = await enrolAgent(geo, harness.redis);
      const fine = german.measurement({ network: germanNetwork });
      const accepted = SubmissionResult.parse(
        await (await german.send('POST', '/v1/measurements', { measurements: [fine] })).json(),
      );
      expect(accepted.accepted).toEqual([fine.id]);
      const claimed = russian.measurement();
      const refused = SubmissionResult.parse(
        await (await russian.send('POST', '/v1/measurements', { measurements: [claimed] })).json(),
      );
      expect(refused.accepted).toEqual([]);
      expect(refused.rejected[0]?.errors[0]).toMatchObject({
        path: '/measurements/0/network/country',
        message: expect.stringMatching(/came from an address in DE, not RU/),
      });

      // An operator exempts an agent that uploads through a tunnel abroad: its address is still
      // observed and flagged, no longer compared; the enrolled network still binds.
      const lines: string[] = [];
      const exempt = ['agents', 'exempt', russian.id, '--reason', 'uploads via Tor'];
      expect(await runAdminCommand(exempt, harness.redis, (line) => lines.push(line))).toBe(0);
      const tunnelled = russian.measurement();
      const elsewhere = russian.measurement({ network: germanNetwork });
      const afterExemption = SubmissionResult.parse(
        await (
          await russian.send('POST', '/v1/measurements', { measurements: [tunnelled, elsewhere] })
        ).json(),
      );
      expect(afterExemption.accepted).toEqual([tunnelled.id]);
      expect(afterExemption.rejected[0]?.errors[0]?.path).toBe('/measurements/1/network/country');
      const listed = (await listAgents(harness.redis)).find((a) => a.id === russian.id);
      expect([listed?.address_exemption, listed?.observed?.mismatch]).toEqual(['uploads via Tor', true]);
      const table: string[] = [];
      expect(await runAdminCommand(['agents', 'list'], harness.redis, (line) => table.push(line))).toBe(0);
      expect(table.find((line) => line.startsWith(russian.id))).toContain('geo-mismatch,address-exempt');
      // Cleared, the address binds again.
      const clear = ['agents', 'exempt', russian.id, '--clear'];
      expect(await runAdminCommand(clear, harness.redis, (line) => lines.push(line))).toBe(0);
      const again = SubmissionResult.parse(
        await (
          await russian.send('POST', '/v1/measurements', { measurements: [russian.measurement()] })
        ).json(),
      );
      expect(again.accepted).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gzip of a valid but oversized measurement is refused per item, not stored', async () => {
    const padded = { ...agent.measurement(), padding: 'x'.repeat(600 * 1024) };
    const response = await agent.send(
      'POST',
      '/v1/measurements',
      gzipSync(JSON.stringify({ measurements: [padded] })),
      {
        headers: { 'content-encoding': 'gzip' },
      },
    );
    expect(response.status).toBe(202);
    const result = SubmissionResult.parse(await response.json());
    expect(result.rejected[0]?.errors[0]?.message).toMatch(/bytes of JSON; at most/);
    expect(await queuedIds()).toEqual([]);
  });

  it('shows what the aggregator dead-lettered in the admin CLI and /metrics', async () => {
    const measurement = agent.measurement();
    await writeDeadLetters(harness.redis, [
      { measurement, batchId: 'bat_deadletter00000001', error: new RangeError('no bucket'), at: Date.now() },
    ]);
    const lines: string[] = [];
    expect(await runAdminCommand(['dead-letters', 'list'], harness.redis, (line) => lines.push(line))).toBe(
      0,
    );
    expect(lines[0]).toMatch(/^1 dead letters in all/);
    expect(lines[1]).toContain(
      `${measurement.id}  ${agent.id}  bat_deadletter00000001  RangeError: no bucket`,
    );
    const metrics = await (await collector.request('/metrics')).text();
    expect(metrics).toContain('reachmap_dead_letters_total{role="collector"} 1');
  });

  it('cannot submit for a target the catalogue does not have', async () => {
    const document = {
      catalogue: { version: 'lab-1', targets: [{ id: 'whatsapp' }] },
      content_hash: 'sha256:t',
    };
    const cataloguing = harness.build({ catalogue: document });
    const known = agent.measurement();
    const invented = agent.measurement({ target: { ...known.target, id: 'made-up-target' } });
    const body = Buffer.from(JSON.stringify({ measurements: [known, invented] }));
    const response = await cataloguing.request('/v1/measurements', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...agent.sign('POST', '/v1/measurements', body) },
      body,
    });
    const result = SubmissionResult.parse(await response.json());
    expect(result.accepted).toEqual([known.id]);
    expect(result.rejected[0]?.errors[0]).toEqual({
      path: '/measurements/1/target/id',
      message: 'target "made-up-target" is not in the catalogue this collector serves',
    });
  });
});
