import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPrivateKeyPem, generateAgentKeyPair } from '@reachmap/agent-auth';
import {
  type AgentRecord,
  createEnrolmentToken,
  LOCAL_AGENT_LIMITS,
  listAgents,
  type RunningCollector,
  startCollector,
} from '@reachmap/collector';
import {
  createRedisConnection,
  type EmbeddedRedis,
  QUEUE_NAMES,
  queuePrefix,
  type RedisClient,
  startEmbeddedRedis,
  waitUntilReady,
} from '@reachmap/queue';
import type { AgentSchedule, IngestJobData, Measurement } from '@reachmap/schema';
import { type Catalogue, signCatalogue } from '@reachmap/targets';
import { createLogger } from '@reachmap/telemetry';
import { Queue } from 'bullmq';

/** A real collector (apps/collector) on a real redis-server, on a loopback port that survives restarts. */
export interface CollectorFixture {
  readonly url: string;
  createToken(): Promise<string>;
  /** Every measurement id in the ingest queue, once per job it appears in. */
  ingestedIds(): Promise<string[]>;
  /** Every measurement in the ingest queue, once per job it appears in. */
  ingested(): Promise<Measurement[]>;
  /** The agent's signature the collector verified and queued with a measurement, or null. */
  measurementSignature(id: string): Promise<string | null>;
  agents(): Promise<AgentRecord[]>;
  /** Stops the HTTP side; Redis and the queue keep what was accepted. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same key (nothing when it is running). */
  restart(): Promise<void>;
  /** Restarts serving the agent build in `dir` at /agent/ (as a collector upgraded to a new agent). */
  serveAgent(dir: string | null): Promise<void>;
  close(): Promise<void>;
}

const TEST_SCHEDULE: AgentSchedule = { interval_s: 300, jitter_s: 0, round_deadline_s: 30, concurrency: 4 };

export async function startCollectorFixture(
  catalogue: Catalogue,
  schedule: AgentSchedule = TEST_SCHEDULE,
  options: { agentDistDir?: string; geoIpDatabases?: string[]; addressEchoUrl?: string } = {},
): Promise<CollectorFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'reachmap-agent-collector-'));
  const embedded: EmbeddedRedis = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  const redis: RedisClient = createRedisConnection(
    { kind: 'single', url: embedded.url },
    'producer',
    'agent-test',
  );
  redis.on('error', () => {});
  await waitUntilReady(redis);
  // The collector signs configurations with the key in its data dir; the catalogue is signed with the same key.
  const { privateKey } = generateAgentKeyPair();
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, 'collector-ed25519.pem'), exportPrivateKeyPem(privateKey), { mode: 0o600 });
  const document = signCatalogue(catalogue, privateKey);
  const queue = new Queue<IngestJobData>(QUEUE_NAMES.ingest, { connection: redis, prefix: queuePrefix(0) });

  const ingested = async (): Promise<Measurement[]> => {
    const jobs = await queue.getJobs(
      ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'],
      0,
      -1,
    );
    return jobs.flatMap((job) => job.data.measurements);
  };
  let port = 0;
  let agentDistDir = options.agentDistDir ?? null;
  let running: RunningCollector | null = null;
  const start = async () => {
    running = await startCollector({
      redis: { kind: 'single', url: embedded.url },
      dataDir,
      host: '127.0.0.1',
      port,
      catalogue: async () => document,
      schedule,
      configRefreshS: 30,
      limits: LOCAL_AGENT_LIMITS,
      geoIpDatabases: options.geoIpDatabases ?? [],
      addressEchoUrl: options.addressEchoUrl ?? null,
      agentDistDir,
      shutdownGraceMs: 1_000,
      logger: createLogger({ name: 'collector-test', level: 'silent' }),
    });
    port = Number(new URL(running.url).port);
  };
  await start();

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    async createToken() {
      return (await createEnrolmentToken(redis, { label: 'agent test', expiresInMs: 3_600_000 })).token;
    },
    async measurementSignature(id) {
      const jobs = await queue.getJobs(
        ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'],
        0,
        -1,
      );
      return (
        jobs.map((job) => job.data.signatures?.[id]).find((signature) => signature !== undefined) ?? null
      );
    },
    async ingestedIds() {
      return (await ingested()).map((measurement) => measurement.id);
    },
    ingested,
    agents: () => listAgents(redis),
    async stop() {
      await running?.close();
      running = null;
    },
    async restart() {
      if (running === null) await start();
    },
    async serveAgent(dir) {
      await running?.close();
      running = null;
      agentDistDir = dir;
      await start();
    },
    async close() {
      await running?.close();
      await queue.close();
      redis.disconnect();
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
