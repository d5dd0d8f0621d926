import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRedisConnection,
  type EmbeddedRedis,
  findFreeLoopbackPort,
  type RedisClient,
  startEmbeddedRedis,
} from '@reachmap/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAndSubmit } from './testing/agent-submission.ts';
import { type ReceivedSpan, startOtlpReceiver } from './testing/otlp-receiver.ts';
import { type RoleProcess, startRole } from './testing/role-process.ts';

let dir: string;
let redisServer: EmbeddedRedis;
let redis: RedisClient;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
const roles: RoleProcess[] = [];
let collectorUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reachmap-traces-'));
  redisServer = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  redis = createRedisConnection({ kind: 'single', url: redisServer.url }, 'producer', 'traces-test');
  receiver = await startOtlpReceiver();
  // Only the standard variables: where to send, in which encoding, and a short batch delay.
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
  const common = { ...otel, REDIS_URL: redisServer.url, LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
  const collectorPort = await findFreeLoopbackPort();
  const aggregatorPort = await findFreeLoopbackPort();
  collectorUrl = `http://127.0.0.1:${collectorPort}`;
  roles.push(
    await startRole(
      'collector',
      { ...common, REACHMAP_DATA_DIR: join(dir, 'collector'), COLLECTOR_PORT: String(collectorPort) },
      `${collectorUrl}/metrics`,
    ),
    await startRole(
      'aggregator',
      {
        ...common,
        REACHMAP_DATA_DIR: join(dir, 'aggregator'),
        AGGREGATOR_METRICS_PORT: String(aggregatorPort),
      },
      `http://127.0.0.1:${aggregatorPort}/metrics`,
    ),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(roles.map((role) => role.stop()));
  await receiver?.close();
  redis?.disconnect();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('traces reaching a real OTLP/HTTP receiver', () => {
  it('joins the agent submission, the collector and the aggregator in one trace by W3C trace context', async () => {
    // The agent's side of the hand-off: its submit span's context in a traceparent header.
    const traceId = randomBytes(16).toString('hex');
    const agentSpanId = randomBytes(8).toString('hex');
    const status = await enrolAndSubmit(collectorUrl, redis, {
      traceparent: `00-${traceId}-${agentSpanId}-01`,
    });
    expect(status).toBe(202);

    const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
    const deadline = Date.now() + 30_000;
    while (!inTrace().some((span) => span.name === 'aggregator.ingest') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));

    const spans = inTrace();
    const named = (name: string): ReceivedSpan | undefined => spans.find((span) => span.name === name);
    const submit = named('collector.submit');
    const ingest = named('aggregator.ingest');
    expect(submit).toMatchObject({ service: 'reachmap-collector', parentSpanId: agentSpanId });
    expect(ingest).toMatchObject({ service: 'reachmap-aggregator', parentSpanId: submit?.spanId });
  }, 90_000);
});
