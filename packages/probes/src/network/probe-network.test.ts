import { createCertificateAuthority, issueCertificate } from '@reachmap/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeasurementClock } from '../clock.ts';
import { probeDns } from '../dns/probe-dns.ts';
import { probeHttp } from '../http/probe-http.ts';
import type { ProbeContext } from '../probe-options.ts';
import { probeQuic } from '../quic/probe-quic.ts';
import { probeTcpConnect } from '../tcp/probe-tcp-connect.ts';
import { type LabDnsServer, startLabDnsServer } from '../testing/dns-server.ts';
import { type LabDohServer, startLabDohServer } from '../testing/doh-server.ts';
import type { LoopbackServer } from '../testing/loopback-server.ts';
import { startThroughputServer } from '../testing/throughput-server.ts';
import { type LoopbackUdpServer, startVersionNegotiationServer } from '../testing/udp-servers.ts';
import { startLabHttpsServer } from '../testing/web-servers.ts';
import { probeThroughput } from '../throughput/probe-throughput.ts';
import { probeTlsHandshake } from '../tls/probe-tls-handshake.ts';
import type { ProbeNetwork } from './probe-network.ts';

/**
 * Logical lab addresses (198.18/15): the rewrite sends every socket to a loopback test server (only
 * those servers hold the test CA's certificates and the test zone), while observations keep these.
 */
const WEB_IP = '198.18.9.1';
const DNS_IP = '198.18.9.53';
const DOH_IP = '198.18.9.54';
const QUIC_IP = '198.18.9.2';
const DOWNLOAD_IP = '198.18.9.3';

let web: LoopbackServer;
let download: LoopbackServer;
let dns: LabDnsServer;
let doh: LabDohServer;
let quic: LoopbackUdpServer;
let caPem: string;
let network: ProbeNetwork;

beforeAll(async () => {
  const ca = await createCertificateAuthority({ commonName: 'reachmap network test CA' });
  caPem = ca.certificatePem;
  const zone = { 'site.lab': { a: [WEB_IP] } };
  web = await startLabHttpsServer(await issueCertificate(ca, { names: ['site.lab'] }));
  download = await startThroughputServer();
  dns = await startLabDnsServer(zone);
  doh = await startLabDohServer(zone, await issueCertificate(ca, { names: ['doh.lab'], ips: [DOH_IP] }));
  quic = await startVersionNegotiationServer();
  const dnsPort = Number(dns.address.split(':')[1]);
  const ports = new Map([
    [`${WEB_IP}:443`, web.port],
    [`${DNS_IP}:53`, dnsPort],
    [`${DOH_IP}:443`, Number(new URL(doh.url).port)],
    [`${QUIC_IP}:443`, quic.port],
    [`${DOWNLOAD_IP}:80`, download.port],
  ]);
  network = {
    dialRewrite: (ip, port) => ({ ip: '127.0.0.1', port: ports.get(`${ip}:${port}`) ?? 9 }),
    systemResolver: `${DNS_IP}:53`,
    localAddress: '127.0.0.1',
  };
});

afterAll(async () => {
  await Promise.all([web.close(), download.close(), dns.close(), doh.close()]);
  quic.close();
});

const context = (): ProbeContext => ({ clock: createMeasurementClock(), timeoutMs: 5_000, network });

describe('ProbeNetwork: dial rewrite with logical addresses recorded', () => {
  it('connects TCP through the rewrite and records the logical address', async () => {
    const tcp = await probeTcpConnect({ ip: WEB_IP, port: 443 }, context());
    expect(tcp).toMatchObject({ ip: WEB_IP, port: 443, failure: null });
  });

  it('completes a TLS handshake through the rewrite, validated against the SNI', async () => {
    const result = await probeTlsHandshake(
      { ip: WEB_IP, port: 443, sni: 'site.lab', sniRole: 'target', ca: caPem },
      context(),
    );
    expect(result.tcp).toMatchObject({ ip: WEB_IP, failure: null });
    expect(result.tls).toMatchObject({ ip: WEB_IP, failure: null, validation: { valid: true } });
  });

  it('answers system questions from the network resolver, recorded as the system resolver', async () => {
    const query = await probeDns({ kind: 'system' }, { hostname: 'site.lab', type: 'A' }, context());
    expect(query.resolver).toEqual({ kind: 'system', address: null });
    expect(query.failure).toBeNull();
    expect(query.answers.map((answer) => answer.value)).toEqual([WEB_IP]);
  });

  it('rewrites DNS over UDP, TCP and DoH but keeps their logical addresses', async () => {
    for (const resolver of [
      { kind: 'udp', address: `${DNS_IP}:53` },
      { kind: 'tcp', address: `${DNS_IP}:53` },
    ] as const) {
      const query = await probeDns(resolver, { hostname: 'site.lab', type: 'A' }, context());
      expect(query).toMatchObject({ resolver, failure: null });
    }
    const overDoh = await probeDns(
      { kind: 'doh', url: `https://${DOH_IP}/dns-query`, ca: caPem },
      { hostname: 'site.lab', type: 'A' },
      context(),
    );
    expect(overDoh.failure).toBeNull();
    expect(overDoh.resolver.address).toBe(`https://${DOH_IP}/dns-query`);
  });

  it('fetches a URL by name: resolved through the network, dialled through the rewrite, TLS valid', async () => {
    const [exchange] = await probeHttp({ url: 'https://site.lab/' }, { ca: caPem }, context());
    expect(exchange?.failure).toBeNull();
    expect(exchange?.response?.status).toBe(200);
    expect(exchange?.response?.title).toBe('Reachmap lab target');
  });

  it('records a resolution failure of the network resolver as the exchange failure', async () => {
    const [exchange] = await probeHttp({ url: 'https://missing.lab/' }, {}, context());
    expect(exchange).toMatchObject({ response: null, failure: 'dns_nxdomain_error' });
  });

  it('sends QUIC Initials through the rewrite', async () => {
    const probe = await probeQuic({ ip: QUIC_IP, sni: 'site.lab' }, context());
    expect(probe).toMatchObject({ ip: QUIC_IP, port: 443, failure: null, response: 'version_negotiation' });
  });

  it('downloads through the rewrite', async () => {
    const run = await probeThroughput(
      { ip: DOWNLOAD_IP, port: 80, tls: null, sniRole: 'target', path: '/download?bytes=65536' },
      { direction: 'download', bytes: 65_536 },
      context(),
    );
    expect(run).toMatchObject({ ip: DOWNLOAD_IP, port: 80, failure: null, bytes: 65_536 });
  });
});
