import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPublicKey, generateAgentKeyPair, signRequest } from '@reachmap/agent-auth';
import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { createEnrolmentToken, startCollector } from '@reachmap/collector';
import { EvidenceStore } from '@reachmap/evidence';
import {
  createRedisConnection,
  QUEUE_NAMES,
  queuePrefix,
  startEmbeddedRedis,
  waitUntilReady,
} from '@reachmap/queue';
import { type EnrollResponse, SubmissionResult } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { createLogger } from '@reachmap/telemetry';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';

const NETWORK = { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' } as const;
const MAX_MEMORY = 24 * 1024 ** 2;

describe('memory admission', () => {
  it('fills Redis to the admission threshold; the aggregator then counts every accepted measurement without an operator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reachmap-admission-'));
    const redis = await startEmbeddedRedis({ dataDir: join(dir, 'redis'), maxMemoryBytes: MAX_MEMORY });
    const target = { kind: 'single', url: redis.url } as const;
    const client = createRedisConnection(target, 'worker', 'admission-test');
    await waitUntilReady(client);
    const logger = createLogger({ name: 'admission', level: 'silent' });
    const collector = await startCollector({
      redis: target,
      dataDir: join(dir, 'collector'),
      host: '127.0.0.1',
      port: 0,
      catalogue: async () => ({ catalogue: { version: 'lab-1' }, content_hash: 'sha256:t' }),
      schedule: { interval_s: 300, jitter_s: 30, round_deadline_s: 240, concurrency: 8 },
      configRefreshS: 3600,
      limits: {
        maxWireBytes: 5 * 1024 ** 2,
        maxDecodedBytes: 20 * 1024 ** 2,
        agentRequestsPerMinute: 1_000_000,
        enrolmentsPerMinutePerAddress: 1_000,
        backpressure: { maxQueueDepth: 1_000_000, maxMemoryRatio: 0.9, retryAfterS: 1 },
      },
      geoIpDatabases: [],
      shutdownGraceMs: 1_000,
      logger,
    });
    try {
      const keys = generateAgentKeyPair();
      const { token } = await createEnrolmentToken(client, { label: 'fill', expiresInMs: 60_000 });
      const enrolled = (await (
        await fetch(`${collector.url}/v1/agents/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            token,
            public_key: exportPublicKey(keys.publicKey),
            network: NETWORK,
            software: { name: 'reachmap-agent', version: '0.1.0' },
          }),
        })
      ).json()) as EnrollResponse;
      const agent = { id: enrolled.agent_id, software: { name: 'reachmap-agent', version: '0.1.0' } };

      // The aggregator is down: submit until the collector pushes back for memory.
      const accepted: string[] = [];
      for (let batch = 0; batch < 2000; batch += 1) {
        const measurements = Array.from({ length: 100 }, (_, index) =>
          sampleMeasurement({
            start_time: new Date(Date.now() - 60_000 - index).toISOString(),
            agent,
            network: NETWORK,
            target: {
              id: 'control-domestic',
              kind: 'control',
              control: 'domestic',
              input: null,
              catalogue_version: 'lab-1',
            },
          }),
        );
        const body = Buffer.from(JSON.stringify({ measurements }));
        const response = await fetch(`${collector.url}/v1/measurements`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...signRequest({ method: 'POST', path: '/v1/measurements', body }, agent.id, keys.privateKey),
          },
          body,
        });
        if (response.status === 503) {
          expect(((await response.json()) as { error: { details: unknown } }).error.details).toEqual({
            reason: 'redis_memory',
          });
          break;
        }
        expect(response.status).toBe(202);
        accepted.push(...SubmissionResult.parse(await response.json()).accepted);
      }
      expect(accepted.length).toBeGreaterThan(1000);

      const aggregator = await startAggregator({
        redis: target,
        config: AggregatorConfig.parse({ REACHMAP_EVALUATE_EVERY: '1h' }),
        archiveDir: join(dir, 'archive'),
        evidencePath: join(dir, 'evidence.sqlite'),
        logger,
      });
      const queue = new Queue(QUEUE_NAMES.ingest, { connection: client, prefix: queuePrefix(0) });
      try {
        const deadline = Date.now() + 90_000;
        let counts: Record<string, number> = {};
        while (Date.now() < deadline) {
          counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
          if (counts.waiting === 0 && counts.active === 0 && counts.delayed === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        // No job waits in `delayed` after an OOM, none failed: counted without anyone raising maxmemory.
        expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
        const evidence = EvidenceStore.open(join(dir, 'evidence.sqlite'));
        const missing = accepted.filter((id) => evidence.get(id) === null);
        evidence.close();
        expect(missing).toEqual([]);
      } finally {
        await queue.close();
        await aggregator.stop();
      }
    } finally {
      await collector.close();
      client.disconnect();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
