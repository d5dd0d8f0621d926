import { fileURLToPath } from 'node:url';
import { type Measurement, newPrefixedId } from '@reachmap/schema';
import { Queue } from 'bullmq';
import { benchNetworks, networkOfAgent } from '../bench-networks.ts';
import type { BenchRedis } from '../bench-redis.ts';
import { forEachConcurrently } from '../bounded-concurrency.ts';
import { ROUND_SIZE, roundMeasurements } from '../ingest/round-measurements.ts';
import { spawnNodeProcess, waitForProcess } from '../processes/node-process.ts';
import type { Progress } from '../progress.ts';
import { BASELINE_PREFIX, BASELINE_QUEUE } from './baseline-queue.ts';

export interface BaselineFigures {
  measurements: number;
  workers: number;
  concurrency: number;
  measurementsPerSecond: number;
}

const WORKER_ENTRY = fileURLToPath(new URL('./noop-worker.ts', import.meta.url));

/**
 * The naïve design reachmap is measured against: one BullMQ job per measurement, added with
 * `addBulk` per agent batch, taken by no-op workers in `workers` processes. Throughput = the same
 * measurements from first add to empty queue.
 */
export async function runBullmqBaseline(
  redis: BenchRedis,
  options: {
    measurements: number;
    batchSize: number;
    inFlight: number;
    workers: number;
    concurrency: number;
  },
  progress: Progress,
): Promise<BaselineFigures> {
  const networks = benchNetworks(5, 5);
  const batches: Measurement[][] = [];
  const roundsPerBatch = Math.max(1, Math.round(options.batchSize / ROUND_SIZE));
  for (let made = 0; made < options.measurements; made += roundsPerBatch * ROUND_SIZE) {
    const agent = { id: newPrefixedId('agt'), network: networkOfAgent(networks, batches.length) };
    batches.push(
      Array.from({ length: roundsPerBatch }, () => roundMeasurements(agent, Date.now() - 60_000)).flat(),
    );
  }
  const measurements = batches.reduce((sum, batch) => sum + batch.length, 0);
  const queue = new Queue<Measurement>(BASELINE_QUEUE, {
    connection: redis.client,
    prefix: BASELINE_PREFIX,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  });
  const workers = Array.from({ length: options.workers }, (_, index) =>
    spawnNodeProcess(`noop-worker-${index}`, WORKER_ENTRY, {
      REDIS_URL: redis.embedded.url,
      BASELINE_CONCURRENCY: String(options.concurrency),
    }),
  );
  try {
    for (const worker of workers) {
      await waitForProcess(worker, async () => (await queue.getWorkersCount()) >= workers.length);
    }
    progress(
      `baseline: ${measurements} jobs in ${batches.length} addBulk calls, ${workers.length} no-op workers`,
    );
    const started = performance.now();
    await forEachConcurrently(batches, options.inFlight, async (batch) => {
      await queue.addBulk(batch.map((measurement) => ({ name: 'measurement', data: measurement })));
    });
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((count) => count === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const measurementsPerSecond = measurements / ((performance.now() - started) / 1000);
    progress(`baseline: ${Math.round(measurementsPerSecond)} measurements/s`);
    return { measurements, workers: workers.length, concurrency: options.concurrency, measurementsPerSecond };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await queue.obliterate({ force: true });
    await queue.close();
  }
}
