import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPublicKey, generateAgentKeyPair, signRequest } from '@reachmap/agent-auth';
import {
  createRedisConnection,
  type EmbeddedRedis,
  type RedisClient,
  startEmbeddedRedis,
} from '@reachmap/queue';
import { EnrollResponse, SubmissionResult } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { createLogger } from '@reachmap/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrolmentToken } from './admin/create-token.ts';
import { COLLECTOR_KEY_FILE } from './signing/collector-key.ts';
import { type RunningCollector, startCollector } from './start-collector.ts';
import { DECLARED_NETWORK, TEST_CATALOGUE, TEST_LIMITS } from './testing/collector-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'reachmap-collector-server-'));
let embedded: EmbeddedRedis;
let admin: RedisClient;
beforeAll(async () => {
  embedded = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  admin = createRedisConnection({ kind: 'single', url: embedded.url }, 'producer', 'collector-test-admin');
});
afterAll(async () => {
  admin.disconnect();
  await embedded.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(): Promise<RunningCollector> {
  return startCollector({
    redis: { kind: 'single', url: embedded.url },
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    port: 0,
    catalogue: async () => TEST_CATALOGUE,
    schedule: { interval_s: 300, jitter_s: 30, round_deadline_s: 240, concurrency: 8 },
    configRefreshS: 3600,
    limits: TEST_LIMITS,
    geoIpDatabases: [],
    shutdownGraceMs: 10_000,
    logger: createLogger({ name: 'collector-test', level: 'silent' }),
  });
}

describe('startCollector', () => {
  it('serves the agent API over HTTP, keeps its key private, and finishes in-flight requests on close', async () => {
    const collector = await start();
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
    expect(statSync(join(dir, 'data', COLLECTOR_KEY_FILE)).mode & 0o777).toBe(0o600);

    const keys = generateAgentKeyPair();
    const { token } = await createEnrolmentToken(admin, { label: 'server', expiresInMs: 60_000 });
    const enrolled = await fetch(`${collector.url}/v1/agents/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        public_key: exportPublicKey(keys.publicKey),
        network: DECLARED_NETWORK,
        software: { name: 'reachmap-agent', version: '0.1.0' },
      }),
    });
    expect(enrolled.status).toBe(201);
    const { agent_id } = EnrollResponse.parse(await enrolled.json());

    // A submission whose body is still arriving when close() is called must complete.
    const measurement = sampleMeasurement({
      start_time: new Date(Date.now() - 60_000).toISOString(),
      agent: { id: agent_id, software: { name: 'reachmap-agent', version: '0.1.0' } },
    });
    const body = Buffer.from(JSON.stringify({ measurements: [measurement] }));
    const headers = signRequest(
      { method: 'POST', path: '/v1/measurements', body },
      agent_id,
      keys.privateKey,
    );
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(body.subarray(0, 10));
        await held;
        controller.enqueue(body.subarray(10));
        controller.close();
      },
    });
    const inFlight = fetch(`${collector.url}/v1/measurements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = collector.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(fetch(`${collector.url}/healthz`)).rejects.toThrow();
    release();
    const response = await inFlight;
    expect(response.status).toBe(202);
    expect(SubmissionResult.parse(await response.json()).accepted).toEqual([measurement.id]);
    await closed;
  });

  it('keeps its signing key across restarts', async () => {
    const first = await start();
    const keyOf = async (collector: RunningCollector) => {
      const { token } = await createEnrolmentToken(admin, { label: 'restart', expiresInMs: 60_000 });
      const response = await fetch(`${collector.url}/v1/agents/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token,
          public_key: exportPublicKey(generateAgentKeyPair().publicKey),
          network: DECLARED_NETWORK,
          software: { name: 'reachmap-agent', version: '0.1.0' },
        }),
      });
      return EnrollResponse.parse(await response.json()).collector_public_key;
    };
    const before = await keyOf(first);
    await first.close();
    const second = await start();
    expect(await keyOf(second)).toBe(before);
    await second.close();
  });
});

describe('client aborts', () => {
  it('counts a client that disconnects mid-body as client_aborted, never as a 5xx', async () => {
    const collector = await start();
    try {
      const { port } = new URL(collector.url);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(
            'POST /v1/agents/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"token":',
          );
          setTimeout(() => socket.destroy(), 200);
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      let metrics = '';
      const deadline = Date.now() + 5_000;
      while (!metrics.includes('client_aborted') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        metrics = await (await fetch(`${collector.url}/metrics`)).text();
      }
      expect(metrics).toContain(
        'reachmap_collector_rejected_total{reason="client_aborted",role="collector"} 1',
      );
      expect(metrics).not.toMatch(/status="5\d\d"/);
    } finally {
      await collector.close();
    }
  });
});
