import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { createCertificateAuthority, issueCertificate } from '@reachmap/pki';
import { createLogger } from '@reachmap/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientLimitsConfig, ReflectorConfig } from './config.ts';
import { parseLongHeader } from './quic-version-negotiation.ts';
import { type RunningReflector, startReflector } from './reflector.ts';
import { initialDatagram } from './testing.ts';

const silent = createLogger({ name: 'reflector-test', level: 'silent' });

const generousLimits: ClientLimitsConfig = {
  maxRequestBytes: 4 * 1024 * 1024,
  bytesPerWindow: 64 * 1024 * 1024,
  windowSeconds: 3600,
  rateBytesPerSecond: 1024 * 1024 * 1024,
  burstBytes: 64 * 1024 * 1024,
  maxConnectionsPerClient: 50,
};

function configWith(limits: Partial<ClientLimitsConfig> = {}, tls?: ReflectorConfig['tls']): ReflectorConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    quicPort: 0,
    tls: tls ?? { kind: 'generate', names: ['reflector.reachmap.lab'] },
    limits: { ...generousLimits, ...limits },
    logLevel: 'silent',
  };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request over plain HTTP, or over TLS with `sni` when given; the reflector's certificate is not checked. */
function call(
  port: number,
  method: string,
  path: string,
  { sni, body }: { sni?: string; body?: Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, method, path, agent: false as const };
    const send =
      sni === undefined
        ? httpRequest(options)
        : httpsRequest({ ...options, servername: sni, rejectUnauthorized: false });
    send.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    send.on('error', reject);
    send.end(body);
  });
}

describe('reflector', () => {
  let reflector: RunningReflector;

  beforeAll(async () => {
    reflector = await startReflector(configWith(), silent);
  });
  afterAll(async () => {
    await reflector.close(1000);
  });

  it.each(['www.youtube.com.lab', 'e1.whatsapp.net.lab', 'anything-at-all.example'])(
    'completes a TLS handshake for SNI %s with its own certificate',
    async (sni) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: reflector.tcpPort,
        servername: sni,
        rejectUnauthorized: false,
      });
      await once(socket, 'secureConnect');
      expect(socket.getPeerCertificate().fingerprint256).toBe(reflector.fingerprint);
      socket.destroy();
    },
  );

  it('describes itself at / over TLS and over plain HTTP on the same port', async () => {
    for (const sni of ['reflector.reachmap.lab', undefined]) {
      const reply = await call(reflector.tcpPort, 'GET', '/', sni === undefined ? {} : { sni });
      expect(reply.status).toBe(200);
      const info = JSON.parse(reply.body.toString());
      expect(info.software.name).toBe('reachmap-reflector');
      expect(info.limits.max_request_bytes).toBe(generousLimits.maxRequestBytes);
    }
  });

  it('tells a client the address it sees it at, over TLS and over plain HTTP', async () => {
    for (const sni of [undefined, 'echo.example']) {
      const reply = await call(reflector.tcpPort, 'GET', '/address', sni === undefined ? {} : { sni });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body.toString())).toEqual({ address: '127.0.0.1' });
    }
  });

  it('downloads exactly N random bytes over TLS and over plain HTTP', async () => {
    const bytes = 300_001;
    for (const sni of ['rr1---sn-4g5e6nsz.googlevideo.com.lab', undefined]) {
      const reply = await call(
        reflector.tcpPort,
        'GET',
        `/download?bytes=${bytes}`,
        sni === undefined ? {} : { sni },
      );
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/octet-stream');
      expect(reply.headers['content-length']).toBe(String(bytes));
      expect(reply.body.length).toBe(bytes);
      // Random, not a zero fill: at least most byte values show up.
      expect(new Set(reply.body.subarray(0, 65_536)).size).toBeGreaterThan(200);
    }
  });

  it('counts an upload', async () => {
    const reply = await call(reflector.tcpPort, 'POST', '/upload', {
      body: Buffer.alloc(200_000, 7),
      sni: 'x.lab',
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ bytes: 200_000 });
  });

  it.each([
    ['GET', '/download?bytes=lots', 400],
    ['GET', `/download?bytes=${5 * 1024 * 1024}`, 413],
    ['GET', '/upload', 405],
    ['GET', '/etc/passwd', 404],
  ])('answers %s %s with %i', async (method, path, status) => {
    expect((await call(reflector.tcpPort, method, path)).status).toBe(status);
  });

  it('refuses an upload larger than the per-request maximum', async () => {
    const reply = await call(reflector.tcpPort, 'POST', '/upload', { body: Buffer.alloc(5 * 1024 * 1024) });
    expect(reply.status).toBe(413);
  });

  it('answers a QUIC Initial with Version Negotiation echoing the ids, and ignores a short datagram', async () => {
    const client = createSocket('udp4');
    client.bind(0, '127.0.0.1');
    await once(client, 'listening');
    const replies: Buffer[] = [];
    client.on('message', (message: Buffer) => replies.push(message));
    const ignoredDcid = Buffer.from('0000000000000001', 'hex');
    const dcid = Buffer.from('8394c8f03e515708', 'hex');
    const scid = Buffer.from('f00dfeed', 'hex');
    client.send(initialDatagram(ignoredDcid, scid, 600), reflector.udpPort, '127.0.0.1');
    client.send(initialDatagram(dcid, scid), reflector.udpPort, '127.0.0.1');
    await once(client, 'message');
    // Give a reply to the short datagram, were there one, time to arrive after the first.
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.close();
    expect(replies).toHaveLength(1);
    const header = parseLongHeader(replies[0] ?? Buffer.alloc(0));
    expect(header?.version).toBe(0);
    expect(header?.destinationConnectionId).toEqual(scid);
    expect(header?.sourceConnectionId).toEqual(dcid);
  });
});

describe('reflector limits', () => {
  it('refuses a client over its byte cap with 429 and Retry-After', async () => {
    const reflector = await startReflector(
      configWith({ bytesPerWindow: 100_000, windowSeconds: 600 }),
      silent,
    );
    try {
      expect((await call(reflector.tcpPort, 'GET', '/download?bytes=80000')).status).toBe(200);
      const refused = await call(reflector.tcpPort, 'GET', '/download?bytes=80000', {
        sni: 'e1.whatsapp.net.lab',
      });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(600);
      const overUpload = await call(reflector.tcpPort, 'POST', '/upload', { body: Buffer.alloc(50_000) });
      expect(overUpload.status).toBe(429);
    } finally {
      await reflector.close(1000);
    }
  });

  it('paces a download to the client rate cap', async () => {
    const rate = 256 * 1024;
    const reflector = await startReflector(
      configWith({ rateBytesPerSecond: rate, burstBytes: 16_384 }),
      silent,
    );
    try {
      const startedAt = performance.now();
      const reply = await call(reflector.tcpPort, 'GET', `/download?bytes=${384 * 1024}`);
      const seconds = (performance.now() - startedAt) / 1000;
      expect(reply.body.length).toBe(384 * 1024);
      // 368 KiB beyond the burst at 256 KiB/s is ≈1.44 s; only the lower bound matters.
      expect(seconds).toBeGreaterThan(1.0);
    } finally {
      await reflector.close(1000);
    }
  });

  it('drops connections beyond the per-client maximum and accepts again once one closes', async () => {
    const reflector = await startReflector(configWith({ maxConnectionsPerClient: 2 }), silent);
    try {
      const held = [tcpConnect(reflector.tcpPort, '127.0.0.1'), tcpConnect(reflector.tcpPort, '127.0.0.1')];
      await Promise.all(held.map((socket) => once(socket, 'connect')));
      // Connection counting happens on accept; a request over a held socket proves both were accepted.
      const extra = tcpConnect(reflector.tcpPort, '127.0.0.1');
      await once(extra, 'close');
      held[0]?.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await call(reflector.tcpPort, 'GET', '/')).status).toBe(200);
      held[1]?.destroy();
    } finally {
      await reflector.close(1000);
    }
  });

  /** A client trusting only `caPem` completes a handshake and sees the certificate the reflector logged. */
  async function expectTrustedBy(caPem: string, reflector: RunningReflector): Promise<void> {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: reflector.tcpPort,
      servername: 'reflector.example.lab',
      ca: caPem,
    });
    await once(socket, 'secureConnect');
    expect(socket.authorized).toBe(true);
    expect(socket.getPeerCertificate().fingerprint256).toBe(reflector.fingerprint);
    socket.destroy();
  }

  it('serves a certificate loaded from files', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'reflector-'));
    const ca = await createCertificateAuthority({ commonName: 'test CA' });
    const issued = await issueCertificate(ca, { names: ['reflector.example.lab'] });
    const certFile = join(directory, 'cert.pem');
    const keyFile = join(directory, 'key.pem');
    await writeFile(certFile, issued.chainPem);
    await writeFile(keyFile, issued.privateKeyPem);
    const reflector = await startReflector(configWith({}, { kind: 'files', certFile, keyFile }), silent);
    try {
      await expectTrustedBy(ca.certificatePem, reflector);
    } finally {
      await reflector.close(1000);
      await rm(directory, { recursive: true });
    }
  });

  it('serves a certificate given in memory (nothing written to disk)', async () => {
    const ca = await createCertificateAuthority({ commonName: 'test CA' });
    const issued = await issueCertificate(ca, { names: ['reflector.example.lab'] });
    const tls = { kind: 'pem', chainPem: issued.chainPem, privateKeyPem: issued.privateKeyPem } as const;
    const reflector = await startReflector(configWith({}, tls), silent);
    try {
      await expectTrustedBy(ca.certificatePem, reflector);
    } finally {
      await reflector.close(1000);
    }
  });

  it('stops accepting connections once closed', async () => {
    const reflector = await startReflector(configWith(), silent);
    const port = reflector.tcpPort;
    await reflector.close(1000);
    const socket = tcpConnect(port, '127.0.0.1');
    const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });
});
