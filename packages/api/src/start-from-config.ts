import { evidenceStorePath } from '@reachmap/evidence';
import type { RedisTarget } from '@reachmap/queue';
import { StoreConfig } from '@reachmap/store';
import { loadCatalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import type { Hono } from 'hono';
import type { ApiConfig } from './api-config.ts';
import { type RunningApi, startApi } from './start-api.ts';

/** The API as configured, with the shipped catalogue for /v1/targets and, optionally, the dashboard. */
export async function startApiFromConfig(
  config: ApiConfig,
  parts: { redis: RedisTarget; logger: Logger; dashboard?: Hono },
): Promise<RunningApi> {
  const catalogue = await loadCatalogue({ kind: config.REACHMAP_CATALOGUE });
  return await startApi({
    redis: parts.redis,
    host: config.HOST,
    port: config.API_PORT,
    store: StoreConfig.parse({ partitions: config.REACHMAP_PARTITIONS }),
    evidencePath: evidenceStorePath(config),
    catalogue: async () => catalogue,
    access: {
      anonymousRead: config.API_ANONYMOUS_READ,
      perAddress: { limit: config.API_RATE_ANONYMOUS_PER_MINUTE, windowMs: 60_000 },
      perKey: { limit: config.API_RATE_KEY_PER_MINUTE, windowMs: 60_000 },
    },
    webhooks: {
      allowedCidrs: config.WEBHOOK_ALLOWED_CIDRS,
      secretOverlapMs: config.WEBHOOK_SECRET_OVERLAP,
      timeoutMs: config.WEBHOOK_TIMEOUT,
    },
    maxStreams: config.API_MAX_STREAMS,
    queryBudgetMs: config.API_QUERY_BUDGET,
    shutdownGraceMs: config.API_SHUTDOWN_GRACE,
    logger: parts.logger,
    ...(parts.dashboard === undefined ? {} : { dashboard: parts.dashboard }),
  });
}
