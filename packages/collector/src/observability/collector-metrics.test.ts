import { sampleValue } from '@reachmap/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../testing/collector-harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => await harness.close());

async function scrape(): Promise<string> {
  return await (await harness.build().request('/metrics')).text();
}

describe('collector metrics', () => {
  it('reports the age of the oldest waiting ingest job, not of the newest', async () => {
    const ingest = { queue: 'ingest' };
    expect(sampleValue(await scrape(), 'reachmap_queue_oldest_waiting_age_seconds', ingest)).toBe(0);
    await harness.queue.add('ingest', { batch_id: 'bat_oldest' } as never, { jobId: 'bat_oldest' });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await harness.queue.add('ingest', { batch_id: 'bat_newest' } as never, { jobId: 'bat_newest' });
    const text = await scrape();
    expect(sampleValue(text, 'reachmap_queue_oldest_waiting_age_seconds', ingest)).toBeGreaterThanOrEqual(
      1.2,
    );
    expect(sampleValue(text, 'reachmap_queue_jobs', { ...ingest, state: 'waiting' })).toBe(2);
  });

  it('serves Redis memory next to the admission ratio the alert compares it with', async () => {
    await harness.redis.config('SET', 'maxmemory', String(512 * 1024 * 1024));
    const text = await scrape();
    expect(sampleValue(text, 'reachmap_redis_memory_max_bytes')).toBe(512 * 1024 * 1024);
    expect(sampleValue(text, 'reachmap_redis_memory_used_bytes')).toBeGreaterThan(0);
    expect(sampleValue(text, 'reachmap_collector_admission_memory_ratio')).toBe(0.95);
  });
});
