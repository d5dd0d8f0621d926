import https from 'node:https';
import { createCertificateAuthority, type IssuedCertificate, issueCertificate } from '@reachmap/pki';
import { HttpExchange } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeasurementClock } from '../clock.ts';
import { type LoopbackServer, listenOnLoopback } from '../testing/loopback-server.ts';
import { startSniFilteringServer } from '../testing/sni-filtering-server.ts';
import {
  startClosingTcpServer,
  startResettingTcpServer,
  startSilentTcpServer,
} from '../testing/tcp-servers.ts';
import {
  createLabHttpsServer,
  LAB_TARGET_TITLE,
  startBlockpageServer,
  startLabHttpsServer,
  startLabWebServer,
} from '../testing/web-servers.ts';
import { probeHttp } from './probe-http.ts';

let caPem: string;
let leaf: IssuedCertificate;
let web: LoopbackServer;
let secureWeb: LoopbackServer;
let blockpage: LoopbackServer;
let resetting: LoopbackServer;
let filtering: LoopbackServer;
const httpsBackend = () => createLabHttpsServer(leaf);

beforeAll(async () => {
  const ca = await createCertificateAuthority({ commonName: 'reachmap test CA' });
  caPem = ca.certificatePem;
  leaf = await issueCertificate(ca, { names: ['web.lab.test', 'blocked.lab.test'] });
  web = await startLabWebServer();
  secureWeb = await startLabHttpsServer(leaf);
  blockpage = await startBlockpageServer();
  resetting = await startResettingTcpServer();
  filtering = await startSniFilteringServer({
    blockedSni: 'blocked.lab.test',
    action: 'reset',
    backend: httpsBackend(),
  });
});

afterAll(async () => {
  await Promise.all([web, secureWeb, blockpage, resetting, filtering].map((server) => server.close()));
});

const context = (timeoutMs = 3000) => ({ clock: createMeasurementClock(), timeoutMs });

describe('probeHttp', () => {
  it('records a plain page with status, selected headers, body hash and title', async () => {
    const [exchange, ...rest] = await probeHttp({ url: `http://127.0.0.1:${web.port}/` }, {}, context());
    expect(rest).toEqual([]);
    expect(HttpExchange.parse(exchange)).toEqual(exchange);
    expect(exchange?.failure).toBeNull();
    expect(exchange?.response).toMatchObject({
      status: 200,
      headers: { server: 'reachmap-lab', 'content-type': 'text/html; charset=utf-8' },
      body_truncated: false,
      title: LAB_TARGET_TITLE,
      blockpage: null,
    });
    expect(exchange?.response?.body_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(exchange?.request.headers.host).toBe(`127.0.0.1:${web.port}`);
    expect(exchange?.t).toBeGreaterThanOrEqual(exchange?.t0 ?? Number.POSITIVE_INFINITY);
  });

  it('follows redirects and records every hop in order', async () => {
    const exchanges = await probeHttp({ url: `http://127.0.0.1:${web.port}/redirect` }, {}, context());
    expect(exchanges.map((exchange) => [exchange.hop, exchange.response?.status])).toEqual([
      [0, 302],
      [1, 200],
    ]);
    expect(exchanges[0]?.response?.headers.location).toBe('/');
    expect(exchanges[1]?.request.url).toBe(`http://127.0.0.1:${web.port}/`);
    expect(exchanges[1]?.response?.title).toBe(LAB_TARGET_TITLE);
  });

  it('turns POST into GET after a 303 and keeps it after a 307', async () => {
    const base = `http://127.0.0.1:${web.port}`;
    const seeOther = await probeHttp({ url: `${base}/see-other`, method: 'POST', body: 'x' }, {}, context());
    expect(seeOther.map((exchange) => exchange.request.method)).toEqual(['POST', 'GET']);
    const temporary = await probeHttp({ url: `${base}/temporary`, method: 'POST', body: 'x' }, {}, context());
    expect(temporary.map((exchange) => exchange.request.method)).toEqual(['POST', 'POST']);
  });

  it('stops after maxRedirects hops', async () => {
    const exchanges = await probeHttp(
      { url: `http://127.0.0.1:${web.port}/loop` },
      { maxRedirects: 3 },
      context(),
    );
    expect(exchanges.map((exchange) => exchange.hop)).toEqual([0, 1, 2, 3]);
  });

  it('records http_invalid_redirect for a Location outside http(s)', async () => {
    const exchanges = await probeHttp({ url: `http://127.0.0.1:${web.port}/leave` }, {}, context());
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.failure).toBe('http_invalid_redirect');
  });

  it('caps the body and marks it truncated', async () => {
    const [exchange] = await probeHttp(
      { url: `http://127.0.0.1:${web.port}/bytes?n=300000` },
      { bodyCapBytes: 100_000 },
      context(),
    );
    expect(exchange?.response).toMatchObject({ body_length: 100_000, body_truncated: true });
    const [whole] = await probeHttp({ url: `http://127.0.0.1:${web.port}/bytes?n=1000` }, {}, context());
    expect(whole?.response).toMatchObject({ body_length: 1000, body_truncated: false });
  });

  it('recognises the lab blockpage', async () => {
    const [exchange] = await probeHttp({ url: `http://127.0.0.1:${blockpage.port}/any/path` }, {}, context());
    expect(exchange?.response?.blockpage).toBe('lab-blockpage');
    expect(exchange?.response?.title).toBe('Access restricted (reachmap lab)');
  });

  it('connects to a chosen IP with the URL host as Host and SNI', async () => {
    const [exchange] = await probeHttp(
      { url: `https://web.lab.test:${secureWeb.port}/` },
      { connectIp: '127.0.0.1', ca: caPem },
      context(),
    );
    expect(exchange?.failure).toBeNull();
    expect(exchange?.request.headers.host).toBe(`web.lab.test:${secureWeb.port}`);
    expect(exchange?.response?.title).toBe(LAB_TARGET_TITLE);
  });

  it('records ssl_unknown_authority when the certificate is not trusted', async () => {
    const [exchange] = await probeHttp(
      { url: `https://web.lab.test:${secureWeb.port}/` },
      { connectIp: '127.0.0.1' },
      context(),
    );
    expect(exchange).toMatchObject({ response: null, failure: 'ssl_unknown_authority' });
  });

  it('records connection_reset when the SNI is reset, while another SNI on the same IP works', async () => {
    const [blocked] = await probeHttp(
      { url: `https://blocked.lab.test:${filtering.port}/` },
      { connectIp: '127.0.0.1', ca: caPem },
      context(),
    );
    expect(blocked).toMatchObject({ response: null, failure: 'connection_reset' });
    const [allowed] = await probeHttp(
      { url: `https://web.lab.test:${filtering.port}/` },
      { connectIp: '127.0.0.1', ca: caPem },
      context(),
    );
    expect(allowed?.response?.status).toBe(200);
  });

  it('records a reset server without throwing', async () => {
    const [exchange] = await probeHttp({ url: `http://127.0.0.1:${resetting.port}/` }, {}, context());
    expect(exchange?.response).toBeNull();
    expect(['connection_reset', 'eof_error']).toContain(exchange?.failure);
  });

  it('records eof_error when the server closes without answering', async () => {
    const closing = await startClosingTcpServer();
    try {
      const [exchange] = await probeHttp({ url: `http://127.0.0.1:${closing.port}/` }, {}, context());
      expect(exchange).toMatchObject({ response: null, failure: 'eof_error' });
    } finally {
      await closing.close();
    }
  });

  it('ends a fetch whose TLS handshake is dropped after its connect budget, not the whole one', async () => {
    const dropping = await startSniFilteringServer({
      blockedSni: 'blocked.lab.test',
      action: 'drop',
      backend: httpsBackend(),
    });
    try {
      const options = { connectIp: '127.0.0.1', ca: caPem, connectTimeoutMs: 300 };
      const [blocked] = await probeHttp(
        { url: `https://blocked.lab.test:${dropping.port}/` },
        options,
        context(20_000),
      );
      expect(blocked).toMatchObject({ response: null, failure: 'generic_timeout_error' });
      // Ended by the 0.3 s connect budget: the 20 s budget of the whole fetch would fail this.
      expect((blocked?.t ?? 0) - (blocked?.t0 ?? 0)).toBeLessThan(10);
      const [allowed] = await probeHttp(
        { url: `https://web.lab.test:${dropping.port}/` },
        options,
        context(),
      );
      expect(allowed?.response?.status).toBe(200);
    } finally {
      await dropping.close();
    }
  });

  it('lets a connected fetch outlast the connect budget while its response is slow', async () => {
    // The handshake completes at once; the answer (headers included) comes after 4× the connect budget.
    const slow = await listenOnLoopback(
      https.createServer({ cert: leaf.chainPem, key: leaf.privateKeyPem }, (_request, response) => {
        setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end('first last'), 800);
      }),
    );
    try {
      const [exchange] = await probeHttp(
        { url: `https://web.lab.test:${slow.port}/` },
        { connectIp: '127.0.0.1', ca: caPem, connectTimeoutMs: 200 },
        context(),
      );
      expect(exchange?.failure).toBeNull();
      expect(exchange?.response).toMatchObject({ status: 200, body_length: 'first last'.length });
      expect((exchange?.t ?? 0) - (exchange?.t0 ?? 0)).toBeGreaterThanOrEqual(0.75);
    } finally {
      await slow.close();
    }
  });

  it('records generic_timeout_error when the server never answers', async () => {
    const silent = await startSilentTcpServer();
    try {
      const [exchange] = await probeHttp({ url: `http://127.0.0.1:${silent.port}/` }, {}, context(400));
      expect(exchange).toMatchObject({ response: null, failure: 'generic_timeout_error' });
      expect((exchange?.t ?? 0) - (exchange?.t0 ?? 0)).toBeGreaterThanOrEqual(0.35);
    } finally {
      await silent.close();
    }
  });
});
