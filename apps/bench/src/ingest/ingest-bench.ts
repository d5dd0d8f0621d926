import { createPublicKey } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { exportPublicKey, signMeasurement } from '@reachmap/agent-auth';
import { submittedMeasurementSignatures } from '@reachmap/collector';
import { QUEUE_NAMES, queuePrefix, type RedisClient } from '@reachmap/queue';
import { validateMeasurement } from '@reachmap/schema';
import { countedHourOf, partitionOf, storeKeys } from '@reachmap/store';
import { Queue } from 'bullmq';
import { benchNetworks, networkOfAgent } from '../bench-networks.ts';
import { type BenchRedis, commandMix, commandTotals, redisInfoNumbers } from '../bench-redis.ts';
import { forEachConcurrently } from '../bounded-concurrency.ts';
import { percentile } from '../percentile.ts';
import { type NodeProcess, readProcessCpuSeconds } from '../processes/node-process.ts';
import { startAggregators, startCollectors, stopAll } from '../processes/reachmap-servers.ts';
import type { BenchProfile } from '../profile.ts';
import type { Progress } from '../progress.ts';
import { ROUND_SIZE, roundMeasurements } from './round-measurements.ts';
import { enrolSimulatedAgent, type SimulatedAgent, submitGzipBatch } from './simulated-agent.ts';

export interface IngestFigures {
  measurements: number;
  batchSize: number;
  agents: number;
  collectors: number;
  aggregators: number;
  aggregatorConcurrency: number;
  /** Measurements counted in the store per second, first submit to last counted. */
  measurementsPerSecond: number;
  /** Every submitted measurement had its counted marker afterwards. */
  allCounted: boolean;
  redisCommandsPerSecond: number;
  /** Redis time in Lua scripts per measurement (apply-once; BullMQ's own scripts are a small part). */
  scriptMicrosPerMeasurement: number;
  /** Bytes appended to Redis's AOF per measurement (queue and store writes together). */
  aofBytesPerMeasurement: number;
  /** Redis used_memory still held per measurement after the queue drained (what counting leaves behind). */
  retainedBytesPerMeasurement: number;
  /** Growth of the evidence store's SQLite file (and its WAL) per measurement: the drill-down records on disk. */
  evidenceBytesPerMeasurement: number;
  /** The most frequent commands of the throughput phase with their calls, for the notes. */
  commandMix: string;
  /**
   * CPU the collector cannot avoid per measurement: gunzip, JSON.parse, the zod schema and taking its
   * signature (form, and one Ed25519 verification per batch), timed in this process on prepared batches.
   */
  collectorFloorMicrosPerMeasurement: number;
  /** Agent-side cost of one measurement's own signature (canonical JSON and Ed25519). */
  signMicrosPerMeasurement: number;
  /** CPU seconds per process kind during the throughput phase. */
  cpuSeconds: { collectors: number; aggregators: number; redis: number; loadGenerator: number };
  backpressured: number;
  latency: { offeredPerSecond: number; samples: number; p50Ms: number; p99Ms: number };
}

interface PreparedBatch {
  agent: SimulatedAgent;
  body: Buffer;
  size: number;
  /** Counted marker of the batch's last measurement: a job's measurements are counted together. */
  lastCounted: CountedMarker;
  allCounted: CountedMarker[];
}

/** A measurement's exactly-once marker: its id in the partition's "counted" set of its hour. */
interface CountedMarker {
  key: string;
  id: string;
}

const PARTITIONS = 1;
/** Enough waiting jobs to keep every aggregator worker busy, few enough to drain in seconds. */
const MAX_BACKLOG_JOBS = 64;

/**
 * Batches as agents send them: each measurement with its own signature (docs/api-agent.md), so the
 * collector's verification is inside the ingest figures. Answers the signing time per measurement too.
 */
function prepareBatches(agents: readonly SimulatedAgent[], count: number, roundsPerBatch: number) {
  const batches: PreparedBatch[] = [];
  let signingMs = 0;
  let signed = 0;
  for (let index = 0; index < count; index += 1) {
    const agent = agents[index % agents.length] as SimulatedAgent;
    // Rounds of the last few minutes, as a catching-up agent sends them.
    const measurements = Array.from({ length: roundsPerBatch }, (_, round) =>
      roundMeasurements(agent, Date.now() - 60_000 - round * 5_000),
    ).flat();
    const keys = storeKeys(partitionOf(agent.network.country, PARTITIONS));
    const allCounted = measurements.map((measurement) => ({
      key: keys.counted(countedHourOf(measurement.start_time)),
      id: measurement.id,
    }));
    const signingStarted = performance.now();
    const signatures = measurements.map((measurement) => signMeasurement(measurement, agent.privateKey));
    signingMs += performance.now() - signingStarted;
    signed += measurements.length;
    batches.push({
      agent,
      body: gzipSync(JSON.stringify({ measurements, signatures })),
      size: measurements.length,
      lastCounted: allCounted[allCounted.length - 1] ?? { key: '', id: '' },
      allCounted,
    });
  }
  return { batches, signMicrosPerMeasurement: (signingMs * 1000) / Math.max(1, signed) };
}

/** Batches the collector floor is timed on: enough for a stable mean, few enough to take a second. */
const FLOOR_SAMPLE_BATCHES = 50;

/**
 * The collector's unavoidable work per measurement, in CPU time (process.cpuUsage, so a loaded machine
 * does not inflate it): inflate the body, parse it, validate each measurement and take its signature
 * as the collector does (form-checked, the batch's first verified).
 */
function collectorFloorMicros(batches: readonly PreparedBatch[]): number {
  const sample = batches.slice(0, FLOOR_SAMPLE_BATCHES);
  const publicKeys = new Map(
    sample.map((batch) => [batch.agent, exportPublicKey(createPublicKey(batch.agent.privateKey))]),
  );
  let measurements = 0;
  const started = process.cpuUsage();
  for (const batch of sample) {
    const body = JSON.parse(gunzipSync(batch.body).toString('utf8')) as {
      measurements: unknown[];
      signatures: string[];
    };
    // What the collector runs on each item (triage-batch.ts): size cap, entries, then the rest.
    const accepted = body.measurements.map((item) => {
      const validated = validateMeasurement(item);
      if (!validated.ok)
        throw new Error(`a prepared measurement is invalid: ${validated.issues[0]?.message}`);
      return validated.value;
    });
    const kept = submittedMeasurementSignatures(publicKeys.get(batch.agent) ?? '', body, accepted);
    if (kept.failedCanary !== null || Object.keys(kept.signatures).length !== accepted.length)
      throw new Error('a prepared signature was not kept');
    measurements += accepted.length;
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / Math.max(1, measurements);
}

async function countExisting(client: RedisClient, markers: readonly CountedMarker[]): Promise<number> {
  let found = 0;
  for (let start = 0; start < markers.length; start += 5_000) {
    const pipeline = client.pipeline();
    for (const { key, id } of markers.slice(start, start + 5_000)) pipeline.sismember(key, id);
    for (const [error, value] of (await pipeline.exec()) ?? []) if (error === null && value === 1) found += 1;
  }
  return found;
}

/**
 * Jobs waiting for an aggregator, refreshed every 20 ms. The load generator holds back while the
 * backlog is over a limit: the collector accepts far faster than the aggregators count, and an
 * unbounded backlog would only measure how long the bench takes to drain it.
 */
function watchBacklog(queue: Queue) {
  let waiting = 0;
  let stopped = false;
  const polling = (async () => {
    while (!stopped) {
      waiting = (await queue.getJobCounts('waiting')).waiting ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async belowLimit(limit: number) {
      while (waiting > limit && !stopped) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    async stop() {
      stopped = true;
      await polling;
    },
  };
}

async function waitUntilDrained(queue: Queue, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    const counts = await queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    if (Object.values(counts).every((count) => count === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the ingest queue did not drain before the deadline');
}

/**
 * Resolves each pending key's latency when it appears: one pipelined EXISTS round per tick.
 * The tick (5 ms) bounds how much the poll adds to a sample.
 */
function startCountedWatcher(client: RedisClient) {
  const pending = new Map<CountedMarker, number>();
  const latencies: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped || pending.size > 0) {
      const markers = [...pending.keys()];
      if (markers.length > 0) {
        const pipeline = client.pipeline();
        for (const { key, id } of markers) pipeline.sismember(key, id);
        const results = (await pipeline.exec()) ?? [];
        const now = performance.now();
        markers.forEach((key, index) => {
          if (results[index]?.[1] === 1) {
            latencies.push(now - (pending.get(key) ?? now));
            pending.delete(key);
          }
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    watch: (marker: CountedMarker, submittedAt: number) => pending.set(marker, submittedAt),
    latencies,
    /** Waits for every watched key (or the deadline). */
    async finish(deadlineMs: number) {
      stopped = true;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
      });
      await Promise.race([loop, deadline]);
      clearTimeout(timer);
      if (pending.size > 0) throw new Error(`${pending.size} batches were not counted before the deadline`);
    },
  };
}

/** The aggregators' evidence store on disk (REACHMAP_DATA_DIR's evidence.sqlite and its write-ahead log). */
function evidenceFileBytes(dataDir: string): number {
  const path = join(dataDir, 'evidence.sqlite');
  return [path, `${path}-wal`].reduce(
    (sum, file) => sum + (statSync(file, { throwIfNoEntry: false })?.size ?? 0),
    0,
  );
}

function totalCpu(processes: readonly NodeProcess[]): number {
  return processes.reduce((sum, process) => sum + (process.cpuSeconds() ?? 0), 0);
}

/**
 * Agents → collector HTTP → BullMQ → aggregator → rollups, with real processes on the bench's Redis.
 * Phase 1 sends batches as fast as `inFlight` allows for `submitSeconds` (or until the prepared pool
 * runs out) and times first submit → last counted.
 * Phase 2 offers half that rate for `latencySeconds` and times each batch from submit until its
 * last measurement is counted (an overloaded pipeline has only queueing latency to show).
 */
export async function runIngestBench(
  redis: BenchRedis,
  profile: BenchProfile['ingest'],
  progress: Progress,
): Promise<IngestFigures> {
  const dataDir = join(redis.dir, 'ingest');
  const collectors = await startCollectors({
    count: profile.collectors,
    redisUrl: redis.embedded.url,
    dataDir,
  });
  const queue = new Queue(QUEUE_NAMES.ingest, { connection: redis.client, prefix: queuePrefix(0) });
  let aggregators: NodeProcess[] = [];
  try {
    aggregators = await startAggregators({
      count: profile.aggregators,
      redisUrl: redis.embedded.url,
      dataDir,
      client: redis.client,
      concurrency: profile.aggregatorConcurrency,
      partitions: PARTITIONS,
    });
    progress(`ingest: ${collectors.urls.length} collector and ${aggregators.length} aggregator processes up`);
    const networks = benchNetworks(5, 5);
    const agents: SimulatedAgent[] = [];
    await forEachConcurrently(Array.from({ length: profile.agents }), 8, async (_, index) => {
      const url = collectors.urls[index % collectors.urls.length] as string;
      agents[index] = await enrolSimulatedAgent(url, redis.client, networkOfAgent(networks, index));
    });
    progress(`ingest: ${agents.length} agents enrolled`);

    const batchSize = profile.roundsPerBatch * ROUND_SIZE;
    const { batches, signMicrosPerMeasurement } = prepareBatches(
      agents,
      Math.ceil(profile.measurements / batchSize),
      profile.roundsPerBatch,
    );
    const collectorFloorMicrosPerMeasurement = collectorFloorMicros(batches);
    progress(`ingest: ${batches.length} signed-gzip batches of ${batchSize} prepared; throughput phase`);

    let backpressured = 0;
    const cpuBefore = {
      collectors: totalCpu(collectors.processes),
      aggregators: totalCpu(aggregators),
      redis: readProcessCpuSeconds(redis.embedded.pid) ?? 0,
      loadGenerator: process.cpuUsage(),
    };
    const totalsBefore = await commandTotals(redis.client);
    const memoryBefore = (await redisInfoNumbers(redis.client, 'memory')).get('used_memory') ?? 0;
    const evidenceBefore = evidenceFileBytes(dataDir);
    const started = performance.now();
    const submitUntil = started + profile.submitSeconds * 1000;
    const submitted: PreparedBatch[] = [];
    const backlog = watchBacklog(queue);
    await forEachConcurrently(batches, profile.inFlight, async (batch, index) => {
      await backlog.belowLimit(MAX_BACKLOG_JOBS);
      // A pool larger than the time allows: what was not sent by the deadline is left out.
      if (performance.now() > submitUntil) return;
      const url = collectors.urls[index % collectors.urls.length] as string;
      backpressured += (await submitGzipBatch(url, batch.agent, batch.body, batch.size)).backpressured;
      submitted.push(batch);
    });
    await backlog.stop();
    await waitUntilDrained(queue, Date.now() + 300_000);
    const elapsedS = (performance.now() - started) / 1000;
    const totalsAfter = await commandTotals(redis.client);
    const memoryAfter = (await redisInfoNumbers(redis.client, 'memory')).get('used_memory') ?? 0;
    const evidenceAfter = evidenceFileBytes(dataDir);
    const commands = totalsAfter.commands - totalsBefore.commands;
    const loadCpu = process.cpuUsage(cpuBefore.loadGenerator);
    const cpuSeconds = {
      collectors: totalCpu(collectors.processes) - cpuBefore.collectors,
      aggregators: totalCpu(aggregators) - cpuBefore.aggregators,
      redis: (readProcessCpuSeconds(redis.embedded.pid) ?? 0) - cpuBefore.redis,
      loadGenerator: (loadCpu.user + loadCpu.system) / 1e6,
    };
    const measurements = submitted.length * batchSize;
    const counted = await countExisting(
      redis.client,
      submitted.flatMap((batch) => batch.allCounted),
    );
    const measurementsPerSecond = measurements / elapsedS;
    progress(
      `ingest: ${Math.round(measurementsPerSecond)} measurements/s (${counted}/${measurements} counted)`,
    );

    const offeredPerSecond = measurementsPerSecond / 2;
    const latencyBatches = prepareBatches(
      agents,
      Math.max(2, Math.round((offeredPerSecond * profile.latencySeconds) / batchSize)),
      profile.roundsPerBatch,
    ).batches;
    progress(
      `ingest: latency phase, ${latencyBatches.length} batches at ${Math.round(offeredPerSecond)} measurements/s`,
    );
    const watcher = startCountedWatcher(redis.client);
    const intervalMs = (batchSize / offeredPerSecond) * 1000;
    const latencyStart = performance.now();
    await Promise.all(
      latencyBatches.map(async (batch, index) => {
        const due = latencyStart + index * intervalMs;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
        const submittedAt = performance.now();
        const url = collectors.urls[index % collectors.urls.length] as string;
        backpressured += (await submitGzipBatch(url, batch.agent, batch.body, batch.size)).backpressured;
        watcher.watch(batch.lastCounted, submittedAt);
      }),
    );
    await watcher.finish(Date.now() + 120_000);

    return {
      measurements,
      batchSize,
      agents: agents.length,
      collectors: collectors.urls.length,
      aggregators: aggregators.length,
      aggregatorConcurrency: profile.aggregatorConcurrency,
      measurementsPerSecond,
      allCounted: counted === measurements,
      redisCommandsPerSecond: commands / elapsedS,
      scriptMicrosPerMeasurement: (totalsAfter.scriptMicros - totalsBefore.scriptMicros) / measurements,
      aofBytesPerMeasurement: (totalsAfter.aofBytes - totalsBefore.aofBytes) / measurements,
      retainedBytesPerMeasurement: (memoryAfter - memoryBefore) / measurements,
      evidenceBytesPerMeasurement: (evidenceAfter - evidenceBefore) / measurements,
      commandMix: commandMix(totalsBefore, totalsAfter, 8),
      signMicrosPerMeasurement,
      collectorFloorMicrosPerMeasurement,
      cpuSeconds,
      backpressured,
      latency: {
        offeredPerSecond,
        samples: watcher.latencies.length,
        p50Ms: percentile(watcher.latencies, 50),
        p99Ms: percentile(watcher.latencies, 99),
      },
    };
  } finally {
    await queue.close();
    await stopAll([...collectors.processes, ...aggregators]);
  }
}
