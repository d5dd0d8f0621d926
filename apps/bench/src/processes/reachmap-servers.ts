import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreeLoopbackPort, QUEUE_NAMES, queuePrefix, type RedisClient } from '@reachmap/queue';
import { SERVER_NODE_FLAGS, SERVER_PROCESS_ENV } from '@reachmap/server-kit';
import { Queue } from 'bullmq';
import { type NodeProcess, spawnNodeProcess, waitForProcess } from './node-process.ts';

/**
 * The process entry of an app workspace (its `./main` export). The bench starts other apps as child
 * processes, never imports them (docs/development.md, "The house").
 */
export function mainOf(appName: string): string {
  return fileURLToPath(import.meta.resolve(`${appName}/main`));
}

/** A server role's process, started with the Node flags and environment its systemd unit gives it. */
export function spawnServerProcess(label: string, appName: string, env: Record<string, string>): NodeProcess {
  return spawnNodeProcess(label, mainOf(appName), { ...SERVER_PROCESS_ENV, ...env }, [], SERVER_NODE_FLAGS);
}

export interface CollectorProcesses {
  urls: string[];
  processes: NodeProcess[];
}

/**
 * Real collector processes (`apps/collector/src/main.ts`) on free loopback ports, sharing one data
 * dir (hence one signing key). The first starts alone so that it alone creates the key. Per-agent and
 * per-address rate limits are lifted: the simulated agents send far more than 60 requests a minute.
 */
export async function startCollectors(options: {
  count: number;
  redisUrl: string;
  dataDir: string;
}): Promise<CollectorProcesses> {
  const urls: string[] = [];
  const processes: NodeProcess[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const port = await findFreeLoopbackPort();
    const collector = spawnServerProcess(`collector-${index}`, '@reachmap/collector-app', {
      REDIS_URL: options.redisUrl,
      REACHMAP_DATA_DIR: options.dataDir,
      HOST: '127.0.0.1',
      COLLECTOR_PORT: String(port),
      REACHMAP_CATALOGUE: 'lab',
      COLLECTOR_AGENT_RATE_PER_MINUTE: '1000000',
      COLLECTOR_ENROL_RATE_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
    });
    processes.push(collector);
    const url = `http://127.0.0.1:${port}`;
    await waitForProcess(collector, async () => (await fetch(`${url}/readyz`)).status === 200);
    urls.push(url);
  }
  return { urls, processes };
}

/** Real aggregator processes (`apps/aggregator/src/main.ts`), ready once their workers are registered. */
export async function startAggregators(options: {
  count: number;
  redisUrl: string;
  dataDir: string;
  client: RedisClient;
  concurrency: number;
  partitions: number;
}): Promise<NodeProcess[]> {
  const processes: NodeProcess[] = [];
  for (let index = 0; index < options.count; index += 1) {
    processes.push(
      spawnServerProcess(`aggregator-${index}`, '@reachmap/aggregator-app', {
        REDIS_URL: options.redisUrl,
        REACHMAP_DATA_DIR: options.dataDir,
        REACHMAP_ARCHIVE_DIR: join(options.dataDir, `archive-${index}`),
        REACHMAP_PARTITIONS: String(options.partitions),
        AGGREGATOR_CONCURRENCY: String(options.concurrency),
        // Each process its own metrics listener: the default port is `reachmap up`'s.
        AGGREGATOR_METRICS_PORT: String(await findFreeLoopbackPort()),
        LOG_LEVEL: 'warn',
      }),
    );
  }
  const queue = new Queue(QUEUE_NAMES.ingest, { connection: options.client, prefix: queuePrefix(0) });
  try {
    for (const aggregator of processes) {
      await waitForProcess(aggregator, async () => (await queue.getWorkersCount()) >= processes.length);
    }
  } finally {
    await queue.close();
  }
  return processes;
}

export async function stopAll(processes: readonly NodeProcess[]): Promise<void> {
  await Promise.all(processes.map((process) => process.stop()));
}
