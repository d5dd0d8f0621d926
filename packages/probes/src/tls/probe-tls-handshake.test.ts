import tls from 'node:tls';
import { createCertificateAuthority, type IssuedCertificate, issueCertificate } from '@reachmap/pki';
import { TcpConnect, TlsHandshake } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeasurementClock } from '../clock.ts';
import type { LoopbackServer } from '../testing/loopback-server.ts';
import { type SniFilterAction, startSniFilteringServer } from '../testing/sni-filtering-server.ts';
import { probeTlsHandshake } from './probe-tls-handshake.ts';

const BLOCKED = 'blocked.lab.test';
const CONTROL = 'control.lab.test';

let caPem: string;
let leaf: IssuedCertificate;
const servers = new Map<SniFilterAction, LoopbackServer>();
const backends: tls.Server[] = [];

beforeAll(async () => {
  const ca = await createCertificateAuthority({ commonName: 'reachmap test CA' });
  caPem = ca.certificatePem;
  leaf = await issueCertificate(ca, { names: [CONTROL, BLOCKED] });
  for (const action of ['reset', 'drop', 'close'] as const) {
    const backend = tls.createServer({ cert: leaf.chainPem, key: leaf.privateKeyPem, ALPNProtocols: ['h2'] });
    backend.on('secureConnection', (socket) => socket.on('error', () => socket.destroy()));
    backends.push(backend);
    servers.set(action, await startSniFilteringServer({ blockedSni: BLOCKED, action, backend }));
  }
});

afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.close()));
  for (const backend of backends) backend.close();
});

function portFor(action: SniFilterAction): number {
  const server = servers.get(action);
  if (server === undefined) throw new Error(`no ${action} server`);
  return server.port;
}

const context = (timeoutMs = 2000) => ({ clock: createMeasurementClock(), timeoutMs });

describe('probeTlsHandshake', () => {
  it('records version, ALPN, cipher, the chain and a valid verdict for a harmless SNI', async () => {
    const { tcp, tls: handshake } = await probeTlsHandshake(
      { ip: '127.0.0.1', port: portFor('reset'), sni: CONTROL, sniRole: 'control', ca: caPem },
      context(),
    );
    expect(TcpConnect.parse(tcp)).toEqual(tcp);
    expect(tcp.failure).toBeNull();
    expect(handshake).not.toBeNull();
    expect(TlsHandshake.parse(handshake)).toEqual(handshake);
    expect(handshake).toMatchObject({
      sni: CONTROL,
      sni_role: 'control',
      alpn_offered: ['h2', 'http/1.1'],
      alpn_negotiated: 'h2',
      tls_version: 'TLSv1.3',
      validation: { valid: true, failure: null },
      failure: null,
    });
    expect(handshake?.cipher_suite).toMatch(/^TLS_/);
    const [leafSummary, caSummary] = handshake?.peer_certificates ?? [];
    expect(leafSummary?.subject).toBe(`CN=${CONTROL}`);
    expect(leafSummary?.issuer).toBe('CN=reachmap test CA');
    expect(leafSummary?.sans).toEqual([CONTROL, BLOCKED]);
    expect(leafSummary?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(caSummary?.subject).toBe('CN=reachmap test CA');
    expect(handshake?.t0).toBeGreaterThanOrEqual(tcp.t);
    expect(handshake?.t).toBeGreaterThanOrEqual(handshake?.t0 ?? Number.POSITIVE_INFINITY);
  });

  it('completes the handshake but records ssl_unknown_authority without the lab CA', async () => {
    const { tls: handshake } = await probeTlsHandshake(
      { ip: '127.0.0.1', port: portFor('reset'), sni: CONTROL, sniRole: 'control' },
      context(),
    );
    expect(handshake?.failure).toBeNull();
    expect(handshake?.validation).toEqual({ valid: false, failure: 'ssl_unknown_authority' });
    expect(handshake?.peer_certificates.length).toBeGreaterThan(0);
  });

  it('records ssl_invalid_hostname when the certificate does not name the SNI', async () => {
    const { tls: handshake } = await probeTlsHandshake(
      { ip: '127.0.0.1', port: portFor('reset'), sni: 'elsewhere.lab.test', sniRole: 'control', ca: caPem },
      context(),
    );
    expect(handshake?.failure).toBeNull();
    expect(handshake?.validation).toEqual({ valid: false, failure: 'ssl_invalid_hostname' });
  });

  it('records connection_reset when the blocked SNI is reset after the ClientHello', async () => {
    const { tcp, tls: handshake } = await probeTlsHandshake(
      { ip: '127.0.0.1', port: portFor('reset'), sni: BLOCKED, sniRole: 'target', ca: caPem },
      context(),
    );
    expect(tcp.failure).toBeNull();
    expect(handshake).toMatchObject({
      failure: 'connection_reset',
      tls_version: null,
      peer_certificates: [],
    });
    expect(TlsHandshake.parse(handshake)).toEqual(handshake);
  });

  it('records generic_timeout_error when the blocked SNI is silently dropped', async () => {
    const { tcp, tls: handshake } = await probeTlsHandshake(
      { ip: '127.0.0.1', port: portFor('drop'), sni: BLOCKED, sniRole: 'target', ca: caPem },
      context(500),
    );
    expect(tcp.failure).toBeNull();
    expect(handshake?.failure).toBe('generic_timeout_error');
    expect((handshake?.t ?? 0) - tcp.t0).toBeGreaterThanOrEqual(0.45);
    expect((handshake?.t ?? 0) - tcp.t0).toBeLessThan(3);
  });

  it('records eof_error when the blocked SNI is answered with a FIN', async () => {
    const { tls: handshake } = await probeTlsHandshake(
      { ip: '127.0.0.1', port: portFor('close'), sni: BLOCKED, sniRole: 'target', ca: caPem },
      context(),
    );
    expect(handshake?.failure).toBe('eof_error');
  });

  it('still serves the control SNI on the dropping server', async () => {
    const { tls: handshake } = await probeTlsHandshake(
      { ip: '127.0.0.1', port: portFor('drop'), sni: CONTROL, sniRole: 'control', ca: caPem },
      context(),
    );
    expect(handshake?.failure).toBeNull();
  });
});
