import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAgentSubmitter } from '@reachmap/agent/testing';
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
import { enrolAgent } from './testing/agent-submission.ts';
import { type ReceivedSpan, startOtlpReceiver } from './testing/otlp-receiver.ts';
import { type RoleProcess, startRole } from './testing/role-process.ts';

let dir: string;
let redisServer: EmbeddedRedis;
let redis: RedisClient;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
const roles: RoleProcess[] = [];
let collectorUrl: string;
let apiUrl: string;
let otel: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reachmap-traces-'));
  redisServer = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  redis = createRedisConnection({ kind: 'single', url: redisServer.url }, 'producer', 'traces-test');
  receiver = await startOtlpReceiver();
  // Only the standard variables: where to send (in the default encoding, http/protobuf) and a short batch delay.
  otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
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
  it('follows a batch from the agent submit through collector, queue, aggregator and event to its webhook delivery in one trace', async () => {
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
      // a quorum, so the aggregator opens a block and emits block.started. Each sends through the
      // agent's own spool and submitter, which puts a fresh traceparent on every submission.
      const asns = [64501, 64502, 64503];
      const agents = await Promise.all(
        asns.map(async (asn) => {
          const enrolled = await enrolAgent(collectorUrl, redis, {
            country: 'RU',
            region: 'RU-MOW',
            asn,
            network_type: 'fixed',
          });
          const agent = await openAgentSubmitter({
            collectorUrl,
            agentId: enrolled.id,
            privateKey: enrolled.privateKey,
            stateDir: join(dir, 'agents', enrolled.id),
            env: otel,
          });
          return { ...agent, id: enrolled.id, asn };
        }),
      );
      const deadline = Date.now() + 45_000;
      while (deliveries.length === 0 && Date.now() < deadline) {
        for (const agent of agents) {
          await agent.spool.append(
            labRound({ id: agent.id, region: 'RU-MOW', asn: agent.asn }, Date.now() - 1_500, {
              target: 'sni-reset',
              controlsWork: true,
            }),
          );
          expect(await agent.submitter.submitOnce()).toMatchObject({ kind: 'delivered' });
        }
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      await Promise.all(agents.map((agent) => agent.spool.close()));
      const [delivery] = deliveries;
      expect(delivery?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const [, traceId, deliverSpanId] = String(delivery?.traceparent).split('-');

      const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
      const named = (name: string): ReceivedSpan[] => inTrace().filter((span) => span.name === name);
      const path = [
        'webhook.deliver',
        'aggregator.event',
        'aggregator.ingest',
        'collector.submit',
        'agent.submit',
      ];
      const until = Date.now() + 15_000;
      while (path.some((name) => named(name).length === 0) && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 100));

      // Each step's parent is the step before it, all under the trace id the agent chose.
      const [delivered] = named('webhook.deliver');
      const [emitted] = named('aggregator.event');
      expect(delivered).toMatchObject({ service: 'reachmap-api', spanId: deliverSpanId });
      expect(emitted).toMatchObject({ service: 'reachmap-aggregator', spanId: delivered?.parentSpanId });
      const ingest = named('aggregator.ingest').find((span) => span.spanId === emitted?.parentSpanId);
      expect(ingest).toMatchObject({ service: 'reachmap-aggregator' });
      const submit = named('collector.submit').find((span) => span.spanId === ingest?.parentSpanId);
      expect(submit).toMatchObject({ service: 'reachmap-collector' });
      // The collector continued the agent's traceparent: its parent is the agent's own span, which
      // the agent exported (OTLP/JSON) because the same OTEL_* variables are set for it.
      const agentSpan = named('agent.submit').find((span) => span.spanId === submit?.parentSpanId);
      expect(agentSpan).toMatchObject({ service: 'reachmap-agent', parentSpanId: '' });

      // The other ingests that counted into the scope are links of the event span, not lost.
      const ingestSpanIds = new Set(
        receiver.spans.filter((span) => span.name === 'aggregator.ingest').map((span) => span.spanId),
      );
      for (const link of emitted?.links ?? []) expect(ingestSpanIds).toContain(link.spanId);

      // The roles' exporters sent their default encoding (protobuf), the agent JSON; both were decoded.
      expect(receiver.requests.get('application/x-protobuf')).toBeGreaterThan(0);
      expect(receiver.requests.get('application/json')).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => hookServer.close(() => resolve(undefined)));
    }
  }, 120_000);
});
