import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPublicKey, generateAgentKeyPair } from '@reachmap/agent-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrolmentToken } from '../admin/create-token.ts';
import { findAgent } from '../agents/agent-store.ts';
import { openGeoIpDatabases } from '../geoip/geoip-lookup.ts';
import { type Harness, startHarness } from '../testing/collector-harness.ts';
import { writeMmdb } from '../testing/write-mmdb.ts';

const dir = mkdtempSync(join(tmpdir(), 'reachmap-proposal-'));
let harness: Harness;
let database: string;

beforeAll(async () => {
  database = join(dir, 'geo.mmdb');
  // As a GeoIP2 City + ASN database answers: subdivisions without their country prefix.
  const record = {
    country: { iso_code: 'RU' },
    subdivisions: [{ iso_code: 'MOW' }],
    autonomous_system_number: 64500,
  };
  const elsewhere = {
    country: { iso_code: 'DE' },
    subdivisions: [{ iso_code: 'BE' }],
    autonomous_system_number: 3320,
  };
  writeFileSync(
    database,
    writeMmdb([
      { address: '127.0.0.1', record },
      { address: '198.51.100.7', record: elsewhere },
    ]),
  );
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/agents/network-proposal', () => {
  it("proposes the country, region and ASN of the caller's address from the GeoIP database", async () => {
    const collector = harness.build({
      geoIp: await openGeoIpDatabases([database]),
      addressEchoUrl: 'http://reflector.example:8443/address',
    });
    const response = await collector.request('/v1/agents/network-proposal');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      address: '127.0.0.1',
      country: 'RU',
      region: 'RU-MOW',
      asn: 64500,
      source: 'geoip',
      agent_view: null,
      address_echo_url: 'http://reflector.example:8443/address',
    });
  });

  it("places the agent's own view (the address a control endpoint echoed) beside the connecting address", async () => {
    const collector = harness.build({ geoIp: await openGeoIpDatabases([database]) });
    const response = await collector.request('/v1/agents/network-proposal?agent_address=198.51.100.7');
    expect(await response.json()).toMatchObject({
      address: '127.0.0.1',
      country: 'RU',
      agent_view: { address: '198.51.100.7', country: 'DE', region: 'DE-BE', asn: 3320 },
    });
    const bad = await collector.request('/v1/agents/network-proposal?agent_address=not-an-address');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_query' } });
  });

  it('proposes nothing without a database, so the declaration stands', async () => {
    const response = await harness.build().request('/v1/agents/network-proposal');
    expect(await response.json()).toEqual({
      address: '127.0.0.1',
      country: null,
      region: null,
      asn: null,
      source: 'none',
      agent_view: null,
      address_echo_url: null,
    });
  });

  it('is counted against the enrolment budget of the address', async () => {
    const collector = harness.build({ limits: { enrolmentsPerMinutePerAddress: 1 } });
    await harness.redis.flushdb();
    expect((await collector.request('/v1/agents/network-proposal')).status).toBe(200);
    expect((await collector.request('/v1/agents/network-proposal')).status).toBe(429);
    await harness.redis.flushdb();
  });
});

describe('enrolment with an overridden network', () => {
  it("keeps the operator's reason beside the declared network", async () => {
    const collector = harness.build({ geoIp: await openGeoIpDatabases([database]) });
    const { token } = await createEnrolmentToken(harness.redis, { label: 'override', expiresInMs: 60_000 });
    const response = await collector.request('/v1/agents/enroll', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        public_key: exportPublicKey(generateAgentKeyPair().publicKey),
        network: { country: 'DE', region: null, asn: 3320, network_type: 'fixed' },
        software: { name: 'reachmap-agent', version: '0.1.0' },
        network_override_reason: 'VPN exit in Moscow; the line is in Berlin',
      }),
    });
    expect(response.status).toBe(201);
    const { agent_id } = (await response.json()) as { agent_id: string };
    expect(await findAgent(harness.redis, agent_id)).toMatchObject({
      network: { country: 'DE', asn: 3320 },
      network_override_reason: 'VPN exit in Moscow; the line is in Berlin',
      observed: { country: 'RU', asn: 64500, mismatch: true },
      agent_view: null,
    });
  });

  it("records the agent's own view and whether it agrees with the connecting address", async () => {
    const collector = harness.build({ geoIp: await openGeoIpDatabases([database]) });
    const enrol = async (agentAddress: string) => {
      const { token } = await createEnrolmentToken(harness.redis, { label: 'views', expiresInMs: 60_000 });
      const response = await collector.request('/v1/agents/enroll', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token,
          public_key: exportPublicKey(generateAgentKeyPair().publicKey),
          network: { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' },
          software: { name: 'reachmap-agent', version: '0.1.0' },
          agent_address: agentAddress,
        }),
      });
      expect(response.status).toBe(201);
      return findAgent(harness.redis, ((await response.json()) as { agent_id: string }).agent_id);
    };
    expect((await enrol('127.0.0.1'))?.agent_view).toEqual({
      address: '127.0.0.1',
      country: 'RU',
      region: 'RU-MOW',
      asn: 64500,
      agrees: true,
    });
    // A hostile or misrouted agent's claim is recorded and flagged, never put in place of what the collector saw.
    expect(await enrol('198.51.100.7')).toMatchObject({
      network: { country: 'RU', asn: 64500 },
      observed: { address: '127.0.0.1', country: 'RU', mismatch: false },
      agent_view: { address: '198.51.100.7', country: 'DE', agrees: false },
    });
  });
});
