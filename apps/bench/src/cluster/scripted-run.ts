import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRedisConnection,
  parseRedisTarget,
  QUEUE_NAMES,
  queuePrefix,
  waitUntilReady,
} from '@reachmap/queue';
import type { AgentNetwork, IngestJobData, Measurement, ScopeLevel } from '@reachmap/schema';
import { newPrefixedId } from '@reachmap/schema';
import { readEvents, readScopeStates, readSeries, StoreConfig } from '@reachmap/store';
import { Queue } from 'bullmq';
import { ROUND_TARGET_IDS, roundMeasurements } from '../ingest/round-measurements.ts';

const WINDOW_MS = 60_000;
const GRACE_MS = 5_000;
const WINDOWS = 5;
/**
 * Windows in which WhatsApp and Telegram time out in RU and IR; clean afterwards, so blocks open and
 * close. TR stays clean: the targets failing in every network of three countries at once would be the
 * targets down, not blocked (docs/state-machine.md, "Target outages"), and no block would open.
 */
const BLOCKED_WINDOWS = 2;
const NETWORKS: Array<AgentNetwork & { blocks: boolean }> = [
  { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed', blocks: true },
  { country: 'RU', region: 'RU-SPE', asn: 64501, network_type: 'mobile', blocks: true },
  { country: 'IR', region: 'IR-23', asn: 64510, network_type: 'fixed', blocks: true },
  { country: 'TR', region: 'TR-34', asn: 64520, network_type: 'fixed', blocks: false },
];
// @reachmap/rollup needs 4 valid runs per window (`minValidRuns`); one round per agent and window.
const AGENTS_PER_NETWORK = 4;

/** The same measurements for every run: one job per agent round, grouped by window. */
export interface ScriptedInput {
  startMs: number;
  windows: IngestJobData[][];
}

export function scriptedInput(): ScriptedInput {
  const startMs = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS - 2 * 3_600_000;
  const agents = NETWORKS.flatMap(({ blocks, ...network }) =>
    Array.from({ length: AGENTS_PER_NETWORK }, () => ({ id: newPrefixedId('agt'), network, blocks })),
  );
  const windows = Array.from({ length: WINDOWS }, (_, window) =>
    agents.map((agent, index): IngestJobData => {
      const roundStart = startMs + window * WINDOW_MS + 10_000 + index * 100;
      const measurements: Measurement[] = roundMeasurements(
        agent,
        roundStart,
        agent.blocks && window < BLOCKED_WINDOWS ? 0.25 : 0,
      );
      return {
        batch_id: newPrefixedId('bat'),
        agent_id: agent.id,
        received_at: new Date(roundStart + 5_000).toISOString(),
        measurements,
        trace: {},
      };
    }),
  );
  return { startMs, windows };
}

interface ScriptedAggregator {
  request(message: object, answerKey: string): Promise<unknown>;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./scripted-aggregator.ts', import.meta.url));

function forkAggregator(env: Record<string, string>): Promise<ScriptedAggregator> {
  const child: ChildProcess = fork(ENTRY, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request = (message: object, answerKey: string) =>
    new Promise<unknown>((resolve, reject) => {
      const onMessage = (answer: Record<string, unknown>) => {
        if ('error' in answer) reject(new Error(String(answer.error)));
        else if (answerKey in answer) resolve(answer[answerKey]);
        else return;
        child.off('message', onMessage);
      };
      child.on('message', onMessage);
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`scripted aggregator exited with ${code} before it was ready`)),
    );
    // A start that hangs is ended with its test: a child left running keeps vitest from exiting.
    child.once('error', reject);
    child.once('message', () =>
      resolve({
        request,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.send({ stop: true });
          }),
      }),
    );
  });
}

/**
 * Every aggregator, or none: when one fails to start, those that did are stopped before the error
 * is thrown. A started one left behind kept running and held the test run open (vitest waited on it).
 */
async function startAll(starting: Promise<ScriptedAggregator>[]): Promise<ScriptedAggregator[]> {
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed === undefined) return started;
  await Promise.all(started.map((aggregator) => aggregator.stop()));
  throw failed.reason;
}

/** What a run leaves in the store, with nothing that differs between two equal runs (event ids). */
export interface RunOutcome {
  rollups: Record<string, { runs: number; counts: object; agents: number }>;
  states: Record<string, object[]>;
  events: object[];
}

function withoutEventIds(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_, field) =>
    typeof field === 'string' && field.startsWith('evt_') ? 'evt_*' : field,
  );
}

/**
 * Runs the scripted input through `aggregators` real aggregator processes against `redisUrl` (a
 * single node or a `redis+cluster://` seed list, parsed by the processes' own config): each window's
 * jobs are queued as the collector queues them, counted, then every process is asked to evaluate the
 * closed window at the same scripted instant.
 */
export async function runScripted(
  redisUrl: string,
  options: { partitions: number; aggregators: number; input: ScriptedInput },
): Promise<RunOutcome> {
  const { startMs, windows } = options.input;
  const target = parseRedisTarget(redisUrl);
  const redis = createRedisConnection(target, 'worker', 'reachmap-cluster-test');
  await waitUntilReady(redis);
  const queue = new Queue<IngestJobData>(QUEUE_NAMES.ingest, { connection: redis, prefix: queuePrefix(0) });
  // One directory for everything the aggregators write (archive, evidence store with SQLite's -wal and
  // -shm), removed as one.
  const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-scripted-'));
  const store = StoreConfig.parse({ partitions: options.partitions });
  const env = {
    REDIS_URL: redisUrl,
    REACHMAP_PARTITIONS: String(options.partitions),
    REACHMAP_ARCHIVE_DIR: join(dataDir, 'archive'),
    REACHMAP_EVIDENCE_DB: join(dataDir, 'evidence.sqlite'),
    REACHMAP_WINDOW: `${WINDOW_MS / 1000}s`,
    REACHMAP_EVALUATION_GRACE: `${GRACE_MS / 1000}s`,
    REACHMAP_EVALUATE_EVERY: '1h',
    REACHMAP_CATCH_UP_WINDOWS: '1',
    LOG_LEVEL: 'warn',
    SCRIPTED_CLOCK_START: String(startMs),
  };
  const aggregators = await startAll(Array.from({ length: options.aggregators }, () => forkAggregator(env)));
  const setClock = (now: number) =>
    Promise.all(aggregators.map((aggregator) => aggregator.request({ clock: now }, 'clockSet')));
  try {
    for (const [window, jobs] of windows.entries()) {
      await setClock(startMs + window * WINDOW_MS + 30_000);
      await queue.addBulk(jobs.map((data) => ({ name: 'ingest', data, opts: { jobId: data.batch_id } })));
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
        if (counts.failed) throw new Error(`${counts.failed} ingest jobs failed`);
        if (Object.values(counts).every((count) => count === 0)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await setClock(startMs + (window + 1) * WINDOW_MS + GRACE_MS + 1_000);
      await Promise.all(aggregators.map((aggregator) => aggregator.request({ evaluate: true }, 'evaluated')));
    }

    const rollups: RunOutcome['rollups'] = {};
    const scopes = NETWORKS.flatMap((network) => [
      network.country,
      network.region ?? network.country,
      `AS${network.asn}`,
    ]);
    for (const scope of new Set(scopes)) {
      for (const targetId of ROUND_TARGET_IDS) {
        const points = await readSeries(redis, store, {
          scope,
          target: targetId,
          fromMs: startMs,
          toMs: startMs + WINDOWS * WINDOW_MS,
          granularity: '5m',
        });
        for (const point of points) {
          if (point.runs > 0)
            rollups[`${scope}|${targetId}|${point.bucket}`] = {
              runs: point.runs,
              counts: point.counts,
              agents: point.agents,
            };
        }
      }
    }
    const states: RunOutcome['states'] = {};
    for (const level of ['country', 'region', 'asn'] satisfies ScopeLevel[]) {
      for (const targetId of ROUND_TARGET_IDS) {
        const found = await readScopeStates(redis, store, { level, target: targetId });
        states[`${level}|${targetId}`] = [...found].sort((a, b) => a.scope.localeCompare(b.scope));
      }
    }
    const page = await readEvents(redis, store, { limit: 1000 });
    const events = page.events
      .map((stored) => stored.event)
      .sort((a, b) => JSON.stringify(withoutEventIds(a)).localeCompare(JSON.stringify(withoutEventIds(b))));
    return withoutEventIds({ rollups, states, events }) as RunOutcome;
  } finally {
    await Promise.all(aggregators.map((aggregator) => aggregator.stop()));
    await queue.close();
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
