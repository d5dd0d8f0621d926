import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeHttpServer } from './close-http-server.ts';
import { DEFAULT_HTTP_TIMEOUTS, listenHttp } from './listen-http.ts';

const fetch = () => new Response('ok');

/** Opens a raw connection, writes `bytes`, and resolves with what the server sent before it closed. */
async function trickle(url: string, bytes: string): Promise<{ answer: string; elapsedMs: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return await new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, elapsedMs: Date.now() - started }));
  });
}

describe('listenHttp', () => {
  it('applies bounded header, request and keep-alive timeouts by default', async () => {
    const { server } = await listenHttp({ fetch, host: '127.0.0.1', port: 0 });
    try {
      expect(server).toMatchObject({
        headersTimeout: DEFAULT_HTTP_TIMEOUTS.headersMs,
        requestTimeout: DEFAULT_HTTP_TIMEOUTS.requestMs,
        keepAliveTimeout: DEFAULT_HTTP_TIMEOUTS.keepAliveMs,
      });
    } finally {
      await closeHttpServer(server, { graceMs: 1_000 });
    }
  });

  it('answers 408 and closes a connection whose headers never finish (slow loris)', async () => {
    const { server, url } = await listenHttp({
      fetch,
      host: '127.0.0.1',
      port: 0,
      timeouts: { headersMs: 300, requestMs: 600 },
    });
    try {
      const { answer, elapsedMs } = await trickle(url, 'GET / HTTP/1.1\r\nHost: x\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(elapsedMs).toBeLessThan(5_000);
    } finally {
      await closeHttpServer(server, { graceMs: 1_000 });
    }
  });
});
