import { EvidenceStore } from '@reachmap/evidence';
import { createRedisConnection, type RedisClient, type RedisTarget, waitUntilReady } from '@reachmap/queue';
import { closeHttpServer, listenHttp } from '@reachmap/server-kit';
import type { StoreConfig } from '@reachmap/store';
import type { Catalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import type { Hono } from 'hono';
import type { AccessPolicy } from './access/authenticate.ts';
import { createApiApp } from './app.ts';
import { createApiMetrics } from './observability/api-metrics.ts';
import { AddressPolicy } from './webhooks/address-policy.ts';
import type { DeliveryContext } from './webhooks/deliver-message.ts';
import { createDeliveryQueue } from './webhooks/delivery-queue.ts';
import { startDeliveryWorker } from './webhooks/delivery-worker.ts';
import type { ResolveHost } from './webhooks/destination-vetting.ts';
import { EventDispatcher } from './webhooks/event-dispatcher.ts';
import { WEBHOOK_RETRY_DELAYS_MS } from './webhooks/retry-schedule.ts';

export interface WebhookOptions {
  /** CIDRs the SSRF guard lets through although they are private or loopback. */
  allowedCidrs: ReadonlyArray<[string, number]>;
  secretOverlapMs: number;
  timeoutMs: number;
  /** Delays between attempts; the production schedule unless a test scales it down. */
  retryDelaysMs?: readonly number[];
  resolveHost?: ResolveHost;
}

export interface StartApiOptions {
  redis: RedisTarget;
  /** The clock the read routes answer "now" with; tests pin it so hour-aligned rollups never straddle an hour. */
  now?: () => number;
  host: string;
  port: number;
  store: StoreConfig;
  /** The evidence store's file (REACHMAP_EVIDENCE_DB), which the aggregators write. */
  evidencePath: string;
  catalogue: () => Promise<Catalogue>;
  access: AccessPolicy;
  webhooks: WebhookOptions;
  maxStreams: number;
  /** SSE heartbeat comment interval; 15 s by default. */
  heartbeatMs?: number;
  shutdownGraceMs: number;
  /** How long a read may take before it is answered `503 query_budget_exceeded`; 5 s by default. */
  queryBudgetMs?: number;
  logger: Logger;
  /** The dashboard, served for every path the API does not own. */
  dashboard?: Hono;
}

export interface RunningApi {
  url: string;
  /** Stops accepting, lets requests finish (up to the grace period), stops dispatching and delivering, closes Redis. */
  close(): Promise<void>;
}

const SSE_HEARTBEAT_MS = 15_000;

function connect(
  target: RedisTarget,
  role: 'producer' | 'worker',
  name: string,
  logger: Logger,
): RedisClient {
  const client = createRedisConnection(target, role, name);
  // Without a listener ioredis prints every reconnect failure as an unhandled error event.
  client.on('error', (error: Error) =>
    logger.warn({ err: error.message, connection: name }, 'redis connection error'),
  );
  return client;
}

export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { logger } = options;
  const redis = connect(options.redis, 'producer', 'reachmap-api', logger);
  await waitUntilReady(redis);
  const evidence = EvidenceStore.open(options.evidencePath);
  const dispatchConnection = connect(options.redis, 'worker', 'reachmap-api-dispatch', logger);
  const workerConnection = connect(options.redis, 'worker', 'reachmap-api-webhooks', logger);
  const retryDelaysMs = options.webhooks.retryDelaysMs ?? WEBHOOK_RETRY_DELAYS_MS;
  const attempts = retryDelaysMs.length + 1;
  const queue = createDeliveryQueue(redis);
  const metrics = createApiMetrics({ redis, store: options.store, deliveryQueue: queue });
  metrics.watchRedis(redis, 'api');
  metrics.watchRedis(dispatchConnection, 'api-dispatch');
  metrics.watchRedis(workerConnection, 'api-webhooks');
  const delivery: DeliveryContext = {
    redis,
    addressPolicy: new AddressPolicy(options.webhooks.allowedCidrs),
    ...(options.webhooks.resolveHost === undefined ? {} : { resolveHost: options.webhooks.resolveHost }),
    timeoutMs: options.webhooks.timeoutMs,
    now: Date.now,
    userAgent: 'reachmap-webhooks/1',
  };
  const worker = startDeliveryWorker({
    connection: workerConnection,
    context: delivery,
    retryDelaysMs,
    logger,
    deliveries: metrics.deliveries,
  });
  worker.on('error', (error) => logger.error({ err: error }, 'webhook worker error'));
  const dispatcher = new EventDispatcher({
    connection: dispatchConnection,
    queue,
    partitions: options.store.partitions,
    attempts,
    logger,
  });
  await dispatcher.start();

  const app = createApiApp({
    redis,
    store: options.store,
    evidence,
    catalogue: options.catalogue,
    access: options.access,
    webhooks: { queue, delivery, attempts, secretOverlapMs: options.webhooks.secretOverlapMs },
    stream: {
      openConnection: () => connect(options.redis, 'worker', 'reachmap-api-sse', logger),
      maxStreams: options.maxStreams,
      heartbeatMs: options.heartbeatMs ?? SSE_HEARTBEAT_MS,
    },
    logger,
    metrics,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.queryBudgetMs === undefined ? {} : { queryBudgetMs: options.queryBudgetMs }),
    ...(options.dashboard === undefined ? {} : { dashboard: options.dashboard }),
  });
  const { server, url } = await listenHttp({ fetch: app.fetch, host: options.host, port: options.port });
  logger.info(
    { url, partitions: options.store.partitions, anonymousRead: options.access.anonymousRead },
    'api listening',
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Event streams never go idle; they end with the grace period.
      const drained = closeHttpServer(server, { graceMs: options.shutdownGraceMs });
      await dispatcher.stop();
      await drained;
      await worker.close();
      await queue.close();
      await Promise.all([redis.quit(), dispatchConnection.quit(), workerConnection.quit()]);
      evidence.close();
      logger.info({ url }, 'api stopped');
    })();
    return closing;
  };
  return { url, close };
}
