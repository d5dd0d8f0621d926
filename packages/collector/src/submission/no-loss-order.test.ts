import { join } from 'node:path';
import {
  createRedisConnection,
  type EmbeddedRedis,
  type RedisClient,
  startEmbeddedRedis,
  waitUntilReady,
} from '@reachmap/queue';
import { ErrorBody, SubmissionResult } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent, type Harness, startHarness } from '../testing/collector-harness.ts';
import { type IngestQueue, openIngestQueue } from './ingest-queue.ts';

let harness: Harness;
let fullRedis: EmbeddedRedis;
let fullConnection: RedisClient;
let fullQueue: IngestQueue;
beforeAll(async () => {
  harness = await startHarness();
  fullRedis = await startEmbeddedRedis({ dataDir: join(harness.dir, 'full-redis') });
  fullConnection = createRedisConnection(
    { kind: 'single', url: fullRedis.url },
    'producer',
    'collector-test-full',
  );
  await waitUntilReady(fullConnection);
  fullQueue = openIngestQueue(fullConnection);
  await fullQueue.getJobCounts();
  // With noeviction and a 1-byte maxmemory every write is refused (OOM) while reads still work.
  await fullConnection.config('SET', 'maxmemory', '1');
});
afterAll(async () => {
  await fullQueue.close();
  fullConnection.disconnect();
  await fullRedis.stop();
  await harness.close();
});

describe('no-loss ordering', () => {
  it('answers 503 when the enqueue fails and does not mark the ids seen, so the re-send is accepted', async () => {
    const healthy = harness.build();
    const failing = harness.build({ queue: fullQueue });
    const agent = await enrolAgent(healthy, harness.redis);
    const batch = { measurements: [agent.measurement(), agent.measurement()] };
    const body = Buffer.from(JSON.stringify(batch));
    const refused = await failing.request('/v1/measurements', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...agent.sign('POST', '/v1/measurements', body) },
      body,
    });
    expect(refused.status).toBe(503);
    expect(ErrorBody.parse(await refused.json()).error.code).toBe('enqueue_failed');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const resent = SubmissionResult.parse(await (await agent.send('POST', '/v1/measurements', batch)).json());
    expect(resent.accepted).toEqual(batch.measurements.map((m) => m.id));
    expect(resent.duplicates).toEqual([]);
  });

  it('answers 503, not 500, when Redis itself refuses writes', async () => {
    const collector = harness.build();
    const agent = await enrolAgent(collector, harness.redis);
    await harness.redis.config('SET', 'maxmemory', '1');
    try {
      const response = await agent.send('POST', '/v1/measurements', { measurements: [agent.measurement()] });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).not.toBeNull();
    } finally {
      await harness.redis.config('SET', 'maxmemory', '0');
    }
  });
});
