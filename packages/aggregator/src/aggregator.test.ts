import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EvidenceStore } from '@reachmap/evidence';
import {
  createRedisConnection,
  type EmbeddedRedis,
  QUEUE_NAMES,
  queuePrefix,
  type RedisClient,
  startEmbeddedRedis,
} from '@reachmap/queue';
import type { IngestJobData, Measurement } from '@reachmap/schema';
import {
  countDeadLetters,
  countOpenStates,
  readDeadLetters,
  readEvents,
  readScopeState,
  readSeries,
  readStoredScopeState,
  StoreConfig,
} from '@reachmap/store';
import { createLogger } from '@reachmap/telemetry';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AggregatorConfig } from './aggregator-config.ts';
import { RECHECK_CONTROLS_JOB } from './ingest-job.ts';
import { type Aggregator, startAggregator } from './start-aggregator.ts';
import { labAgent, labRound } from './test-measurements.ts';

// On the real clock, an hour back and hour-aligned (window boundaries): Redis expires rollups on its own
// clock, so a fixed date would rot once it is older than a granularity's retention.
const HOUR_MS = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
const WINDOW_MS = 60_000;
const config = AggregatorConfig.parse({
  REACHMAP_WINDOW: '60s',
  REACHMAP_EVALUATION_GRACE: '5s',
  // Tests evaluate explicitly; the timer must not race them with its own clock reading.
  REACHMAP_EVALUATE_EVERY: '1h',
  REACHMAP_CONTROL_WAIT: '300ms',
  REACHMAP_CONTROL_WAIT_ATTEMPTS: 3,
});
const store = StoreConfig.parse({});
const logger = createLogger({ name: 'aggregator-test', level: 'silent' });

let server: EmbeddedRedis;
let redis: RedisClient;
let queue: Queue<IngestJobData>;
let dir: string;
let archiveDir: string;
let evidencePath: string;
let now = T0;
let aggregators: Aggregator[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reachmap-aggregator-'));
  server = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  redis = createRedisConnection({ kind: 'single', url: server.url }, 'worker');
  queue = new Queue<IngestJobData>(QUEUE_NAMES.ingest, { connection: redis, prefix: queuePrefix(0) });
});
afterAll(async () => {
  await queue.close();
  redis.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await redis.flushall();
  archiveDir = mkdtempSync(join(dir, 'archive-'));
  evidencePath = join(mkdtempSync(join(dir, 'evidence-')), 'evidence.sqlite');
  now = T0;
  // Two aggregators against one Redis, as two processes would run.
  aggregators = await Promise.all(
    [1, 2].map(() =>
      startAggregator({
        redis: { kind: 'single', url: server.url },
        config,
        logger,
        archiveDir,
        evidencePath,
        clock: () => now,
      }),
    ),
  );
});
afterEach(async () => {
  await Promise.all(aggregators.map((aggregator) => aggregator.stop()));
});

let batches = 0;
async function submit(measurements: Measurement[]): Promise<string> {
  batches += 1;
  const batchId = `bat_test${String(batches).padStart(12, '0')}`;
  await queue.add(
    'ingest',
    {
      batch_id: batchId,
      agent_id: measurements[0]?.agent.id ?? 'agt_0000000000000000none',
      received_at: new Date(now).toISOString(),
      measurements,
      trace: {},
    },
    { jobId: batchId, attempts: 5, backoff: { type: 'fixed', delay: 300 } },
  );
  return batchId;
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function queueDrained(): Promise<boolean> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
  return Object.values(counts).every((count) => count === 0);
}

function archivedIds(): string[] {
  const ids: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    // What `zcat file | jq .id` prints: gunzip reads every appended gzip member.
    else
      for (const line of gunzipSync(readFileSync(path)).toString('utf8').split('\n'))
        if (line !== '') ids.push(JSON.parse(line).id);
  };
  walk(archiveDir);
  return ids;
}

async function runsOf(scope: string, target: string) {
  const [point] = await readSeries(redis, store, {
    scope,
    target,
    fromMs: T0,
    toMs: T0 + 1,
    granularity: '1h',
  });
  return point;
}

describe('ingest', () => {
  it('counts every measurement exactly once through duplicates, a retried job and out-of-order controls', async () => {
    const moscow = labAgent(1, 'RU-MOW', 64500);
    const first = labRound(moscow, T0 + 1_000, { target: 'sni-reset', controlsWork: true });
    const second = labRound(moscow, T0 + 2_000, { target: 'sni-reset', controlsWork: true });
    const late = labRound(moscow, T0 + 3_000, { target: 'sni-reset', controlsWork: true });

    // A file where the archive's year directory belongs makes archiving fail after counting.
    const [year = '', month = '', day = ''] = new Date(T0).toISOString().slice(0, 10).split('-');
    const blocker = join(archiveDir, year);
    writeFileSync(blocker, 'not a directory');
    const failing = await submit(first);
    await waitFor(async () => ((await queue.getJob(failing))?.attemptsMade ?? 0) >= 1, 'a failed attempt');
    expect((await runsOf('RU-MOW', 'whatsapp'))?.counts).toEqual({ blocked: 1 });
    rmSync(blocker);

    await submit(second);
    await submit(second); // the same batch again under another id
    await submit([late[2]]); // the target before its controls…
    await new Promise((resolve) => setTimeout(resolve, 100));
    await submit([late[0], late[1]]); // …which arrive in a later batch
    await waitFor(queueDrained, 'every job to finish');

    expect((await runsOf('RU-MOW', 'whatsapp'))?.counts).toEqual({ blocked: 3 });
    expect((await runsOf('AS64500', 'whatsapp'))?.runs).toBe(3);
    expect((await runsOf('RU', 'control-domestic-ru'))?.counts).toEqual({ ok: 3 });
    // The late target waited for its controls instead of being judged without them.
    const evidence = EvidenceStore.open(evidencePath);
    expect(evidence.get(late[2].id)?.controls).toBe('healthy');
    expect(evidence.get(first[2].id)?.verdict).toMatchObject({
      status: 'blocked',
      method: 'sni-reset',
    });

    const everyId = [...first, ...second, ...late].map((m) => m.id);
    expect(everyId.filter((id) => evidence.get(id) === null)).toEqual([]);
    evidence.close();
    expect(new Set(archivedIds())).toEqual(new Set(everyId));
    expect(existsSync(join(archiveDir, year, month, day, 'RU'))).toBe(true);
  });
});

describe('per-measurement isolation', () => {
  it('dead-letters a measurement it cannot count and counts the rest of its job', async () => {
    const moscow = labAgent(1, 'RU-MOW', 64500);
    const round = labRound(moscow, T0 + 1_000, { target: 'sni-reset', controlsWork: true });
    // A job written straight to Redis (an older collector, or a hostile Redis client): the
    // collector's schema refuses this start time, the rollup's buckets cannot place it.
    const [control] = labRound(moscow, T0 + 2_000, { target: 'sni-reset', controlsWork: true });
    const before1970 = {
      ...(control as Measurement),
      start_time: '1969-12-31T23:59:00.000Z',
      end_time: '1969-12-31T23:59:01.000Z',
    };
    const batchId = await submit([...round, before1970]);
    await waitFor(queueDrained, 'the job to finish');

    expect(await (await queue.getJob(batchId))?.getState()).not.toBe('failed');
    expect((await runsOf('RU-MOW', 'whatsapp'))?.counts).toEqual({ blocked: 1 });
    expect((await runsOf('RU', 'control-domestic-ru'))?.counts).toEqual({ ok: 1 });
    expect(await countDeadLetters(redis)).toBe(1);
    const [letter] = await readDeadLetters(redis);
    expect(letter).toMatchObject({ measurement_id: before1970.id, batch_id: batchId });
    expect(letter?.error).toMatch(/^RangeError/);
    expect(letter?.measurement).toMatchObject({ id: before1970.id, start_time: before1970.start_time });
    expect(new Set(archivedIds())).toEqual(new Set(round.map((m) => m.id)));
  });
});

describe('scope events', () => {
  it('reports one block.started, one outage.started and nothing for a lying agent', async () => {
    const blockedAgents = [1, 2, 3].map((n) => labAgent(n, 'RU-MOW', 64500 + n));
    const outageAgents = [4, 5, 6].map((n) => labAgent(n, 'RU-SPE', 64500 + n));
    const liar = labAgent(7, 'RU-KDA', 64507);
    const honest = [8, 9].map((n) => labAgent(n, 'RU-KDA', 64500 + n));
    const windowOf = async (index: number) => {
      const start = T0 + index * WINDOW_MS;
      for (const offset of [10_000, 30_000]) {
        for (const agent of blockedAgents)
          await submit(labRound(agent, start + offset, { target: 'sni-reset', controlsWork: true }));
        for (const agent of outageAgents)
          await submit(labRound(agent, start + offset, { target: 'unreachable', controlsWork: false }));
        await submit(labRound(liar, start + offset, { target: 'sni-reset', controlsWork: true }));
        for (const agent of honest)
          await submit(labRound(agent, start + offset, { target: 'reachable', controlsWork: true }));
      }
      await waitFor(queueDrained, 'the window to be ingested');
      now = start + WINDOW_MS + 5_000;
      // Both processes evaluate at once, twice: compare-and-set and the lock keep events single.
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
    };

    await windowOf(0);
    await windowOf(1);

    const { events } = await readEvents(redis, store, { limit: 100 });
    const summary = events.map(({ event }) => `${event.type} ${event.scope} ${event.target ?? '-'}`);
    expect(summary.sort()).toEqual(['block.started RU-MOW whatsapp', 'outage.started RU-SPE -']);
    const block = events.find(({ event }) => event.type === 'block.started')?.event;
    expect(block).toMatchObject({ method: 'sni-reset', agents: 3, simulated: false });
    expect(block?.witnesses.length).toBeGreaterThan(0);
    expect(await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).toMatchObject({ state: 'blocked' });
    expect(await readScopeState(redis, store, 'RU-SPE', 'whatsapp')).toMatchObject({ state: 'outage' });
    expect(await readScopeState(redis, store, 'RU-KDA', 'whatsapp')).toMatchObject({ state: 'accessible' });
    // What the API serves as reachmap_open_states: RU-MOW blocked; RU-SPE's pair follows its outage.
    expect(await countOpenStates(redis, store)).toEqual({ blocked: 1, stalled: 0, throttled: 0, outage: 1 });
    // The events counter, summed over both processes, matches the stream: each event once.
    const emitted = await Promise.all(aggregators.map((aggregator) => aggregator.metrics.metrics()));
    const eventsOf = (type: string) =>
      emitted
        .map((text) =>
          Number(
            new RegExp(`reachmap_aggregator_events_total\\{type="${type}",role="aggregator"\\} (\\d+)`).exec(
              text,
            )?.[1] ?? 0,
          ),
        )
        .reduce((sum, n) => sum + n, 0);
    expect(eventsOf('block.started')).toBe(1);
    expect(eventsOf('outage.started')).toBe(1);
  });

  it('keeps a regional outage out of its country: most of RU down in one region, RU-MOW live', async () => {
    const down = [1, 2, 3, 4].map((n) => labAgent(n, 'RU-SPE', 64510));
    const live = [5, 6].map((n) => labAgent(n, 'RU-MOW', 64511));
    for (const index of [0, 1]) {
      const start = T0 + index * WINDOW_MS;
      for (const offset of [10_000, 30_000]) {
        for (const agent of down)
          await submit(labRound(agent, start + offset, { target: 'unreachable', controlsWork: false }));
        for (const agent of live)
          await submit(labRound(agent, start + offset, { target: 'reachable', controlsWork: true }));
      }
      await waitFor(queueDrained, 'the window to be ingested');
      now = start + WINDOW_MS + 5_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
    }
    const { events } = await readEvents(redis, store, { limit: 100 });
    const outages = events
      .filter(({ event }) => event.type === 'outage.started')
      .map(({ event }) => event.scope);
    // 4 of RU's 6 agents fail their controls (> 50 %), but RU-MOW and AS64511 are live: RU is not down.
    expect(outages.sort()).toEqual(['AS64510', 'RU-SPE']);
  });

  it("keeps one downed ISP's outage out of its country while the other ISP is up but thin on a target", async () => {
    // Fuzz world 41204050: RU-SPE's two ISPs, the larger one down; the other's two agents were heard,
    // but only one WhatsApp run each reached the window, below the evidence floor.
    const down = [1, 2, 3, 4].map((n) => labAgent(n, 'RU-SPE', 64931));
    const up = [5, 6].map((n) => labAgent(n, 'RU-SPE', 64930));
    for (const index of [0, 1]) {
      const start = T0 + index * WINDOW_MS;
      for (const offset of [10_000, 30_000])
        for (const agent of down)
          await submit(labRound(agent, start + offset, { target: 'unreachable', controlsWork: false }));
      for (const agent of up)
        await submit(labRound(agent, start + 20_000, { target: 'sni-reset', controlsWork: true }));
      await waitFor(queueDrained, 'the window to be ingested');
      now = start + WINDOW_MS + 5_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
    }
    expect(await readScopeState(redis, store, 'RU-SPE', 'whatsapp')).toMatchObject({ state: 'outage' });
    expect(await readScopeState(redis, store, 'AS64930', 'whatsapp')).toMatchObject({
      state: 'insufficient',
    });
    // Every child of RU is down or thin, but AS64930 was heard with working controls: RU is not down.
    expect(await readScopeState(redis, store, 'RU', 'whatsapp')).toMatchObject({
      state: 'insufficient',
      coverage: { live: 0, children: 3 },
    });
  });

  it('judges a window again when rounds that started in it arrive after its evaluation, once', async () => {
    const agents = [1, 2, 3].map((n) => labAgent(n, 'RU-MOW', 64500 + n));
    // In time: two runs from two agents, below the evidence floor of 4 runs.
    for (const [agent, offset] of [
      [agents[0], 10_000],
      [agents[1], 20_000],
    ] as const) {
      if (agent) await submit(labRound(agent, T0 + offset, { target: 'sni-reset', controlsWork: true }));
    }
    await waitFor(queueDrained, 'ingest');
    now = T0 + WINDOW_MS + 5_000;
    await aggregators[0]?.evaluateNow();
    expect(await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).toMatchObject({ state: 'insufficient' });
    // Rounds that started late in the window (long rounds) arrive after it was evaluated.
    for (const [agent, offset] of [
      [agents[0], 50_000],
      [agents[1], 55_000],
      [agents[2], 58_000],
    ] as const) {
      if (agent) await submit(labRound(agent, T0 + offset, { target: 'sni-reset', controlsWork: true }));
    }
    await waitFor(queueDrained, 'late ingest');
    now = T0 + WINDOW_MS + 40_000;
    await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
    await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
    expect(await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).toMatchObject({ state: 'blocked' });
    const { events } = await readEvents(redis, store, { limit: 100 });
    expect(
      events
        .filter(({ event }) => event.scope === 'RU-MOW')
        .map(({ event }) => `${event.type} ${event.since}`),
    ).toEqual([`block.started ${new Date(T0).toISOString()}`]);
  });

  describe('an aggregator behind its queue', () => {
    const agents = [1, 2, 3].map((n) => labAgent(n, 'RU-MOW', 64520));
    const DAY_MS = 86_400_000;
    const outagesOpened = async () =>
      (await readEvents(redis, store, { limit: 100 })).events
        .filter(({ event }) => event.type === 'outage.started')
        .map(({ event }) => event.scope);

    const judgedUpTo = async () =>
      (await readStoredScopeState(redis, store, 'RU-MOW', 'whatsapp')).machine.last_window_end;

    /** Three windows heard from all three agents: a heartbeat baseline of 3. */
    async function heardWindows() {
      for (const index of [0, 1, 2]) {
        const start = T0 + index * WINDOW_MS;
        for (const offset of [10_000, 30_000])
          for (const agent of agents)
            await submit(labRound(agent, start + offset, { target: 'reachable', controlsWork: true }));
        await waitFor(queueDrained, 'the window to be ingested');
        now = start + WINDOW_MS + 5_000;
        await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      }
    }

    /**
     * Window 3's rounds, accepted by the collector at 3:35 but not counted: held in the queue (delayed
     * a day), as a worker starved of CPU or restarted after downtime leaves them.
     */
    async function acceptedNotCounted() {
      const acceptedAt = T0 + 3 * WINDOW_MS + 35_000;
      const jobs = [];
      for (const agent of agents) {
        batches += 1;
        const batchId = `bat_held${String(batches).padStart(12, '0')}`;
        jobs.push(
          await queue.add(
            'ingest',
            {
              batch_id: batchId,
              agent_id: agent.id,
              received_at: new Date(acceptedAt).toISOString(),
              measurements: [10_000, 30_000].flatMap((offset) =>
                labRound(agent, T0 + 3 * WINDOW_MS + offset, { target: 'reachable', controlsWork: true }),
              ),
              trace: {},
            },
            { jobId: batchId, delay: DAY_MS, timestamp: acceptedAt },
          ),
        );
      }
      return jobs;
    }

    it('judges a due window only once the batches accepted before it are counted', async () => {
      await heardWindows();
      const held = await acceptedNotCounted();
      now = T0 + 4 * WINDOW_MS + 5_000; // window 3 is due
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      // Judged now, its three agents would read as not heard: a heartbeat collapse in every scope.
      expect(await outagesOpened()).toEqual([]);
      expect(await judgedUpTo()).toBe(new Date(T0 + 3 * WINDOW_MS).toISOString());
      // Still held 20 s later: the lag the gauge (and the lab's report) shows is the wait.
      now += 20_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      expect(aggregators.map((aggregator) => aggregator.evaluationLagMs())).toEqual([20_000, 20_000]);

      for (const job of held) await job.promote();
      await waitFor(queueDrained, 'the held batches to be counted');
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      expect(await outagesOpened()).toEqual([]);
      expect(await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).toMatchObject({ state: 'accessible' });
      expect(await judgedUpTo()).toBe(new Date(T0 + 4 * WINDOW_MS).toISOString());
      expect(aggregators.map((aggregator) => aggregator.evaluationLagMs())).toEqual([0, 0]);
    });

    it('holds a window for a measurement re-queued to wait for its round’s controls, as for its batch', async () => {
      await heardWindows();
      // An aggregator whose re-checks wait an hour: the re-check is still queued when the window is due.
      await Promise.all(aggregators.map((aggregator) => aggregator.stop()));
      const patient = { ...config, REACHMAP_CONTROL_WAIT: 3_600_000 };
      aggregators = [
        await startAggregator({
          redis: { kind: 'single', url: server.url },
          config: patient,
          logger,
          archiveDir,
          evidencePath,
          clock: () => now,
        }),
      ];
      // Window 3: every agent's rounds, one agent's last target accepted at 3:35 before its controls.
      const acceptedAt = T0 + 3 * WINDOW_MS + 35_000;
      const [first, second, third] = agents;
      if (!first || !second || !third) throw new Error('three agents');
      for (const agent of [first, second])
        for (const offset of [10_000, 30_000])
          await submit(
            labRound(agent, T0 + 3 * WINDOW_MS + offset, { target: 'reachable', controlsWork: true }),
          );
      await submit(labRound(third, T0 + 3 * WINDOW_MS + 10_000, { target: 'reachable', controlsWork: true }));
      const [domestic, foreign, target] = labRound(third, T0 + 3 * WINDOW_MS + 30_000, {
        target: 'reachable',
        controlsWork: true,
      });
      await queue.add(
        'ingest',
        {
          batch_id: 'bat_beforecontrols01',
          agent_id: third.id,
          received_at: new Date(acceptedAt).toISOString(),
          measurements: [target],
          trace: {},
        },
        { jobId: 'bat_beforecontrols01', timestamp: acceptedAt },
      );
      await waitFor(async () => (await queue.getJobCounts('delayed')).delayed === 1, 'the re-check');
      await waitFor(async () => (await queue.getJobCounts('waiting', 'active')).active === 0, 'the rest');
      const [recheck] = await queue.getJobs(['delayed']);
      expect(recheck?.name).toBe(RECHECK_CONTROLS_JOB);
      // It carries its batch's acceptance, and still waits the control wait from its re-queueing.
      expect(recheck?.timestamp).toBe(acceptedAt);
      expect((recheck?.timestamp ?? 0) + (recheck?.delay ?? 0)).toBeGreaterThan(Date.now() + 3_500_000);

      now = T0 + 4 * WINDOW_MS + 5_000; // window 3 is due
      await aggregators[0]?.evaluateNow();
      // Judged now, the window would lack the target that waits for its controls.
      expect(await judgedUpTo()).toBe(new Date(T0 + 3 * WINDOW_MS).toISOString());

      await submit([domestic, foreign]);
      await recheck?.promote();
      await waitFor(queueDrained, 'the re-check to be counted');
      await aggregators[0]?.evaluateNow();
      expect(await judgedUpTo()).toBe(new Date(T0 + 4 * WINDOW_MS).toISOString());
      expect(await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).toMatchObject({ state: 'accessible' });
      expect(await outagesOpened()).toEqual([]);
    });

    it('does not wait for a batch that failed: an error waiting for its retry is not a backlog', async () => {
      await heardWindows();
      // A file where the archive's directory for DE belongs: the batch is counted, then fails to archive.
      const berlin = labAgent(9, 'DE-BE', 64530);
      const blocker = join(archiveDir, ...new Date(T0).toISOString().slice(0, 10).split('-'), 'DE');
      writeFileSync(blocker, 'not a directory');
      const acceptedAt = T0 + 3 * WINDOW_MS + 35_000;
      const failing = await queue.add(
        'ingest',
        {
          batch_id: 'bat_failing000000001',
          agent_id: berlin.id,
          received_at: new Date(acceptedAt).toISOString(),
          measurements: labRound(berlin, T0 + 3 * WINDOW_MS + 10_000, {
            target: 'reachable',
            controlsWork: true,
          }),
          trace: {},
        },
        {
          jobId: 'bat_failing000000001',
          attempts: 5,
          backoff: { type: 'fixed', delay: DAY_MS },
          timestamp: acceptedAt,
        },
      );
      await waitFor(
        async () => ((await queue.getJob(failing.id ?? ''))?.attemptsMade ?? 0) >= 1,
        'a failed attempt',
      );
      rmSync(blocker);
      now = T0 + 4 * WINDOW_MS + 5_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      expect(await judgedUpTo()).toBe(new Date(T0 + 4 * WINDOW_MS).toISOString());
    });

    it('gives a backlog found late the lateness from then, and no more: a stuck batch does not freeze the map', async () => {
      await heardWindows();
      await acceptedNotCounted();
      // Window 4's rounds are counted in time; window 3's are still queued.
      for (const offset of [10_000, 30_000])
        for (const agent of agents)
          await submit(
            labRound(agent, T0 + 4 * WINDOW_MS + offset, { target: 'reachable', controlsWork: true }),
          );
      await waitFor(async () => (await queue.getJobCounts('waiting', 'active')).waiting === 0, 'window 4');
      await waitFor(async () => (await queue.getJobCounts('active')).active === 0, 'window 4 counted');
      // The first pass comes late (an aggregator back from downtime): window 3 is already past end +
      // grace + lateness, window 4 due. Both wait for the backlog from now.
      now = T0 + 5 * WINDOW_MS + 6_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      expect(await outagesOpened()).toEqual([]);
      expect(await judgedUpTo()).toBe(new Date(T0 + 3 * WINDOW_MS).toISOString());
      // A lateness later the batches are still stuck: windows 3 and 4 are judged on what was counted,
      // and window 3's collapse stands.
      now += WINDOW_MS;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      expect((await outagesOpened()).sort()).toEqual(['AS64520', 'RU', 'RU-MOW']);
      expect(await judgedUpTo()).toBe(new Date(T0 + 5 * WINDOW_MS).toISOString());
    });
  });

  describe('a target down for everyone versus national blocks', () => {
    const REGIONS = ['RU-MOW', 'DE-BE', 'TR-34', 'BR-SP'];
    /** Two agents in each region, one ASN per region: AS64600 in RU-MOW, AS64601 in DE-BE, … */
    const regionAgents = () =>
      REGIONS.flatMap((region, r) => [1, 2].map((n) => labAgent(10 * r + n, region, 64600 + r)));
    /** Two windows where the target times out (controls fine) in `failing` and works elsewhere. */
    async function twoWindows(failing: readonly string[]) {
      const agents = regionAgents().map((agent) => ({
        agent,
        fails: failing.includes(agent.region),
      }));
      for (const index of [0, 1]) {
        const start = T0 + index * WINDOW_MS;
        for (const offset of [10_000, 30_000])
          for (const { agent, fails } of agents)
            await submit(
              labRound(agent, start + offset, {
                target: fails ? 'unreachable' : 'reachable',
                controlsWork: true,
              }),
            );
        await waitFor(queueDrained, 'the window to be ingested');
        now = start + WINDOW_MS + 5_000;
        await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      }
      const { events } = await readEvents(redis, store, { limit: 100 });
      return events.map(({ event }) => `${event.type} ${event.scope}`).sort();
    }

    it('opens no block when the target times out in every network of four countries, and says why', async () => {
      expect(await twoWindows(REGIONS)).toEqual([]);
      const down = { regions_failing: 4, regions_evidenced: 4, countries_failing: 4 };
      for (const scope of ['RU-MOW', 'BR-SP', 'AS64600', 'AS64603'])
        expect(await readScopeState(redis, store, scope, 'whatsapp')).toMatchObject({
          state: 'outage',
          method: 'outage',
          target_outage: down,
        });
      // The countries say so too: their networks are up, the target is down (not `insufficient`).
      for (const country of ['RU', 'DE'])
        expect(await readScopeState(redis, store, country, 'whatsapp')).toMatchObject({
          state: 'outage',
          method: 'outage',
          coverage: { live: 0, children: 2 },
          target_outage: down,
        });
      expect(await countOpenStates(redis, store)).toMatchObject({ blocked: 0 });
    });

    it('opens no block when the target goes down mid-window, seen by some regions only after the onset', async () => {
      // Fuzz world 60 (2026-12-05): Moscow's agents ran just before the onset and just after it (3 ok,
      // 3 failing: no verdict of its own), the other regions only after it. On a verdict's bar Moscow
      // did not count as failing, 3 regions of 4 were short of 80 %, and all three opened blocks.
      const moscow = [1, 2, 3].map((n) => labAgent(n, 'RU-MOW', 64600));
      const later = REGIONS.slice(1).flatMap((region, r) =>
        [1, 2].map((n) => labAgent(10 * (r + 1) + n, region, 64601 + r)),
      );
      for (const agent of moscow) {
        await submit(labRound(agent, T0 + 5_000, { target: 'reachable', controlsWork: true }));
        await submit(labRound(agent, T0 + 40_000, { target: 'unreachable', controlsWork: true }));
      }
      for (const offset of [30_000, 50_000])
        for (const agent of later)
          await submit(labRound(agent, T0 + offset, { target: 'unreachable', controlsWork: true }));
      await waitFor(queueDrained, 'the window to be ingested');
      now = T0 + WINDOW_MS + 5_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      const { events } = await readEvents(redis, store, { limit: 100 });
      expect(events.map(({ event }) => `${event.type} ${event.scope}`)).toEqual([]);
      const down = { regions_failing: 4, regions_evidenced: 4, countries_failing: 4 };
      for (const scope of ['DE-BE', 'AS64601', 'RU-MOW'])
        expect(await readScopeState(redis, store, scope, 'whatsapp')).toMatchObject({
          state: 'outage',
          target_outage: down,
        });
    });

    it('opens no block when the other regions’ rounds of the window have not arrived yet', async () => {
      // Fuzz world 56 (2026-12-05): rounds slowed by the outage's timeouts report after the grace.
      const agents = regionAgents();
      const fail = (agent: (typeof agents)[number], atMs: number) =>
        submit(labRound(agent, atMs, { target: 'unreachable', controlsWork: true }));
      for (const offset of [10_000, 30_000]) for (const agent of agents) await fail(agent, T0 + offset);
      await waitFor(queueDrained, 'the first window to be ingested');
      now = T0 + WINDOW_MS + 5_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      // The second window: only Moscow's rounds are in when it is judged.
      for (const offset of [10_000, 30_000])
        for (const agent of agents.slice(0, 2)) await fail(agent, T0 + WINDOW_MS + offset);
      await waitFor(queueDrained, 'Moscow’s rounds to be ingested');
      now = T0 + 2 * WINDOW_MS + 5_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      const blocks = async () =>
        (await readEvents(redis, store, { limit: 100 })).events.filter(
          ({ event }) => event.type === 'block.started',
        );
      // Moscow's block waits: the other regions were active a window ago and could make it an outage.
      expect(await blocks()).toEqual([]);
      // Their rounds arrive before the watermark: the target was down everywhere.
      for (const offset of [10_000, 30_000])
        for (const agent of agents.slice(2)) await fail(agent, T0 + WINDOW_MS + offset);
      await waitFor(queueDrained, 'the late rounds to be ingested');
      now = T0 + 2 * WINDOW_MS + 20_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      expect(await blocks()).toEqual([]);
      for (const scope of ['RU-MOW', 'DE-BE'])
        expect(await readScopeState(redis, store, scope, 'whatsapp')).toMatchObject({
          state: 'outage',
          target_outage: { regions_failing: 4, regions_evidenced: 4, countries_failing: 4 },
        });
    });

    it('holds a new block only until the window’s watermark: regions that stay silent do not count', async () => {
      const agents = regionAgents();
      for (const offset of [10_000, 30_000])
        for (const agent of agents)
          await submit(labRound(agent, T0 + offset, { target: 'reachable', controlsWork: true }));
      await waitFor(queueDrained, 'the first window to be ingested');
      now = T0 + WINDOW_MS + 5_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      // Moscow blocks in the second window; the other regions, active in the first, never report it.
      for (const offset of [10_000, 30_000])
        for (const agent of agents.slice(0, 2))
          await submit(
            labRound(agent, T0 + WINDOW_MS + offset, { target: 'unreachable', controlsWork: true }),
          );
      await waitFor(queueDrained, 'Moscow’s rounds to be ingested');
      const blocks = async () =>
        (await readEvents(redis, store, { limit: 100 })).events
          .filter(({ event }) => event.type === 'block.started')
          .map(({ event }) => event.scope)
          .sort();
      now = T0 + 2 * WINDOW_MS + 5_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      expect(await blocks()).toEqual([]);
      // Past the watermark (grace 5 s, lateness one window) the window is judged on what arrived.
      now = T0 + 3 * WINDOW_MS + 10_000;
      await Promise.all(aggregators.map((aggregator) => aggregator.evaluateNow()));
      expect(await blocks()).toEqual(['AS64600', 'RU-MOW']);
    });

    it('still opens the blocks of two countries of four: national censorship is not an outage', async () => {
      expect(await twoWindows(['RU-MOW', 'TR-34'])).toEqual([
        'block.started AS64600',
        'block.started AS64602',
        'block.started RU-MOW',
        'block.started TR-34',
      ]);
      const moscow = await readScopeState(redis, store, 'RU-MOW', 'whatsapp');
      expect(moscow).toMatchObject({ state: 'blocked' });
      expect(moscow.target_outage).toBeUndefined();
    });
  });

  it('discounts an agent that contradicts its ASN peers and its own controls, and says why', async () => {
    const honest = [1, 2].map((n) => labAgent(n, 'RU-MOW', 64500));
    const liar = labAgent(3, 'RU-MOW', 64500);
    for (const index of [0, 1, 2, 3]) {
      const start = T0 + index * WINDOW_MS;
      for (const offset of [10_000, 30_000]) {
        for (const agent of honest)
          await submit(labRound(agent, start + offset, { target: 'reachable', controlsWork: true }));
        await submit(labRound(liar, start + offset, { target: 'sni-reset', controlsWork: true }));
      }
      await waitFor(queueDrained, 'the window to be ingested');
      now = start + WINDOW_MS + 5_000;
      await aggregators[0]?.evaluateNow();
      const asn = await readScopeState(redis, store, 'AS64500', 'whatsapp');
      if (index < 2) expect(asn.discounted).toBeUndefined();
      else
        expect(asn.discounted).toEqual({
          agents: 1,
          reasons: [
            expect.stringMatching(/^3 consecutive windows: reported blocked in 2 of 2 runs .* 2 peers/),
          ],
        });
    }
    expect(await readScopeState(redis, store, 'AS64500', 'whatsapp')).toMatchObject({ state: 'accessible' });
    const { events } = await readEvents(redis, store, { limit: 100 });
    expect(events.map(({ event }) => event.type)).toEqual([]);
  });

  it('leaves out of a region the runs its ASN peers discount, and says so on the region too', async () => {
    const honest = [1, 2].map((n) => labAgent(n, 'RU-MOW', 64500));
    const liars = [3, 4].map((n) => labAgent(n, 'RU-MOW', 64500));
    const regionStates: string[] = [];
    for (const index of [0, 1, 2, 3, 4]) {
      const start = T0 + index * WINDOW_MS;
      for (const offset of [10_000, 30_000]) {
        for (const agent of honest)
          await submit(labRound(agent, start + offset, { target: 'reachable', controlsWork: true }));
        for (const agent of liars)
          await submit(labRound(agent, start + offset, { target: 'sni-reset', controlsWork: true }));
      }
      await waitFor(queueDrained, 'the window to be ingested');
      now = start + WINDOW_MS + 5_000;
      await aggregators[0]?.evaluateNow();
      regionStates.push((await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).state);
    }
    // Half the runs blocked: the region cannot decide until the liars' own ISP peers have refuted them
    // (three windows), and is accessible once their runs are left out.
    // The ASN discounts them in its third window; the region follows in that window or the next (same pass).
    expect(regionStates.slice(0, 2)).not.toContain('accessible');
    expect(regionStates.at(-1)).toBe('accessible');
    const region = await readScopeState(redis, store, 'RU-MOW', 'whatsapp');
    expect(region.discounted).toEqual({
      agents: 2,
      reasons: [expect.stringMatching(/^3 consecutive windows: reported blocked in 2 of 2 runs .* 2 peers/)],
    });
    const { events } = await readEvents(redis, store, { limit: 100 });
    expect(events.map(({ event }) => event.type)).not.toContain('block.started');
  });

  it('shows a national ISP blocking in one of its regions as partial, not as its pooled accessible', async () => {
    const moscow = [1, 2].map((n) => labAgent(n, 'RU-MOW', 64500));
    const petersburg = [3, 4, 5].map((n) => labAgent(n, 'RU-SPE', 64500));
    for (const index of [0, 1, 2]) {
      const start = T0 + index * WINDOW_MS;
      for (const offset of [10_000, 30_000]) {
        for (const agent of moscow)
          await submit(labRound(agent, start + offset, { target: 'sni-reset', controlsWork: true }));
        for (const agent of petersburg)
          await submit(labRound(agent, start + offset, { target: 'reachable', controlsWork: true }));
      }
      await waitFor(queueDrained, 'the window to be ingested');
      now = start + WINDOW_MS + 5_000;
      await aggregators[0]?.evaluateNow();
    }
    expect(await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).toMatchObject({ state: 'blocked' });
    expect(await readScopeState(redis, store, 'RU-SPE', 'whatsapp')).toMatchObject({ state: 'accessible' });
    // 4 of 10 runs blocked pool to accessible; the ASN's Moscow slice says otherwise.
    expect(await readScopeState(redis, store, 'AS64500', 'whatsapp')).toMatchObject({
      state: 'partial',
      method: 'sni-reset',
    });
  });

  it('evaluates silence: with no measurements the outage signal and states still move on', async () => {
    const agents = [1, 2, 3].map((n) => labAgent(n, 'RU-MOW', 64500 + n));
    for (const offset of [10_000, 30_000]) {
      for (const agent of agents)
        await submit(labRound(agent, T0 + offset, { target: 'reachable', controlsWork: true }));
    }
    await waitFor(queueDrained, 'ingest');
    now = T0 + WINDOW_MS + 5_000;
    await aggregators[0]?.evaluateNow();
    expect(await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).toMatchObject({ state: 'accessible' });
    now = T0 + 2 * WINDOW_MS + 5_000;
    const result = await aggregators[1]?.evaluateNow();
    expect(result?.transitions).toBeGreaterThan(0);
    expect(await readScopeState(redis, store, 'RU-MOW', 'whatsapp')).toMatchObject({ state: 'insufficient' });
  });
});

describe('metrics', () => {
  it('counts jobs and measurements, reports evaluation lag, and shows a stuck evaluator falling behind', async () => {
    const [aggregator] = aggregators;
    if (aggregator === undefined) throw new Error('no aggregator');
    const agent = labAgent(1, 'RU-MOW', 64500);
    await submit(labRound(agent, T0 + 10_000, { target: 'sni-reset', controlsWork: true }));
    await waitFor(queueDrained, 'the batch to be ingested');
    const metric = async (line: RegExp) => {
      const text = await aggregator.metrics.metrics();
      return Number(line.exec(text)?.[1]);
    };
    // Either process may have taken the job; the two together counted the round once.
    const countedBy = await Promise.all(
      aggregators.map(async (a) =>
        Number(
          /reachmap_aggregator_measurements_counted_total\{role="aggregator"\} (\d+)/.exec(
            await a.metrics.metrics(),
          )?.[1],
        ),
      ),
    );
    expect(countedBy.reduce((sum, n) => sum + n, 0)).toBe(3);

    // No pass yet and the first window is due: the lag counts from the start.
    now = T0 + WINDOW_MS + 5_000 + 7_000;
    expect(await metric(/reachmap_aggregator_evaluation_lag_seconds\{role="aggregator"\} ([\d.]+)/)).toBe(7);
    await aggregator.evaluateNow();
    expect(await metric(/reachmap_aggregator_evaluation_lag_seconds\{role="aggregator"\} ([\d.]+)/)).toBe(0);
    expect(
      await metric(/reachmap_aggregator_evaluation_duration_seconds_count\{role="aggregator"\} (\d+)/),
    ).toBe(1);
    // Three windows later without a pass: behind by the time since the newest window became due.
    now = T0 + 4 * WINDOW_MS + 5_000 + 2_000;
    expect(await metric(/reachmap_aggregator_evaluation_lag_seconds\{role="aggregator"\} ([\d.]+)/)).toBe(2);
    const text = await aggregator.metrics.metrics();
    expect(text).toContain('reachmap_redis_errors_total{connection="aggregator-worker",role="aggregator"} 0');
    expect(text).toContain('process_resident_memory_bytes{role="aggregator"}');
  });
});
