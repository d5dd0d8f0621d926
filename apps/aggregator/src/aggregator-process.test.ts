import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIngestQueue } from '@reachmap/collector';
import { EvidenceStore } from '@reachmap/evidence';
import { startTestRedis } from '@reachmap/queue/testing';
import { MAX_BATCH_MEASUREMENTS, type Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { countDeadLetters, readSeries, StoreConfig } from '@reachmap/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, 'main.ts');
const NETWORK = { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' } as const;
const store = StoreConfig.parse({});

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let dir: string;
beforeAll(async () => {
  redis = await startTestRedis();
  dir = mkdtempSync(join(tmpdir(), 'reachmap-aggregator-process-'));
});
afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The aggregator as operators run it: its own process, configured by the environment. `extraEnv` lets a
 * worker that is going to be killed hold its classified job in memory (a long flush linger), so the kill
 * always lands mid-job: a job is counted in one atomic flush, never in parts.
 */
function startAggregatorProcess(extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: {
      ...process.env,
      ...extraEnv,
      REDIS_URL: redis.server.url,
      REACHMAP_DATA_DIR: dir,
      AGGREGATOR_METRICS_PORT: '0',
      REACHMAP_EVALUATE_EVERY: '1h',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('aggregator process', () => {
  it('re-runs a job whose worker is killed with SIGKILL twice mid-job and counts each measurement once', async () => {
    // A full batch of controls (counted at once, no round to wait for), as the collector queues it.
    const start = Date.now() - 60_000;
    const measurements: Measurement[] = Array.from({ length: MAX_BATCH_MEASUREMENTS }, (_, index) =>
      sampleMeasurement({
        start_time: new Date(start - index).toISOString(),
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
    const ids = measurements.map((measurement) => measurement.id);
    const queue = openIngestQueue(redis.redis);
    const batchId = 'bat_stalltest000000000001';
    await queue.add(
      'ingest',
      {
        batch_id: batchId,
        agent_id: (measurements[0] as Measurement).agent.id,
        received_at: new Date().toISOString(),
        measurements,
        trace: {},
      },
      { jobId: batchId },
    );
    // Runs in the rollups: one per measurement counted so far.
    const countedSoFar = async () => {
      const points = await readSeries(redis.redis, store, {
        scope: 'RU',
        target: 'control-domestic',
        fromMs: start - 2 * 3_600_000,
        toMs: Date.now() + 3_600_000,
        granularity: '1h',
      });
      return points.reduce((sum, point) => sum + point.runs, 0);
    };

    // Twice: a worker takes the job, classifies it, holds it for its flush, and dies without a word.
    const countedAtKill: number[] = [];
    for (const round of [1, 2]) {
      const worker = startAggregatorProcess({ REACHMAP_FLUSH_LINGER: '10m' });
      try {
        // The first worker takes the job at once; the next finds it only after the dead one's lock
        // expires and its stalled-job check moves the job back to waiting (BullMQ: 30 s each).
        // Taken by this worker: active, and started once more than before (a stalled job stays
        // "active" until the check moves it back, so the state alone would not tell).
        await until(
          async () =>
            (await queue.getJobState(batchId)) === 'active' &&
            ((await queue.getJob(batchId))?.attemptsStarted ?? 0) >= round,
          `worker ${round} taking the job`,
          120_000,
        );
        // Long enough to classify 500 measurements and reach the linger, far shorter than the lock.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      } finally {
        await killHard(worker);
      }
      countedAtKill.push(await countedSoFar());
    }
    // Each kill came mid-job: the job was taken, nothing of it written, and it is still active (stalled).
    expect(countedAtKill).toEqual([0, 0]);
    expect(await queue.getJobState(batchId)).toBe('active');

    const survivor = startAggregatorProcess();
    try {
      // Completed jobs are deleted at once (`removeOnComplete`): the job's end is its disappearance.
      const completed = async () => {
        const state = await queue.getJobState(batchId);
        if (state === 'failed') {
          throw new Error(`the job failed: ${(await queue.getJob(batchId))?.failedReason}`);
        }
        return state === 'unknown';
      };
      await until(completed, 'the job to complete', 150_000);
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
      // Exactly once: the two partial runs and the whole one add up to one run per measurement.
      expect(await countedSoFar()).toBe(ids.length);
      // …and each is in the evidence store once, written by whichever process counted it.
      const evidence = EvidenceStore.open(join(dir, 'evidence.sqlite'));
      const missing = ids.filter((id) => evidence.get(id) === null);
      evidence.close();
      expect(missing).toEqual([]);
      expect(await countDeadLetters(redis.redis)).toBe(0);
    } finally {
      await killHard(survivor);
      await queue.close();
    }
  }, 400_000);
});
