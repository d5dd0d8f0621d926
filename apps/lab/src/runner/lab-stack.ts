import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportPrivateKeyPem, generateAgentKeyPair } from '@reachmap/agent-auth';
import { type Aggregator, AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import {
  createEnrolmentToken,
  LOCAL_AGENT_LIMITS,
  type RunningCollector,
  startCollector,
} from '@reachmap/collector';
import {
  createRedisConnection,
  type EmbeddedRedis,
  type RedisClient,
  startEmbeddedRedis,
  waitUntilReady,
} from '@reachmap/queue';
import { StoreConfig } from '@reachmap/store';
import { loadCatalogue, signCatalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import { claimScratchDir, keepScratchDir } from './scratch-dir.ts';

export interface LabStackOptions {
  /** Where the collector listens (agents reach it there): 127.0.0.1, or the topology's host address. */
  host: string;
  /** The agents' round interval (their schedule from the collector). */
  intervalMs: number;
  /** The aggregator's evaluation window: ~60 s in the lab (docs/state-machine.md). */
  windowMs: number;
  logger: Logger;
}

/** The real pipeline on a private Redis: collector (lab catalogue), aggregator, and the store's read side. */
export interface LabStack {
  collectorUrl: string;
  redis: RedisClient;
  store: StoreConfig;
  createToken(label: string): Promise<string>;
  /** How late the stack's aggregator is judging due windows now (0 when up to date). */
  evaluationLagMs(): number;
  close(): Promise<void>;
}

const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));

export async function startLabStack(options: LabStackOptions): Promise<LabStack> {
  const { logger } = options;
  const dir = await claimScratchDir('reachmap-lab-stack-');
  // REACHMAP_LAB_KEEP_DATA=1 keeps the stack's files (evidence.sqlite, archive, Redis) for a post-mortem.
  const keep = process.env.REACHMAP_LAB_KEEP_DATA === '1';
  const closers: Array<() => Promise<void>> = [
    keep
      ? async () => {
          await keepScratchDir(dir);
          logger.info({ dir }, 'lab stack data kept (REACHMAP_LAB_KEEP_DATA=1)');
        }
      : () => rm(dir, { recursive: true, force: true }),
  ];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'lab stack part failed to stop');
      }
    }
  };
  try {
    const embedded: EmbeddedRedis = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
    closers.push(() => embedded.stop());
    const redisTarget = { kind: 'single', url: embedded.url } as const;
    const redis = createRedisConnection(redisTarget, 'producer', 'reachmap-lab');
    redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'lab redis error'));
    await waitUntilReady(redis);
    closers.push(async () => void redis.disconnect());

    // The collector signs configurations with the key in its data dir; the catalogue must carry the same signature.
    const dataDir = join(dir, 'collector');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateAgentKeyPair();
    await writeFile(join(dataDir, 'collector-ed25519.pem'), exportPrivateKeyPem(privateKey), { mode: 0o600 });
    const document = signCatalogue(await loadCatalogue({ kind: 'lab' }), privateKey);
    const interval = seconds(options.intervalMs);
    const collector: RunningCollector = await startCollector({
      redis: redisTarget,
      dataDir,
      host: options.host,
      port: 0,
      catalogue: async () => document,
      // Rounds must end before the next one is due; a small jitter keeps agents apart.
      schedule: {
        interval_s: interval,
        jitter_s: 2,
        round_deadline_s: Math.max(30, interval * 3),
        concurrency: 8,
      },
      configRefreshS: 600,
      limits: LOCAL_AGENT_LIMITS,
      geoIpDatabases: [],
      shutdownGraceMs: 1_000,
      logger: logger.child({ component: 'collector' }, { level: 'warn' }),
    });
    closers.push(() => collector.close());

    const aggregatorConfig = AggregatorConfig.parse({
      REACHMAP_DATA_DIR: dir,
      REACHMAP_WINDOW: `${seconds(options.windowMs)}s`,
      // Lab windows are short, so late submissions and control re-checks are waited for briefly.
      REACHMAP_EVALUATION_GRACE: '15s',
      REACHMAP_EVALUATE_EVERY: '3s',
      REACHMAP_CONTROL_WAIT: '3s',
      REACHMAP_CATALOGUE: 'lab',
    });
    const aggregator: Aggregator = await startAggregator({
      redis: redisTarget,
      config: aggregatorConfig,
      logger: logger.child({ component: 'aggregator' }, { level: 'warn' }),
    });
    closers.push(() => aggregator.stop());

    return {
      collectorUrl: collector.url,
      redis,
      store: StoreConfig.parse({ partitions: aggregatorConfig.REACHMAP_PARTITIONS }),
      createToken: async (label) =>
        (await createEnrolmentToken(redis, { label, expiresInMs: 3_600_000, simulated: true })).token,
      evaluationLagMs: () => aggregator.evaluationLagMs(),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
