import { createRedisConnection, type RedisTarget, waitUntilReady } from '@reachmap/queue';
import type { AgentSchedule } from '@reachmap/schema';
import { closeHttpServer, listenHttp } from '@reachmap/server-kit';
import type { Logger } from '@reachmap/telemetry';
import type { CatalogueProvider } from './agent-config/agent-config.ts';
import { loadAgentFiles } from './agent-files/agent-files.ts';
import { createCollectorApp } from './app.ts';
import { type GeoIpLookup, openGeoIpDatabases } from './geoip/geoip-lookup.ts';
import type { CollectorLimits } from './routes/route-deps.ts';
import { loadOrCreateCollectorKey } from './signing/collector-key.ts';
import { openIngestQueue } from './submission/ingest-queue.ts';

export interface StartCollectorOptions {
  redis: RedisTarget;
  /** Holds the collector's signing key (created on first start). */
  dataDir: string;
  host: string;
  port: number;
  catalogue: CatalogueProvider;
  schedule: AgentSchedule;
  configRefreshS: number;
  limits: CollectorLimits;
  geoIpDatabases: readonly string[];
  /** Offered to enrolling agents to learn their public address (`AGENT_ADDRESS_ECHO_URL`); null: none. */
  addressEchoUrl?: string | null;
  /** The agent build served at /agent/ (the agent's dist directory); null serves none. */
  agentDistDir?: string | null;
  /** Written into the served installer; null uses the origin each request came to. */
  publicUrl?: string | null;
  shutdownGraceMs: number;
  logger: Logger;
}

export interface RunningCollector {
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes the queue and Redis. */
  close(): Promise<void>;
}

export async function startCollector(options: StartCollectorOptions): Promise<RunningCollector> {
  const { logger } = options;
  const redis = createRedisConnection(options.redis, 'producer', 'reachmap-collector');
  // Without a listener ioredis prints every reconnect failure as an unhandled error event.
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection error'));
  await waitUntilReady(redis);
  const queue = openIngestQueue(redis);
  const signingKey = loadOrCreateCollectorKey(options.dataDir);
  const geoIp: GeoIpLookup | null =
    options.geoIpDatabases.length === 0
      ? null
      : await openGeoIpDatabases(options.geoIpDatabases, (path, error) =>
          logger.warn(
            { path, err: error.message },
            'GeoIP database changed but does not read; keeping the old one',
          ),
        );
  const agentFiles = options.agentDistDir == null ? null : loadAgentFiles(options.agentDistDir, signingKey);
  const { app } = createCollectorApp({
    redis,
    queue,
    config: {
      schedule: options.schedule,
      refreshS: options.configRefreshS,
      catalogue: options.catalogue,
      signingKey,
    },
    limits: options.limits,
    geoIp,
    addressEchoUrl: options.addressEchoUrl ?? null,
    agentFiles,
    publicUrl: options.publicUrl ?? null,
    logger,
  });

  const { server, url } = await listenHttp({ fetch: app.fetch, host: options.host, port: options.port });
  logger.info(
    { url, keyId: signingKey.keyId, geoIp: geoIp !== null, agentVersion: agentFiles?.version ?? null },
    'collector listening',
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await closeHttpServer(server, {
        graceMs: options.shutdownGraceMs,
        onGraceExpired: () =>
          logger.warn(
            { graceMs: options.shutdownGraceMs },
            'requests still running after the grace period; closing',
          ),
      });
      await queue.close();
      await redis.quit();
      logger.info({ url }, 'collector stopped');
    })();
    return closing;
  };
  return { url, close };
}
