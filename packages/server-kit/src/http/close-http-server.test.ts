import { Agent, get, type IncomingMessage, type Server } from 'node:http';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHttpServer } from './close-http-server.ts';
import { listenHttp } from './listen-http.ts';

const agents: Agent[] = [];
afterEach(() => {
  for (const agent of agents.splice(0)) agent.destroy();
});

function request(url: string, agent: Agent): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, { agent }, resolve).on('error', reject));
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
    });
    response.on('end', () => resolve(text));
    response.on('error', reject);
  });
}

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true });
  agents.push(agent);
  return agent;
}

describe('listenHttp', () => {
  it('listens on a free loopback port and reports its URL', async () => {
    const app = new Hono().get('/', (c) => c.text('here'));
    const { server, url } = await listenHttp({ fetch: app.fetch, host: '127.0.0.1', port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await readBody(await request(`${url}/`, keepAliveAgent()))).toBe('here');
    await closeHttpServer(server, { graceMs: 1_000 });
  });
});

describe('closeHttpServer', () => {
  it('lets an in-flight request finish, then ends its keep-alive connection without waiting for the idle timeout', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => {};
    const requestStarted = new Promise<void>((resolve) => (started = resolve));
    const app = new Hono().get('/', async (c) => {
      started();
      await released;
      return c.text('finished');
    });
    const { server, url } = await listenHttp({ fetch: app.fetch, host: '127.0.0.1', port: 0 });
    // Far beyond the test's timeout: only the idle sweep can end this connection in time, because
    // server.close() alone ends only connections that are already idle when it is called.
    (server as Server).keepAliveTimeout = 120_000;
    const inFlight = request(`${url}/`, keepAliveAgent());
    await requestStarted;
    let graceExpired = false;
    const closed = closeHttpServer(server, { graceMs: 60_000, onGraceExpired: () => (graceExpired = true) });
    await expect(request(`${url}/`, new Agent())).rejects.toThrow();
    release();
    const response = await inFlight;
    expect(response.statusCode).toBe(200);
    expect(await readBody(response)).toBe('finished');
    await closed;
    expect(graceExpired).toBe(false);
  }, 20_000);

  it('cuts a connection that is still busy when the grace period ends', async () => {
    const app = new Hono().get(
      '/',
      () =>
        new Response(
          new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode(':\n')) }),
        ),
    );
    const { server, url } = await listenHttp({ fetch: app.fetch, host: '127.0.0.1', port: 0 });
    const response = await request(`${url}/`, keepAliveAgent());
    const ended = new Promise<void>((resolve) => response.on('close', resolve));
    response.resume();
    let graceExpired = 0;
    await closeHttpServer(server, { graceMs: 300, onGraceExpired: () => graceExpired++ });
    await ended;
    expect(graceExpired).toBe(1);
  }, 20_000);
});
