import { type AgentFigures, measureAgentFootprint } from './agent/agent-footprint.ts';
import { runBullmqBaseline } from './baseline/bullmq-baseline.ts';
import { type BenchRedis, startBenchRedis } from './bench-redis.ts';
import { PIPELINE_DEPTH, runRedisBenchmark } from './ceiling/redis-benchmark.ts';
import { runDashboardBench } from './dashboard/dashboard-bench.ts';
import { dashboardRows } from './dashboard/dashboard-rows.ts';
import { type IngestFigures, runIngestBench } from './ingest/ingest-bench.ts';
import type { BenchProfile } from './profile.ts';
import type { Progress } from './progress.ts';
import { runHistoryBench } from './queries/query-bench.ts';
import { measured, notMeasured, type ResultRow } from './report/result-row.ts';

const MIB = 1024 ** 2;

function ingestRows(figures: IngestFigures, baselinePerSecond: number, baselineNote: string): ResultRow[] {
  const setup =
    `${figures.measurements.toLocaleString('en-US')} measurements, ${figures.agents} enrolled agents, ` +
    `signed gzip batches of ${figures.batchSize}; ${figures.collectors} collector + ${figures.aggregators} ` +
    `aggregator processes (concurrency ${figures.aggregatorConcurrency})`;
  const cpu = figures.cpuSeconds;
  return [
    measured(
      'ingest',
      'reachmap ingest, sustained',
      figures.measurementsPerSecond,
      'measurements/s',
      `${setup}; first submit → last counted; ${figures.allCounted ? 'every measurement counted' : 'NOT every measurement counted'}`,
    ),
    measured('ingest', 'bare BullMQ baseline', baselinePerSecond, 'measurements/s', baselineNote),
    measured('ingest', 'ratio reachmap / baseline', figures.measurementsPerSecond / baselinePerSecond, '×'),
    measured(
      'ingest',
      'submit-to-map latency p50',
      figures.latency.p50Ms,
      'ms',
      `${figures.latency.samples} batches offered at ${Math.round(figures.latency.offeredPerSecond)} measurements/s (half the sustained rate); submit → last measurement of the batch counted`,
    ),
    measured('ingest', 'submit-to-map latency p99', figures.latency.p99Ms, 'ms'),
    measured(
      'ingest',
      'Redis commands per measurement',
      figures.redisCommandsPerSecond / figures.measurementsPerSecond,
      'commands',
      `INFO commandstats delta (commands inside Lua included) ÷ measurements; most called: ${figures.commandMix}`,
    ),
    measured(
      'ingest',
      'Redis CPU per measurement',
      (cpu.redis * 1e6) / figures.measurements,
      'µs',
      'redis-server user + system CPU over the throughput phase ÷ measurements (queue, store, AOF and network together)',
    ),
    measured(
      'ingest',
      'Redis AOF bytes written per measurement',
      figures.aofBytesPerMeasurement,
      'bytes',
      'aof_current_size delta ÷ measurements: every write, queue and store, as Redis persists it',
    ),
    measured(
      'ingest',
      'Redis memory kept per measurement',
      figures.retainedBytesPerMeasurement,
      'bytes',
      'used_memory after the queue drained − before the phase, ÷ measurements: rollups, markers, window entries, control records',
    ),
    measured(
      'ingest',
      'evidence store on disk per measurement',
      figures.evidenceBytesPerMeasurement,
      'bytes',
      "growth of evidence.sqlite and its WAL over the throughput phase ÷ measurements: each measurement with its verdict, kept 48 h (REACHMAP_RECENT_TTL) on the aggregators' disk instead of in Redis",
    ),
    measured(
      'ingest',
      'Redis time in Lua per measurement',
      figures.scriptMicrosPerMeasurement,
      'µs',
      `INFO commandstats EVALSHA usec delta ÷ measurements; Redis runs scripts on one thread, so one node counts at most ${Math.round(1e6 / figures.scriptMicrosPerMeasurement).toLocaleString('en-US')} measurements/s`,
    ),
    measured(
      'ingest',
      'agent signature per measurement',
      figures.signMicrosPerMeasurement,
      'µs',
      'signMeasurement (RFC 8785 canonical JSON + Ed25519) in the load generator, as agents sign each measurement; the collector checks their form and verifies one per batch inside the figures above',
    ),
    measured(
      'ingest',
      'collector floor per measurement',
      figures.collectorFloorMicrosPerMeasurement,
      'CPU µs',
      `gunzip + JSON.parse + validateMeasurement (as the collector's triage) + the signatures taken as the collector takes them (form-checked, the batch's first verified), CPU time in one process: on 2 cores the collector alone tops out near ${Math.round(2e6 / figures.collectorFloorMicrosPerMeasurement).toLocaleString('en-US')} measurements/s`,
    ),
    measured(
      'ingest',
      'CPU per measurement, whole pipeline',
      ((cpu.collectors + cpu.aggregators + cpu.redis) * 1e6) / figures.measurements,
      'CPU µs',
      `collectors ${((cpu.collectors * 1e6) / figures.measurements).toFixed(0)}, aggregators ${((cpu.aggregators * 1e6) / figures.measurements).toFixed(0)}, redis-server ${((cpu.redis * 1e6) / figures.measurements).toFixed(0)} µs; 2 cores give 2 000 000 CPU µs per second`,
    ),
    measured(
      'ingest',
      'CPU during the throughput phase',
      cpu.collectors + cpu.aggregators + cpu.redis + cpu.loadGenerator,
      'CPU s',
      `collectors ${cpu.collectors.toFixed(1)}, aggregators ${cpu.aggregators.toFixed(1)}, redis-server ${cpu.redis.toFixed(1)}, load generator ${cpu.loadGenerator.toFixed(1)}`,
    ),
    measured('ingest', 'collector 503 backpressure answers', figures.backpressured, 'answers'),
  ];
}

/** The ingest bench and the bare-BullMQ baseline on the same Redis, as the ingest table's rows. */
export async function runIngestComparison(
  redis: BenchRedis,
  profile: BenchProfile,
  progress: Progress,
): Promise<{ rows: ResultRow[]; figures: IngestFigures }> {
  const ingest = await runIngestBench(redis, profile.ingest, progress);
  const baseline = await runBullmqBaseline(
    redis,
    {
      measurements: Math.min(ingest.measurements, 50_000),
      batchSize: ingest.batchSize,
      inFlight: profile.ingest.inFlight,
      workers: profile.ingest.aggregators,
      concurrency: profile.ingest.aggregatorConcurrency,
    },
    progress,
  );
  const baselineNote =
    `${baseline.measurements.toLocaleString('en-US')} jobs (one per measurement) by addBulk per batch, ` +
    `${baseline.workers} no-op worker processes (concurrency ${baseline.concurrency}); same Redis, same run`;
  return { rows: ingestRows(ingest, baseline.measurementsPerSecond, baselineNote), figures: ingest };
}

/** Every benchmark of one run, in order, on one private redis-server; a failing part becomes "not measured". */
export async function runBenchmarks(profile: BenchProfile, progress: Progress): Promise<ResultRow[]> {
  const redis = await startBenchRedis();
  progress(`redis-server ${redis.embedded.url} in ${redis.dir}`);
  const rows: ResultRow[] = [];
  try {
    const ingest = await runIngestComparison(redis, profile, progress);
    rows.push(...ingest.rows);

    const ceiling = await runRedisBenchmark(redis.embedded.port, profile.ceiling.requests);
    for (const test of ['set', 'incr', 'lpush']) {
      const metric = `redis-benchmark ${test.toUpperCase()} -P ${PIPELINE_DEPTH}`;
      const value = ceiling.kind === 'measured' ? ceiling.requestsPerSecond.get(test) : undefined;
      rows.push(
        value === undefined
          ? notMeasured(
              'ceiling',
              metric,
              'requests/s',
              ceiling.kind === 'unavailable' ? ceiling.reason : 'no result',
            )
          : measured(
              'ceiling',
              metric,
              value,
              'requests/s',
              ceiling.kind === 'measured' ? `\`${ceiling.command}\`` : '',
            ),
      );
    }
    const incr = ceiling.kind === 'measured' ? ceiling.requestsPerSecond.get('incr') : undefined;
    rows.push(
      measured(
        'ceiling',
        'Redis commands/s executed during reachmap ingest',
        ingest.figures.redisCommandsPerSecond,
        'commands/s',
      ),
      incr === undefined
        ? notMeasured(
            'ceiling',
            'rollup path share of the INCR ceiling',
            '%',
            'no redis-benchmark INCR figure',
          )
        : measured(
            'ceiling',
            'rollup path share of the INCR ceiling',
            (100 * ingest.figures.redisCommandsPerSecond) / incr,
            '%',
          ),
    );
    progress('ceiling: done');

    const history = await runHistoryBench(redis, profile, progress);
    for (const query of history.queries) {
      const note = `${profile.queries.repetitions} sequential requests over HTTP to the API process, e.g. \`${query.example}\`${query.failures > 0 ? `; ${query.failures} non-200 answers` : ''}`;
      rows.push(
        measured('queries', `${query.query} p50`, query.p50Ms, 'ms', note),
        measured('queries', `${query.query} p99`, query.p99Ms, 'ms'),
      );
    }
    const seeded = `${history.days} days, ${history.scopes} scopes × ${history.targets} targets, ${history.measurements.toLocaleString('en-US')} measurements through the apply-once Lua script in ${history.seedSeconds.toFixed(0)} s; ${history.events} events formed`;
    rows.push(
      measured(
        'memory',
        'used_memory per seeded day (all keys)',
        history.usedMemoryBytes / history.days / MIB,
        'MiB',
        seeded,
      ),
      measured(
        'memory',
        'rollup keys per seeded day',
        history.rollupKeys / history.days,
        'keys',
        'roll, roll-agents, roll-tput keys alive after seeding (5-minute buckets older than 48 h have expired)',
      ),
      measured(
        'memory',
        'rollup memory per seeded day',
        history.rollupBytes / history.days / MIB,
        'MiB',
        'sum of MEMORY USAGE over the rollup keys',
      ),
      measured(
        'memory',
        'bytes per rollup key',
        history.rollupBytes / Math.max(1, history.rollupKeys),
        'bytes',
      ),
    );
    const perKey = history.perMeasurementKeyBytes;
    const keyRow = (metric: string, bytes: number | null, note: string) =>
      bytes === null
        ? notMeasured('memory', metric, 'bytes', 'no such key after the run')
        : measured('memory', metric, bytes, 'bytes', note);
    rows.push(
      keyRow(
        'exactly-once marker, member of `{rm:pN}:counted:<hour>`',
        perKey.counted,
        "one id per measurement and partition in its hour's set, kept 8 days after the set's last write; bytes per member (MEMORY USAGE ÷ SCARD)",
      ),
      keyRow(
        'collector marker, member of `rm:seen:<hour>`',
        perKey.seen,
        "one id per measurement in its hour's set, kept 8 days after the set's last write; bytes per member",
      ),
      keyRow(
        'control record `{rm:pN}:ctl-msm:<id>`',
        perKey.control,
        "one per control measurement (2 of a round's 7), kept 2 h without certificate chains for the round's targets in later jobs; other measurements keep no record in Redis (the evidence store holds them)",
      ),
    );
    rows.push(...dashboardRows(await runDashboardBench(redis, profile.dashboard, progress)));
    rows.push(...agentRows(await measureAgentFootprint(redis, profile.agent, progress)));
    rows.push(...goalRows(rows));
    return rows;
  } finally {
    await redis.stop();
  }
}

function agentRows(figures: AgentFigures): ResultRow[] {
  const bundleMetric = 'bundle size (dist/reachmap-agent.mjs)';
  const bundle =
    figures.bundleBytes === null
      ? notMeasured('agent', bundleMetric, 'KiB', figures.kind === 'unavailable' ? figures.reason : '')
      : measured('agent', bundleMetric, figures.bundleBytes / 1024, 'KiB', 'one file, no node_modules');
  if (figures.kind === 'unavailable') {
    return [
      bundle,
      notMeasured('agent', 'idle RSS', 'MiB', figures.reason),
      notMeasured('agent', 'peak RSS', 'MiB', figures.reason),
      notMeasured('agent', 'bare Node idle RSS (floor)', 'MiB', figures.reason),
      notMeasured('agent', "Node with the agent's builtins (floor)", 'MiB', figures.reason),
      notMeasured('agent', 'CPU time per round', 'CPU s', figures.reason),
    ];
  }
  const setup = `\`reachmap-agent run\` of the bundle on Node ${process.version} with the unit's flags, loopback catalogue of ${figures.measurementsPerRound} targets, ${figures.rounds} rounds at the 5 s interval floor`;
  return [
    bundle,
    measured(
      'agent',
      'idle RSS',
      figures.idleRssBytes / MIB,
      'MiB',
      `${setup}; VmRSS 2 s after the last round`,
    ),
    measured('agent', 'peak RSS', figures.peakRssBytes / MIB, 'MiB', 'VmHWM over the whole run'),
    measured(
      'agent',
      'bare Node idle RSS (floor)',
      figures.bareNodeRssBytes / MIB,
      'MiB',
      '`node -e "setInterval(() => {}, 1000)"` on the same Node',
    ),
    measured(
      'agent',
      "Node with the agent's builtins (floor)",
      figures.builtinsFloorRssBytes / MIB,
      'MiB',
      `\`node ${figures.nodeArgs.join(' ')}\` (the unit's flags) with every builtin the bundle loads and one TLS context, no code of ours`,
    ),
    measured(
      'agent',
      'CPU time per round',
      figures.cpuSecondsPerRound,
      'CPU s',
      figures.rounds > 1
        ? 'user + system between consecutive rounds (probing, spooling, submitting)'
        : 'one round only: includes start-up',
    ),
  ];
}

function figureOf(rows: readonly ResultRow[], metric: string): number | null {
  return rows.find((row) => row.metric === metric)?.value ?? null;
}

function goalRow(
  metric: string,
  value: number | null,
  unit: string,
  met: (value: number) => boolean,
): ResultRow {
  if (value === null) return notMeasured('goals', metric, unit, 'the figure it needs was not measured');
  return measured('goals', metric, value, unit, met(value) ? 'met' : 'missed (docs/scaling.md says why)');
}

/** The goals, each met or missed by a figure of the same run; rows it lacks say "not measured". */
export function goalRows(rows: readonly ResultRow[]): ResultRow[] {
  return [
    goalRow(
      'ingest ≥ 3× bare BullMQ',
      figureOf(rows, 'ratio reachmap / baseline'),
      '×',
      (value) => value >= 3,
    ),
    goalRow(
      'ingest ≥ 30 000 measurements/s',
      figureOf(rows, 'reachmap ingest, sustained'),
      'measurements/s',
      (value) => value >= 30_000,
    ),
    goalRow(
      'Redis commands per measurement ≤ 2',
      figureOf(rows, 'Redis commands per measurement'),
      'commands',
      (value) => value <= 2,
    ),
    goalRow(
      'Redis time in Lua per measurement ≤ 15 µs',
      figureOf(rows, 'Redis time in Lua per measurement'),
      'µs',
      (value) => value <= 15,
    ),
    goalRow(
      'Redis memory kept per measurement ≤ 300 B',
      figureOf(rows, 'Redis memory kept per measurement'),
      'bytes',
      (value) => value <= 300,
    ),
    goalRow(
      'submit-to-map p99 ≤ 2 s at half rate',
      figureOf(rows, 'submit-to-map latency p99'),
      'ms',
      (value) => value <= 2000,
    ),
    goalRow('map query p99 ≤ 20 ms', figureOf(rows, 'map, countries p99'), 'ms', (value) => value <= 20),
    goalRow('agent idle RSS ≤ 50 MB', figureOf(rows, 'idle RSS'), 'MiB', (value) => value <= 50),
  ];
}
