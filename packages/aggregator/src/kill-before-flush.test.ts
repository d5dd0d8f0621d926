import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  createRedisConnection,
  type EmbeddedRedis,
  QUEUE_NAMES,
  queuePrefix,
  type RedisClient,
  startEmbeddedRedis,
} from '@reachmap/queue';
import type { IngestJobData, Measurement } from '@reachmap/schema';
import { countedHourOf, readSeries, StoreConfig, storeKeys } from '@reachmap/store';
import { createLogger } from '@reachmap/telemetry';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregatorConfig } from './aggregator-config.ts';
import { type Aggregator, startAggregator } from './start-aggregator.ts';
import { labAgent, labRound } from './test-measurements.ts';

const HOUR_MS = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
const JOBS = 5;
const CHILD = fileURLToPath(new URL('./testing/aggregator-process.ts', import.meta.url));
const store = StoreConfig.parse({});

let server: EmbeddedRedis;
let redis: RedisClient;
let queue: Queue<IngestJobData>;
let dir: string;
let child: ChildProcess | undefined;
let restarted: Aggregator | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reachmap-kill-flush-'));
  server = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  redis = createRedisConnection({ kind: 'single', url: server.url }, 'worker');
  queue = new Queue<IngestJobData>(QUEUE_NAMES.ingest, { connection: redis, prefix: queuePrefix(0) });
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await restarted?.stop();
  await queue.close();
  redis.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** JSON log lines of the child, as they come. */
function startChild(env: Record<string, string>): { process: ChildProcess; messages: string[] } {
  const messages: string[] = [];
  const process_ = spawn(process.execPath, [CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let rest = '';
  process_.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      try {
        messages.push(String((JSON.parse(line) as { msg?: unknown }).msg));
      } catch {
        // Not a log line.
      }
    }
  });
  return { process: process_, messages };
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function archivedIds(archiveDir: string): string[] {
  const ids: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    else
      for (const line of gunzipSync(readFileSync(path)).toString('utf8').split('\n'))
        if (line !== '') ids.push(JSON.parse(line).id);
  };
  walk(archiveDir);
  return ids;
}

async function hourOf(scope: string, target: string) {
  const [point] = await readSeries(redis, store, {
    scope,
    target,
    fromMs: T0,
    toMs: T0 + 1,
    granularity: '1h',
  });
  return point;
}

describe('an aggregator killed with SIGKILL between merging jobs in memory and their flush', () => {
  it('loses none of their measurements and counts none twice once another aggregator takes over', async () => {
    const archiveDir = join(dir, 'archive');
    // The flush waits 10 minutes for more jobs to join it: long enough to kill the process in between.
    const killed = startChild({
      REDIS_URL: server.url,
      REACHMAP_DATA_DIR: dir,
      REACHMAP_ARCHIVE_DIR: archiveDir,
      REACHMAP_FLUSH_LINGER: '10m',
      REACHMAP_EVALUATE_EVERY: '1h',
      AGGREGATOR_CONCURRENCY: String(JOBS),
      LOG_LEVEL: 'debug',
    });
    child = killed.process;
    const measurements: Measurement[] = [];
    for (let n = 1; n <= JOBS; n += 1) {
      const round = labRound(labAgent(n, 'RU-MOW', 64500), T0 + n * 1_000, {
        target: 'sni-reset',
        controlsWork: true,
      });
      measurements.push(...round);
      await queue.add(
        'ingest',
        {
          batch_id: `bat_killflush${String(n).padStart(10, '0')}`,
          agent_id: round[0].agent.id,
          received_at: new Date().toISOString(),
          measurements: round,
          trace: {},
        },
        { jobId: `bat_killflush${String(n).padStart(10, '0')}`, attempts: 5 },
      );
    }
    const classified = () =>
      killed.messages.filter((msg) => msg === 'batch classified, waiting for its flush');
    await waitFor(() => classified().length === JOBS, `${JOBS} jobs classified in the child`, 60_000);
    expect(killed.messages).not.toContain('flushing merged jobs');
    expect((await hourOf('RU-MOW', 'whatsapp'))?.runs ?? 0).toBe(0);

    const exited = new Promise((resolve) => killed.process.once('exit', resolve));
    killed.process.kill('SIGKILL');
    await exited;
    child = undefined;

    // The jobs stay active under the dead worker's locks until BullMQ finds them stalled (~30-60 s).
    restarted = await startAggregator({
      redis: { kind: 'single', url: server.url },
      config: AggregatorConfig.parse({ REACHMAP_EVALUATE_EVERY: '1h' }),
      logger: createLogger({ name: 'aggregator-restarted', level: 'silent' }),
      archiveDir,
      evidencePath: join(dir, 'evidence.sqlite'),
    });
    await waitFor(
      async () => ((await queue.getJobCounts('completed')).completed ?? 0) === JOBS,
      'every job completed by the restarted aggregator',
      110_000,
    );
    expect((await queue.getJobCounts('failed')).failed).toBe(0);

    const target = await hourOf('RU-MOW', 'whatsapp');
    expect(target?.runs).toBe(JOBS);
    expect(target?.counts).toEqual({ blocked: JOBS });
    expect((await hourOf('AS64500', 'whatsapp'))?.runs).toBe(JOBS);
    expect((await hourOf('RU', 'control-domestic-ru'))?.counts).toEqual({ ok: JOBS });
    for (const measurement of measurements) {
      const marker = storeKeys(0).counted(countedHourOf(measurement.start_time));
      expect(await redis.sismember(marker, measurement.id), measurement.id).toBe(1);
    }
    const archived = archivedIds(archiveDir);
    expect(archived.sort()).toEqual(measurements.map((m) => m.id).sort());
  }, 180_000);
});
