import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAgents } from '../admin/list-agents.ts';
import { enrolAgent, type Harness, startHarness } from '../testing/collector-harness.ts';
import { writeMmdb } from '../testing/write-mmdb.ts';
import { type GeoIpLookup, openGeoIpDatabases } from './geoip-lookup.ts';

const dir = mkdtempSync(join(tmpdir(), 'reachmap-geoip-'));
let lookup: GeoIpLookup;
let harness: Harness;
beforeAll(async () => {
  const countries = join(dir, 'country.mmdb');
  const asns = join(dir, 'asn.mmdb');
  writeFileSync(countries, writeMmdb([{ address: '127.0.0.1', record: { country: { iso_code: 'RU' } } }]));
  writeFileSync(asns, writeMmdb([{ address: '127.0.0.1', record: { autonomous_system_number: 64500 } }]));
  lookup = await openGeoIpDatabases([countries, asns]);
  harness = await startHarness();
});
afterAll(async () => {
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GeoIP', () => {
  it('merges country and ASN from separate databases, and knows nothing of other addresses', () => {
    expect(lookup('127.0.0.1')).toEqual({ country: 'RU', region: null, asn: 64500 });
    expect(lookup('::ffff:127.0.0.1')).toEqual({ country: 'RU', region: null, asn: 64500 });
    expect(lookup('127.0.0.2')).toBeNull();
    expect(lookup('::1')).toBeNull();
  });

  it('stores the observation beside the declared network and flags a contradiction', async () => {
    const collector = harness.build({ geoIp: lookup });
    const honest = await enrolAgent(collector, harness.redis);
    const elsewhere = await enrolAgent(collector, harness.redis, {
      country: 'DE',
      region: 'DE-BE',
      asn: 64501,
      network_type: 'fixed',
    });
    const agents = await listAgents(harness.redis);
    const honestRecord = agents.find((agent) => agent.id === honest.id);
    const elsewhereRecord = agents.find((agent) => agent.id === elsewhere.id);
    expect(honestRecord?.observed).toMatchObject({ country: 'RU', asn: 64500, mismatch: false });
    expect(elsewhereRecord?.observed).toMatchObject({ country: 'RU', asn: 64500, mismatch: true });
    expect(elsewhereRecord?.network).toMatchObject({ country: 'DE', asn: 64501 });
  });

  it('reloads a database replaced on disk, without a restart', async () => {
    const path = join(dir, 'reloading.mmdb');
    writeFileSync(path, writeMmdb([{ address: '127.0.0.1', record: { country: { iso_code: 'DE' } } }]));
    const reloading = await openGeoIpDatabases([path]);
    expect(reloading('127.0.0.1')?.country).toBe('DE');
    // The watcher takes its first stat asynchronously after open: on a loaded machine that can land after
    // a replacement made at once, which then looks like the baseline. An operator replaces the file long
    // after start; here it is replaced again each second until the reader has taken it.
    const replaced = writeMmdb([{ address: '127.0.0.1', record: { country: { iso_code: 'FR' } } }]);
    const deadline = Date.now() + 15_000;
    let lastWrite = 0;
    while (reloading('127.0.0.1')?.country !== 'FR' && Date.now() < deadline) {
      if (Date.now() - lastWrite >= 1_000) {
        writeFileSync(path, replaced);
        lastWrite = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(reloading('127.0.0.1')?.country).toBe('FR');
  }, 20_000);

  it('keeps answering from the old database while a replacement is half written, and says so', async () => {
    const path = join(dir, 'half-written.mmdb');
    writeFileSync(path, writeMmdb([{ address: '127.0.0.1', record: { country: { iso_code: 'DE' } } }]));
    const errors: string[] = [];
    const reloading = await openGeoIpDatabases([path], (failed, error) =>
      errors.push(`${failed}: ${error.message}`),
    );
    // A copy in place caught between truncation and the last write: the head of a file only.
    const replacement = writeMmdb([{ address: '127.0.0.1', record: { country: { iso_code: 'FR' } } }]);
    const deadline = Date.now() + 15_000;
    let size = 0;
    while (errors.length === 0 && Date.now() < deadline) {
      size += 1;
      writeFileSync(path, replacement.subarray(0, size));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(errors[0]).toContain(path);
    expect(reloading('127.0.0.1')?.country).toBe('DE');
    // The whole file, once written, is taken.
    while (reloading('127.0.0.1')?.country !== 'FR' && Date.now() < deadline + 15_000) {
      writeFileSync(path, replacement);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(reloading('127.0.0.1')?.country).toBe('FR');
  }, 40_000);
});
