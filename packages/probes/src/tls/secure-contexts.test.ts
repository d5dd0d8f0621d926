import { connect } from 'node:net';
import tls from 'node:tls';
import { createCertificateAuthority, issueCertificate } from '@reachmap/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadline } from '../deadline.ts';
import { type LoopbackServer, listenOnLoopback } from '../testing/loopback-server.ts';
import { secureContextFor } from './secure-contexts.ts';
import { startTls } from './start-tls.ts';

const NAME = 'shared.lab.test';
let caPem: string;
let otherCaPem: string;
let server: LoopbackServer;

beforeAll(async () => {
  const ca = await createCertificateAuthority({ commonName: 'reachmap test CA' });
  caPem = ca.certificatePem;
  otherCaPem = (await createCertificateAuthority({ commonName: 'another test CA' })).certificatePem;
  const leaf = await issueCertificate(ca, { names: [NAME] });
  const backend = tls.createServer({ cert: leaf.chainPem, key: leaf.privateKeyPem });
  backend.on('secureConnection', (socket) => {
    socket.on('error', () => socket.destroy());
    socket.end('hello');
  });
  server = await listenOnLoopback(backend);
});
afterAll(() => server.close());

async function handshake(ca: string | undefined): Promise<tls.TLSSocket> {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const result = await startTls(socket, { sni: NAME, alpn: [], ca }, createDeadline(2000));
  if (!result.ok) throw new Error(`handshake failed: ${result.failure}`);
  // Let the server's TLS 1.3 session tickets arrive before the next handshake.
  await new Promise((resolve) => result.socket.once('end', resolve).resume());
  return result.socket;
}

describe('secureContextFor', () => {
  it('gives one context per set of trust anchors', () => {
    expect(secureContextFor(caPem)).toBe(secureContextFor(caPem));
    expect(secureContextFor([caPem])).toBe(secureContextFor(caPem));
    expect(secureContextFor(otherCaPem)).not.toBe(secureContextFor(caPem));
    expect(secureContextFor(undefined)).not.toBe(secureContextFor(caPem));
  });

  it('validates against its own anchors only, and never resumes a session across probes', async () => {
    const first = await handshake(caPem);
    const second = await handshake(caPem);
    expect(first.authorized).toBe(true);
    expect(second.authorized).toBe(true);
    // Every probe handshake is a full one: a resumed session would skip what a censor acts on.
    expect(second.isSessionReused()).toBe(false);
    const untrusted = await handshake(otherCaPem);
    expect(untrusted.authorized).toBe(false);
    expect(String(untrusted.authorizationError)).toBe('SELF_SIGNED_CERT_IN_CHAIN'); // our CA, not theirs
  });
});
