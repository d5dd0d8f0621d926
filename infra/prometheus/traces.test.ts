import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labRound } from '@reachmap/aggregator/testing';
import { createApiKey } from '@reachmap/api';
import {
  createRedisConnection,
  type EmbeddedRedis,
  findFreeLoopbackPort,
  type RedisClient,
  startEmbeddedRedis,
} from '@reachmap/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent, enrolAndSubmit } from './testing/agent-submission.ts';
import { type ReceivedSpan, startOtlpReceiver } from './testing/otlp-receiver.ts';
import { type RoleProcess, startRole } from './testing/role-process.ts';

let dir: string;
let redisServer: EmbeddedRedis;
let redis: RedisClient;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
const roles: RoleProcess[] = [];
let collectorUrl: string;
let apiUrl: string;

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
  const apiPort = await findFreeLoopbackPort();
  collectorUrl = `http://127.0.0.1:${collectorPort}`;
  apiUrl = `http://127.0.0.1:${apiPort}`;
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
        // Windows of seconds, as in the lab, so a state opens within the test.
        REACHMAP_WINDOW: '3s',
        REACHMAP_EVALUATION_GRACE: '1s',
        REACHMAP_EVALUATE_EVERY: '300ms',
      },
      `http://127.0.0.1:${aggregatorPort}/metrics`,
    ),
    await startRole(
      'api',
      {
        ...common,
        REACHMAP_DATA_DIR: join(dir, 'api'),
        API_PORT: String(apiPort),
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      },
      `${apiUrl}/metrics`,
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

  it('carries the trace of the span that emitted an event to its webhook delivery and the receiver', async () => {
    const deliveries: IncomingHttpHeaders[] = [];
    const hookServer = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        deliveries.push(request.headers);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    try {
      const { secret } = await createApiKey(redis, { role: 'admin', label: 'traces test' });
      const hookPort = (hookServer.address() as AddressInfo).port;
      const created = await fetch(`${apiUrl}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `http://127.0.0.1:${hookPort}/hook` }),
      });
      expect(created.status).toBe(201);

      // Three agents in one region whose rounds see WhatsApp's SNI reset while the controls work:
      // a quorum, so the aggregator opens a block and emits block.started.
      const asns = [64501, 64502, 64503];
      const agents = await Promise.all(
        asns.map((asn) =>
          enrolAgent(collectorUrl, redis, { country: 'RU', region: 'RU-MOW', asn, network_type: 'fixed' }),
        ),
      );
      const deadline = Date.now() + 45_000;
      while (deliveries.length === 0 && Date.now() < deadline) {
        for (const [index, agent] of agents.entries()) {
          const round = labRound(
            { id: agent.id, region: 'RU-MOW', asn: asns[index] ?? 0 },
            Date.now() - 1_500,
            { target: 'sni-reset', controlsWork: true },
          );
          expect(await agent.submit(round)).toBe(202);
        }
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      const [delivery] = deliveries;
      expect(delivery?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const [, traceId, deliverSpanId] = String(delivery?.traceparent).split('-');

      const until = Date.now() + 15_000;
      const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
      while (!inTrace().some((span) => span.name === 'webhook.deliver') && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const emitted = inTrace().find((span) => span.name === 'aggregator.event');
      const delivered = inTrace().find((span) => span.name === 'webhook.deliver');
      expect(emitted).toMatchObject({ service: 'reachmap-aggregator' });
      expect(delivered).toMatchObject({
        service: 'reachmap-api',
        spanId: deliverSpanId,
        parentSpanId: emitted?.spanId,
      });
    } finally {
      await new Promise((resolve) => hookServer.close(() => resolve(undefined)));
    }
  }, 120_000);
});
