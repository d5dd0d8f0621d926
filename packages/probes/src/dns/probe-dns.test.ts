import { createCertificateAuthority, issueCertificate } from '@reachmap/pki';
import { DnsQuery } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeasurementClock } from '../clock.ts';
import { type LabDnsServer, startLabDnsServer } from '../testing/dns-server.ts';
import type { LabDnsZone } from '../testing/dns-zone.ts';
import { type LabDohServer, startLabDohServer } from '../testing/doh-server.ts';
import { UnsupportedDnsQueryError } from './lookup-system.ts';
import { type DnsResolver, probeDns } from './probe-dns.ts';

const ZONE: LabDnsZone = {
  'ok.lab.test': { a: ['198.18.0.10', '198.18.0.11'], aaaa: ['2001:db8:ffff::1'] },
  'alias.lab.test': { cname: 'ok.lab.test', a: ['198.18.0.10'] },
  'poisoned.lab.test': { a: ['127.0.0.1'] },
  'broken.lab.test': { rcode: 'SERVFAIL' },
  'v4only.lab.test': { a: ['198.18.0.12'] },
  'dropped.lab.test': { silent: true },
};

let dns: LabDnsServer;
let doh: LabDohServer;
let caPem: string;

beforeAll(async () => {
  const ca = await createCertificateAuthority({ commonName: 'reachmap test CA' });
  caPem = ca.certificatePem;
  dns = await startLabDnsServer(ZONE);
  doh = await startLabDohServer(
    ZONE,
    await issueCertificate(ca, { names: ['doh.lab.test'], ips: ['127.0.0.1'] }),
  );
});

afterAll(async () => {
  await dns.close();
  await doh.close();
});

const WIRE_RESOLVERS = ['udp', 'tcp', 'doh POST', 'doh GET'] as const;

function wireResolver(name: (typeof WIRE_RESOLVERS)[number]): DnsResolver {
  switch (name) {
    case 'udp':
      return { kind: 'udp', address: dns.address };
    case 'tcp':
      return { kind: 'tcp', address: dns.address };
    case 'doh POST':
      return { kind: 'doh', url: doh.url, ca: caPem };
    case 'doh GET':
      return { kind: 'doh', url: doh.url, method: 'GET', ca: caPem };
  }
}

const context = () => ({ clock: createMeasurementClock(), timeoutMs: 2000 });

describe.each(WIRE_RESOLVERS)('probeDns over %s', (name) => {
  it('records every A answer with NOERROR and no failure', async () => {
    const resolver = wireResolver(name);
    const query = await probeDns(resolver, { hostname: 'ok.lab.test', type: 'A' }, context());
    expect(DnsQuery.parse(query)).toEqual(query);
    expect(query.resolver).toEqual({
      kind: resolver.kind,
      address: resolver.kind === 'doh' ? doh.url : dns.address,
    });
    expect(query.rcode).toBe('NOERROR');
    expect(query.failure).toBeNull();
    expect(query.answers).toEqual([
      { type: 'A', value: '198.18.0.10', ttl: 60 },
      { type: 'A', value: '198.18.0.11', ttl: 60 },
    ]);
    expect(query.t).toBeGreaterThanOrEqual(query.t0);
  });

  it('records AAAA answers and the CNAME chain', async () => {
    const resolver = wireResolver(name);
    const aaaa = await probeDns(resolver, { hostname: 'ok.lab.test', type: 'AAAA' }, context());
    expect(aaaa.answers).toEqual([{ type: 'AAAA', value: '2001:db8:ffff::1', ttl: 60 }]);
    const alias = await probeDns(resolver, { hostname: 'alias.lab.test', type: 'A' }, context());
    expect(alias.answers.map((answer) => answer.type)).toEqual(['CNAME', 'A']);
    expect(alias.failure).toBeNull();
    const cname = await probeDns(resolver, { hostname: 'alias.lab.test', type: 'CNAME' }, context());
    expect(cname.answers).toEqual([{ type: 'CNAME', value: 'ok.lab.test', ttl: 60 }]);
  });

  it('records NXDOMAIN as dns_nxdomain_error', async () => {
    const resolver = wireResolver(name);
    const query = await probeDns(resolver, { hostname: 'missing.lab.test', type: 'A' }, context());
    expect(query).toMatchObject({ rcode: 'NXDOMAIN', failure: 'dns_nxdomain_error', answers: [] });
  });

  it('records SERVFAIL as dns_servfail_error', async () => {
    const resolver = wireResolver(name);
    const query = await probeDns(resolver, { hostname: 'broken.lab.test', type: 'A' }, context());
    expect(query).toMatchObject({ rcode: 'SERVFAIL', failure: 'dns_servfail_error' });
  });

  it('records an empty NOERROR answer as dns_no_answer', async () => {
    const resolver = wireResolver(name);
    const query = await probeDns(resolver, { hostname: 'v4only.lab.test', type: 'AAAA' }, context());
    expect(query).toMatchObject({ rcode: 'NOERROR', failure: 'dns_no_answer', answers: [] });
  });

  it('keeps a bogon answer and flags it as dns_bogon_error', async () => {
    const resolver = wireResolver(name);
    const query = await probeDns(resolver, { hostname: 'poisoned.lab.test', type: 'A' }, context());
    expect(query).toMatchObject({
      rcode: 'NOERROR',
      failure: 'dns_bogon_error',
      answers: [{ type: 'A', value: '127.0.0.1', ttl: 60 }],
    });
  });

  it('records a query that is never answered as generic_timeout_error after the budget', async () => {
    const resolver = wireResolver(name);
    const query = await probeDns(
      resolver,
      { hostname: 'dropped.lab.test', type: 'A' },
      { clock: createMeasurementClock(), timeoutMs: 300 },
    );
    expect(query).toMatchObject({ rcode: null, failure: 'generic_timeout_error', answers: [] });
    expect(query.t - query.t0).toBeGreaterThanOrEqual(0.25);
    expect(query.t - query.t0).toBeLessThan(3);
  });
});

describe('probeDns edge cases', () => {
  it('rejects a DoH server whose certificate is not from a trusted CA', async () => {
    const query = await probeDns(
      { kind: 'doh', url: doh.url },
      { hostname: 'ok.lab.test', type: 'A' },
      context(),
    );
    expect(query.failure).toBe('ssl_unknown_authority');
  });

  it('resolves localhost through the system resolver and flags the loopback answer as a bogon', async () => {
    const query = await probeDns({ kind: 'system' }, { hostname: 'localhost', type: 'A' }, context());
    expect(DnsQuery.parse(query)).toEqual(query);
    expect(query.resolver).toEqual({ kind: 'system', address: null });
    expect(query.rcode).toBe('NOERROR');
    expect(query.answers.map((answer) => answer.value)).toContain('127.0.0.1');
    expect(query.failure).toBe('dns_bogon_error');
  });

  it('refuses a CNAME question for the system resolver', async () => {
    await expect(
      probeDns({ kind: 'system' }, { hostname: 'localhost', type: 'CNAME' }, context()),
    ).rejects.toBeInstanceOf(UnsupportedDnsQueryError);
  });
});
