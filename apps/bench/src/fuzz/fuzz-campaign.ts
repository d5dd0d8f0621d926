import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateAgentKeyPair, signRequest } from '@reachmap/agent-auth';
import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { createApiKey, startApi } from '@reachmap/api';
import { loopbackApiOptions } from '@reachmap/api/testing';
import { type CollectorLimits, startCollector } from '@reachmap/collector';
import { enrolOverHttp } from '@reachmap/collector/testing/enrol-over-http';
import { QUEUE_NAMES, queuePrefix } from '@reachmap/queue';
import { type Measurement, SubmissionResult } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { createLogger } from '@reachmap/telemetry';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { startBenchRedis } from '../bench-redis.ts';
import { percentile } from '../percentile.ts';
import {
  apiRequests,
  collectorRequests,
  type HostileRequest,
  inheritedNameSweep,
} from './hostile-requests.ts';

export interface FuzzReport {
  seed: number;
  /** Random requests sent (the count asked for, unless stopped early). */
  requests: number;
  /** Requests of the fixed sweep sent before them: inherited names in every field and parameter. */
  sweepRequests: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** 5xx answers other than the intended `503` with Retry-After (backpressure). */
  serverErrors: Array<{ request: string; status: number; body: string }>;
  /** Uncaught exceptions and unhandled rejections in the process running every server. */
  crashes: string[];
  peakRssBytes: number;
  healthzP99Ms: number;
  healthzSamples: number;
  /** Ids the collector accepted, and the runs the store counted for them: equal means exactly once. */
  accepted: number;
  counted: number;
  durationS: number;
}

const LIMITS: CollectorLimits = {
  maxWireBytes: 5 * 1024 ** 2,
  maxDecodedBytes: 20 * 1024 ** 2,
  agentRequestsPerMinute: 1_000_000,
  enrolmentsPerMinutePerAddress: 1_000_000,
  backpressure: { maxQueueDepth: 1_000_000, maxMemoryRatio: 0.95, retryAfterS: 1 },
};
const CHUNK = 200;
/** No answer may take longer; past it the request counts as a server failure. */
const REQUEST_BUDGET_MS = 10_000;

function isOpenStream(request: HostileRequest, error: unknown): boolean {
  return (
    request.kind === 'api' &&
    request.path.startsWith('/v1/stream') &&
    (error as Error).name === 'TimeoutError'
  );
}
const NETWORK = { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' } as const;

/**
 * Starts the collector, aggregator and API on one embedded Redis, sends `count` hostile requests
 * generated from `seed`, then waits for the queue to drain and checks that every accepted
 * measurement was counted exactly once.
 */
export async function runFuzzCampaign(options: {
  count: number;
  seed: number;
  concurrency?: number;
  /** Requests answered so far, of the sweep's and the random ones together. */
  onProgress?: (sent: number, total: number) => void;
  /** Ends the campaign early: no new request is sent, the rest (drain, count, report) runs as usual. */
  stop?: AbortSignal;
}): Promise<FuzzReport> {
  const crashes: string[] = [];
  const onCrash = (error: unknown) => crashes.push(String((error as Error)?.stack ?? error));
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const step = (what: string) => process.env.FUZZ_DEBUG && process.stderr.write(`fuzz: ${what}\n`);
  const redis = await startBenchRedis();
  step('redis');
  const dir = mkdtempSync(join(redis.dir, 'fuzz-'));
  const logger = createLogger({ name: 'fuzz', level: 'silent' });
  const collector = await startCollector({
    redis: redis.target,
    dataDir: join(dir, 'collector'),
    host: '127.0.0.1',
    port: 0,
    catalogue: async () => ({
      catalogue: { version: 'lab-1', environment: 'lab' },
      content_hash: 'sha256:fuzz',
    }),
    schedule: { interval_s: 300, jitter_s: 30, round_deadline_s: 240, concurrency: 8 },
    configRefreshS: 3600,
    limits: LIMITS,
    geoIpDatabases: [],
    shutdownGraceMs: 2_000,
    logger,
  });
  const aggregator = await startAggregator({
    redis: redis.target,
    config: AggregatorConfig.parse({
      REACHMAP_CONTROL_WAIT: '100ms',
      REACHMAP_CONTROL_WAIT_ATTEMPTS: 1,
      REACHMAP_EVALUATE_EVERY: '1h',
      REACHMAP_DATA_DIR: dir,
    }),
    archiveDir: join(dir, 'archive'),
    logger,
  });
  const api = await startApi(
    await loopbackApiOptions(redis.target, {
      access: {
        anonymousRead: true,
        perAddress: { limit: 1_000_000, windowMs: 60_000 },
        perKey: { limit: 1_000_000, windowMs: 60_000 },
      },
      // Hostile webhook URLs must meet the SSRF guard as production has it: no address allowed.
      webhooks: { allowedCidrs: [], secretOverlapMs: 3_600_000, timeoutMs: 1_000 },
      heartbeatMs: 200,
      evidencePath: join(dir, 'evidence.sqlite'),
      logger,
    }),
  );
  step('api');
  const admin = await createApiKey(redis.client, { role: 'admin', label: 'fuzz' });
  const document = (await (await fetch(`${api.url}/v1/openapi.json`)).json()) as Parameters<
    typeof apiRequests
  >[0];

  // One enrolled agent, whose valid measurements must all end up counted once.
  const { keys, enrolment } = await enrolOverHttp(
    (path, init) => globalThis.fetch(`${collector.url}${path}`, init),
    redis.client,
    NETWORK,
    { label: 'fuzz' },
  );
  const agentId = enrolment.agent_id;
  step(`enrolled ${agentId}`);
  const valid = (): Measurement =>
    sampleMeasurement({
      start_time: new Date(Date.now() - 60_000).toISOString(),
      agent: { id: agentId, software: { name: 'reachmap-agent', version: '0.1.0' } },
      network: NETWORK,
    });

  const statuses: Record<string, number> = {};
  const serverErrors: FuzzReport['serverErrors'] = [];
  const accepted = new Set<string>();
  let lastSigned: { headers: Record<string, string>; body: Buffer } | null = null;

  const send = async (request: HostileRequest): Promise<void> => {
    let response: Response;
    // Every answer within the budget; an event stream that stays open (its purpose) is cut here too.
    const signal = AbortSignal.timeout(REQUEST_BUDGET_MS);
    const fetch = (url: string, init: RequestInit) => globalThis.fetch(url, { ...init, signal });
    if (request.kind === 'api') {
      response = await fetch(`${api.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === null ? {} : { body: request.body }),
      });
    } else if (request.kind === 'raw-collector') {
      response = await fetch(`${collector.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === null || request.method === 'GET' ? {} : { body: request.body }),
      });
    } else if (request.kind === 'replay') {
      if (lastSigned === null) return;
      response = await fetch(`${collector.url}/v1/measurements`, {
        method: 'POST',
        headers: lastSigned.headers,
        body: lastSigned.body,
      });
    } else if (request.kind === 'forged') {
      const stranger = generateAgentKeyPair();
      const body = Buffer.from(request.body);
      const headers = signRequest(
        { method: 'POST', path: '/v1/measurements', body },
        agentId,
        stranger.privateKey,
      );
      response = await fetch(`${collector.url}/v1/measurements`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    } else {
      const json = Buffer.from(
        JSON.stringify({
          measurements: request.items,
          ...(request.spoolDropped === null ? {} : { spool_dropped: request.spoolDropped }),
        }) ?? 'null',
      );
      const body = request.gzip ? gzipSync(json) : json;
      const headers = {
        'content-type': 'application/json',
        ...(request.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...signRequest({ method: 'POST', path: '/v1/measurements', body }, agentId, keys.privateKey),
      };
      lastSigned = { headers, body };
      response = await fetch(`${collector.url}/v1/measurements`, { method: 'POST', headers, body });
    }
    // An event stream that opened is what it is for; it is closed here instead of held to the budget.
    if (response.status === 200 && response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response.body?.cancel();
      statuses.stream_open = (statuses.stream_open ?? 0) + 1;
      return;
    }
    const text = await response.text();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    // A replay racing its original can win the nonce; then the replay's answer holds the accepted ids.
    if (response.status === 202 && (request.kind === 'submit' || request.kind === 'replay')) {
      for (const id of SubmissionResult.parse(JSON.parse(text)).accepted) accepted.add(id);
    }
    const intended = response.status === 503 && response.headers.get('retry-after') !== null;
    if (response.status >= 500 && !intended && serverErrors.length < 20) {
      serverErrors.push({
        request: JSON.stringify(request).slice(0, 500),
        status: response.status,
        body: text.slice(0, 500),
      });
    } else if (response.status >= 500 && !intended) {
      serverErrors.push({ request: '(more)', status: response.status, body: '' });
    }
  };

  // /healthz latency and the process's memory, sampled throughout.
  const healthz: number[] = [];
  let peakRss = process.memoryUsage().rss;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const started = performance.now();
      await fetch(`${collector.url}/healthz`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      healthz.push(performance.now() - started);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();

  const started = Date.now();
  const hostile = fc.oneof(
    { weight: 2, arbitrary: collectorRequests(valid) },
    { weight: 1, arbitrary: apiRequests(document, admin.secret) },
  );
  // Generated a chunk at a time, so a long campaign never holds its whole corpus in memory; the
  // lanes pull from it without waiting for each other at chunk ends.
  const sweep = inheritedNameSweep(valid, document, admin.secret);
  let swept = 0;
  let taken = 0;
  let chunk = 0;
  let pending: HostileRequest[] = [];
  const nextRequest = (): HostileRequest | undefined => {
    if (options.stop?.aborted === true) return undefined;
    if (swept < sweep.length) return sweep[swept++];
    if (taken >= options.count) return undefined;
    if (pending.length === 0) {
      const size = Math.min(CHUNK, options.count - taken);
      pending = fc.sample(hostile, { numRuns: size, seed: options.seed + chunk });
      chunk += 1;
    }
    taken += 1;
    return pending.shift();
  };
  let sent = 0;
  const lane = async () => {
    for (let request = nextRequest(); request !== undefined; request = nextRequest()) {
      try {
        await send(request);
      } catch (error) {
        if (isOpenStream(request, error)) {
          statuses.stream_open = (statuses.stream_open ?? 0) + 1;
        } else {
          // A dropped connection is a server failure seen from outside.
          statuses.network_error = (statuses.network_error ?? 0) + 1;
          serverErrors.push({
            request: JSON.stringify(request).slice(0, 300),
            status: 0,
            body: String(error),
          });
        }
      }
      sent += 1;
      options.onProgress?.(sent, sweep.length + options.count);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, lane));
    step(`sent ${sent}`);
    const queue = new Queue(QUEUE_NAMES.ingest, { connection: redis.client, prefix: queuePrefix(0) });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((count) => count === 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await queue.close();
  } finally {
    sampling = false;
    await sampler;
  }
  const counted = await countedRuns(redis.client);
  await Promise.all([api.close(), collector.close(), aggregator.stop()]);
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  return {
    seed: options.seed,
    requests: sent - swept,
    sweepRequests: swept,
    statuses,
    serverErrors,
    crashes,
    peakRssBytes: peakRss,
    healthzP99Ms: percentile(healthz, 99),
    healthzSamples: healthz.length,
    accepted: accepted.size,
    counted,
    durationS: (Date.now() - started) / 1000,
  };
}

/** Runs counted in the country's daily rollups of agent data: one per measurement counted. */
async function countedRuns(redis: Awaited<ReturnType<typeof startBenchRedis>>['client']): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', '{rm:p0}:roll:1d-*:RU:*:agent', 'COUNT', 1000);
    cursor = next;
    for (const key of keys) total += Number((await redis.hget(key, 'runs')) ?? 0);
  } while (cursor !== '0');
  return total;
}
