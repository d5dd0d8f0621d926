import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestRedis } from '@reachmap/queue/testing';
import { sampleValue } from '@reachmap/telemetry';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, appendEvent, bearer, sampleEvent, startTestApi } from '../testing/api-harness.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers with `respond(n)` for the n-th request (1-based). */
async function startReceiver(respond: (n: number) => number = () => 204, host = '127.0.0.1') {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = respond(received.length);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host}:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What the injected resolver answers per name: tests change it between registration and delivery. */
const dnsAnswers = new Map<string, string>();

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startTestApi(redis.server, redis.redis, {
    // The production schedule scaled down from seconds/hours to milliseconds.
    webhooks: {
      allowedCidrs: [['127.0.0.0', 8]],
      secretOverlapMs: 3_600_000,
      timeoutMs: 5_000,
      retryDelaysMs: [50, 50, 50, 50, 50, 50, 50],
      resolveHost: async (hostname) => {
        const address = dnsAnswers.get(hostname);
        if (address === undefined)
          throw Object.assign(new Error(`no test answer for ${hostname}`), { code: 'ENOTFOUND' });
        return [{ address, family: address.includes(':') ? 6 : 4 }];
      },
    },
  });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(async () => {
  await harness.stop();
  await redis.stop();
});

async function createHook(url: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${harness.api.url}/v1/webhooks`, {
    method: 'POST',
    headers: { ...bearer(harness.adminKey), 'content-type': 'application/json' },
    body: JSON.stringify({ url, ...extra }),
  });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { id: string; secret: string };
  // Deleted after the test, so later events do not reach this test's (closed) receiver.
  cleanups.push(async () => {
    await fetch(`${harness.api.url}/v1/webhooks/${created.id}`, {
      method: 'DELETE',
      headers: bearer(harness.adminKey),
    });
  });
  return created;
}

async function getHook(id: string) {
  const response = await fetch(`${harness.api.url}/v1/webhooks/${id}`, { headers: bearer(harness.adminKey) });
  return (await response.json()) as { enabled: boolean; disabled_reason: string | null };
}

async function deliveries(id: string) {
  const response = await fetch(`${harness.api.url}/v1/webhooks/${id}/deliveries`, {
    headers: bearer(harness.adminKey),
  });
  return ((await response.json()) as { deliveries: Array<Record<string, unknown>> }).deliveries;
}

/** Polls the delivery log until it has an entry (the worker records every attempt). */
async function waitForAttempts(id: string) {
  const deadline = Date.now() + 8000;
  for (;;) {
    const entries = await deliveries(id);
    if (entries.length > 0) return entries;
    if (Date.now() > deadline) throw new Error(`no delivery attempt of ${id} in time`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function headersOf(received: Received): Record<string, string> {
  return Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
      name,
      String(received.headers[name]),
    ]),
  );
}

describe('webhook deliveries', () => {
  it('delivers an event with Standard Webhooks headers that the standardwebhooks package verifies', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const hook = await createHook(receiver.url, { filters: { countries: ['RU'] } });
    expect(hook.secret).toMatch(/^whsec_/);
    const event = sampleEvent();
    await appendEvent(redis.redis, event);

    const [delivery] = await waitFor(() => receiver.received.length > 0 && receiver.received);
    if (delivery === undefined) throw new Error('no delivery');
    const payload = new StandardWebhook(hook.secret).verify(delivery.body, headersOf(delivery)) as {
      type: string;
      data: { id: string };
    };
    expect(payload.type).toBe('block.started');
    expect(payload.data.id).toBe(event.id);
    expect(delivery.headers['webhook-id']).toBe(event.id);
    // A wrong secret must not verify: the signature really depends on the key.
    expect(() =>
      new StandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').verify(
        delivery.body,
        headersOf(delivery),
      ),
    ).toThrow();
  });

  it('does not deliver events outside the filters', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    await createHook(receiver.url, { filters: { countries: ['IR'], min_confidence: 0.5 } });
    await appendEvent(redis.redis, sampleEvent({ scope: 'RU-MOW' }));
    await appendEvent(redis.redis, sampleEvent({ scope: 'IR-07', confidence: 0.2 }));
    await appendEvent(redis.redis, sampleEvent({ scope: 'IR-07', simulated: true }));
    const wanted = sampleEvent({ scope: 'IR-07' });
    await appendEvent(redis.redis, wanted);
    await waitFor(() => receiver.received.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.map((entry) => entry.headers['webhook-id'])).toEqual([wanted.id]);
  });

  it('retries a failing receiver and delivers each event exactly once successfully', async () => {
    const failures = 3;
    const receiver = await startReceiver((n) => (n <= failures ? 503 : 200));
    cleanups.push(receiver.close);
    const hook = await createHook(receiver.url);
    const event = sampleEvent({ scope: 'AS64500' });
    await appendEvent(redis.redis, event);

    await waitFor(() => receiver.received.length >= failures + 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(failures + 1);
    expect(new Set(receiver.received.map((entry) => entry.headers['webhook-id']))).toEqual(
      new Set([event.id]),
    );
    const attempts = await deliveries(hook.id);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['succeeded', 'failed', 'failed', 'failed']);
    expect(attempts.map((attempt) => attempt.attempt)).toEqual([4, 3, 2, 1]);
    expect(attempts[1]).toMatchObject({ response_status: 503, error: 'the endpoint answered HTTP 503' });
    expect((await getHook(hook.id)).enabled).toBe(true);
  });

  it('counts attempts by outcome and serves the backlog in /metrics', async () => {
    const metric = async (name: string, labels: Record<string, string>) =>
      sampleValue(await (await fetch(`${harness.api.url}/metrics`)).text(), name, labels) ?? 0;
    const attempts = 'reachmap_webhook_deliveries_total';
    const delivered = { outcome: 'delivered' };
    const failed = { outcome: 'failed' };
    const [deliveredBefore, failedBefore] = [
      await metric(attempts, delivered),
      await metric(attempts, failed),
    ];
    const receiver = await startReceiver((n) => (n === 1 ? 503 : 200));
    cleanups.push(receiver.close);
    await createHook(receiver.url);
    await appendEvent(redis.redis, sampleEvent());
    await waitFor(() => receiver.received.length >= 2);
    // The worker counts after it has read the response, a moment after the receiver saw the request.
    const deadline = Date.now() + 5000;
    while ((await metric(attempts, delivered)) === deliveredBefore && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await metric(attempts, delivered)).toBe(deliveredBefore + 1);
    expect(await metric(attempts, failed)).toBe(failedBefore + 1);
    expect(await metric('reachmap_queue_jobs', { queue: 'webhook-deliveries', state: 'waiting' })).toBe(0);
    const created = { method: 'POST', route: '/v1/webhooks', status: '201' };
    expect(await metric('reachmap_api_request_duration_seconds_count', created)).toBeGreaterThan(0);
  });

  it('disables an endpoint that answers 410 Gone, without retrying', async () => {
    const receiver = await startReceiver(() => 410);
    cleanups.push(receiver.close);
    const hook = await createHook(receiver.url);
    await appendEvent(redis.redis, sampleEvent());
    await waitFor(() => receiver.received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(1);
    const state = await getHook(hook.id);
    expect(state.enabled).toBe(false);
    expect(state.disabled_reason).toContain('410');
  });

  it('disables an endpoint with the reason once every attempt of the schedule failed', async () => {
    const receiver = await startReceiver(() => 500);
    cleanups.push(receiver.close);
    const hook = await createHook(receiver.url);
    await appendEvent(redis.redis, sampleEvent());
    await waitFor(() => receiver.received.length === 8);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(8);
    const state = await getHook(hook.id);
    expect(state.enabled).toBe(false);
    expect(state.disabled_reason).toContain('8 delivery attempts failed');
  });

  it('signs with both the old and the new secret during a rotation overlap', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const hook = await createHook(receiver.url);
    const rotated = await fetch(`${harness.api.url}/v1/webhooks/${hook.id}/rotate-secret`, {
      method: 'POST',
      headers: bearer(harness.adminKey),
    });
    const { secret: newSecret, active_secrets } = (await rotated.json()) as {
      secret: string;
      active_secrets: number;
    };
    expect(active_secrets).toBe(2);
    expect(newSecret).not.toBe(hook.secret);

    const test = await fetch(`${harness.api.url}/v1/webhooks/${hook.id}/test`, {
      method: 'POST',
      headers: bearer(harness.adminKey),
    });
    expect(await test.json()).toMatchObject({ outcome: 'succeeded', response_status: 204, trigger: 'test' });
    const [delivery] = receiver.received;
    if (delivery === undefined) throw new Error('no delivery');
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [hook.secret, newSecret]) {
      expect(new StandardWebhook(secret).verify(delivery.body, headersOf(delivery))).toMatchObject({
        type: 'webhook.test',
      });
    }
  });

  it('redelivers an event on request, with the same webhook-id', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const hook = await createHook(receiver.url);
    const event = sampleEvent();
    await appendEvent(redis.redis, event);
    await waitFor(() => receiver.received.length === 1);
    const [attempt] = await deliveries(hook.id);
    const response = await fetch(
      `${harness.api.url}/v1/webhooks/${hook.id}/deliveries/${String(attempt?.id)}/redeliver`,
      {
        method: 'POST',
        headers: bearer(harness.adminKey),
      },
    );
    expect(response.status).toBe(202);
    await waitFor(() => receiver.received.length === 2);
    expect(receiver.received.map((entry) => entry.headers['webhook-id'])).toEqual([event.id, event.id]);
  });

  it('sends Slack-compatible bodies when asked', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    await createHook(receiver.url, { format: 'slack' });
    await appendEvent(redis.redis, sampleEvent({ scope: 'RU-SPE', target: 'telegram' }));
    const [delivery] = await waitFor(() => receiver.received.length > 0 && receiver.received);
    expect(JSON.parse(String(delivery?.body))).toEqual({
      text: expect.stringContaining('telegram in RU-SPE'),
    });
  });

  it('connects to the address it vetted, not to what the system resolver would say', async () => {
    // The system resolves "localhost" to 127.0.0.1 (or ::1); the vetted answer is 127.0.0.2, where the
    // receiver listens. Delivery only succeeds if the socket uses the vetted address.
    const receiver = await startReceiver(() => 204, '127.0.0.2');
    cleanups.push(receiver.close);
    dnsAnswers.set('localhost', '127.0.0.2');
    const hook = await createHook(`http://localhost:${receiver.port}/hook`);
    await appendEvent(redis.redis, sampleEvent());
    await waitFor(() => receiver.received.length === 1);
    expect((await deliveries(hook.id))[0]).toMatchObject({ outcome: 'succeeded' });
  });

  it('vets the name again at delivery and refuses an answer that moved to a forbidden address', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    dnsAnswers.set('rebinding.reachmap.test', '127.0.0.1');
    const hook = await createHook(`http://rebinding.reachmap.test:${receiver.port}/hook`);
    // Only 127.0.0.0/8 is allowlisted: ::1 is refused before any connection is made.
    dnsAnswers.set('rebinding.reachmap.test', '::1');
    await appendEvent(redis.redis, sampleEvent());
    const log = await waitForAttempts(hook.id);
    expect(log[0]).toMatchObject({
      outcome: 'refused',
      response_status: null,
      error: expect.stringContaining('::1'),
    });
    expect(receiver.received).toHaveLength(0);
  });
});
