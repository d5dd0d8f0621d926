// Test fixture: a real redis-server, the ingest queue on it, and collector apps wired to them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type AgentKeyPair, signRequest } from '@reachmap/agent-auth';
import {
  createRedisConnection,
  type EmbeddedRedis,
  type RedisClient,
  startEmbeddedRedis,
  waitUntilReady,
} from '@reachmap/queue';
import type { AgentNetwork, EnrollResponse, Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { createLogger } from '@reachmap/telemetry';
import type { AgentFiles } from '../agent-files/agent-files.ts';
import { type CollectorDeps, createCollectorApp } from '../app.ts';
import type { GeoIpLookup } from '../geoip/geoip-lookup.ts';
import type { CollectorLimits } from '../routes/route-deps.ts';
import { type CollectorSigningKey, loadOrCreateCollectorKey } from '../signing/collector-key.ts';
import { type IngestQueue, openIngestQueue } from '../submission/ingest-queue.ts';
import { enrolOverHttp } from './enrol-over-http.ts';

export const TEST_LIMITS: CollectorLimits = {
  maxWireBytes: 5 * 1024 ** 2,
  maxDecodedBytes: 20 * 1024 ** 2,
  agentRequestsPerMinute: 10_000,
  enrolmentsPerMinutePerAddress: 10_000,
  backpressure: { maxQueueDepth: 100_000, maxMemoryRatio: 0.95, retryAfterS: 30 },
};

export const TEST_CATALOGUE = {
  catalogue: { version: 'lab-1', environment: 'lab' },
  content_hash: 'sha256:test',
};

export const DECLARED_NETWORK: AgentNetwork = {
  country: 'RU',
  region: 'RU-MOW',
  asn: 64500,
  network_type: 'fixed',
};

/** Bindings as @hono/node-server passes them, so the app sees a peer address under app.request(). */
export const LOOPBACK_PEER = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };

export interface BuildOptions {
  limits?: Partial<CollectorLimits>;
  geoIp?: GeoIpLookup | null;
  addressEchoUrl?: string | null;
  /** Another ingest queue, e.g. on a Redis that refuses writes. */
  queue?: IngestQueue;
  /** Another catalogue document than TEST_CATALOGUE (which lists no targets). */
  catalogue?: Record<string, unknown>;
  agentFiles?: AgentFiles | null;
  publicUrl?: string | null;
}

export interface Harness {
  dir: string;
  embedded: EmbeddedRedis;
  redis: RedisClient;
  queue: IngestQueue;
  signingKey: CollectorSigningKey;
  build(options?: BuildOptions): TestCollector;
  close(): Promise<void>;
}

export type TestCollector = ReturnType<typeof createCollectorApp> & {
  /** app.request with the loopback peer bindings. */
  request(path: string, init?: RequestInit): Promise<Response>;
};

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'reachmap-collector-'));
  const embedded = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  const redis = createRedisConnection({ kind: 'single', url: embedded.url }, 'producer', 'collector-test');
  redis.on('error', () => {});
  await waitUntilReady(redis);
  const queue = openIngestQueue(redis);
  const signingKey = loadOrCreateCollectorKey(join(dir, 'data'));
  const logger = createLogger({ name: 'collector-test', level: 'silent' });
  return {
    dir,
    embedded,
    redis,
    queue,
    signingKey,
    build(options = {}) {
      const deps: CollectorDeps = {
        redis,
        queue: options.queue ?? queue,
        config: {
          schedule: { interval_s: 300, jitter_s: 30, round_deadline_s: 240, concurrency: 8 },
          refreshS: 3600,
          catalogue: async () => options.catalogue ?? TEST_CATALOGUE,
          signingKey,
        },
        limits: {
          ...TEST_LIMITS,
          ...options.limits,
          backpressure: { ...TEST_LIMITS.backpressure, ...options.limits?.backpressure },
        },
        geoIp: options.geoIp ?? null,
        addressEchoUrl: options.addressEchoUrl ?? null,
        agentFiles: options.agentFiles ?? null,
        publicUrl: options.publicUrl ?? null,
        logger,
      };
      const built = createCollectorApp(deps);
      return { ...built, request: async (path, init) => await built.app.request(path, init, LOOPBACK_PEER) };
    },
    async close() {
      await queue.close();
      redis.disconnect();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestAgent {
  id: string;
  keys: AgentKeyPair;
  enrolment: EnrollResponse;
  /** A valid measurement of this agent that started a minute ago. */
  measurement(overrides?: Partial<Measurement>): Measurement;
  /** Signs and sends a request; `body` objects are JSON-encoded, `gzip` compresses before signing. */
  send(
    method: string,
    path: string,
    body?: unknown,
    options?: { gzip?: boolean; headers?: Record<string, string>; signedAt?: number },
  ): Promise<Response>;
  /** The signed headers and bytes of a request, for replaying it. */
  sign(method: string, path: string, body: Buffer, signedAt?: number): Record<string, string>;
}

export async function enrolAgent(
  collector: TestCollector,
  redis: RedisClient,
  network: AgentNetwork = DECLARED_NETWORK,
  /** A token made by the test, e.g. a simulated one; a fresh real-agent token otherwise. */
  givenToken?: string,
): Promise<TestAgent> {
  const { keys, enrolment } = await enrolOverHttp(
    (path, init) => collector.request(path, init),
    redis,
    network,
    { label: 'test', ...(givenToken === undefined ? {} : { token: givenToken }) },
  );
  const id = enrolment.agent_id;
  const sign = (method: string, path: string, body: Buffer, signedAt?: number) =>
    signRequest({ method, path, body }, id, keys.privateKey, signedAt);
  return {
    id,
    keys,
    enrolment,
    sign,
    measurement: (overrides = {}) =>
      sampleMeasurement({
        start_time: new Date(Date.now() - 60_000).toISOString(),
        agent: { id, software: { name: 'reachmap-agent', version: '0.1.0' } },
        network,
        ...overrides,
      }),
    async send(method, path, body, options = {}) {
      const json =
        body === undefined
          ? Buffer.alloc(0)
          : Buffer.isBuffer(body)
            ? body
            : Buffer.from(JSON.stringify(body));
      const wire = options.gzip === true ? gzipSync(json) : json;
      const headers: Record<string, string> = {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.gzip === true ? { 'content-encoding': 'gzip' } : {}),
        ...sign(method, path, wire, options.signedAt),
        ...options.headers,
      };
      return await collector.request(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: wire }),
      });
    },
  };
}
