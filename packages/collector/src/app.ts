import { OpenAPIHono } from '@hono/zod-openapi';
import type { RedisClient } from '@reachmap/queue';
import { newPrefixedId } from '@reachmap/schema';
import { errorResponse, HttpError, requestTiming } from '@reachmap/server-kit';
import { countDeadLetters } from '@reachmap/store';
import type { Logger } from '@reachmap/telemetry';
import { requestId } from 'hono/request-id';
import { ReplyError } from 'ioredis';
import type { AgentConfigSource } from './agent-config/agent-config.ts';
import type { AgentFiles } from './agent-files/agent-files.ts';
import type { GeoIpLookup } from './geoip/geoip-lookup.ts';
import type { CollectorEnv } from './http/collector-env.ts';
import { requireSignedAgent } from './http/signed-request.ts';
import { type CollectorMetrics, createCollectorMetrics } from './observability/collector-metrics.ts';
import { registerAgentConfigRoute } from './routes/agent-config.ts';
import { registerAgentFilesRoutes } from './routes/agent-files.ts';
import { registerEnrollRoute } from './routes/enroll.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerMetricsRoute } from './routes/metrics.ts';
import { registerNetworkProposalRoute } from './routes/network-proposal.ts';
import type { CollectorApp, CollectorLimits, RouteDeps } from './routes/route-deps.ts';
import { registerSubmitRoute } from './routes/submit-measurements.ts';
import type { IngestQueue } from './submission/ingest-queue.ts';

export interface CollectorDeps {
  redis: RedisClient;
  queue: IngestQueue;
  config: AgentConfigSource;
  limits: CollectorLimits;
  geoIp?: GeoIpLookup | null;
  addressEchoUrl?: string | null;
  agentFiles?: AgentFiles | null;
  publicUrl?: string | null;
  logger: Logger;
  now?: () => number;
}

/** Seconds an agent should wait when Redis itself is unreachable. */
const REDIS_DOWN_RETRY_AFTER_S = 10;

/** Wires the agent API onto a Hono app; no listening, so tests drive it with `app.request()`. */
export function createCollectorApp(deps: CollectorDeps): { app: CollectorApp; metrics: CollectorMetrics } {
  const metrics = createCollectorMetrics({
    redis: deps.redis,
    ingestQueue: deps.queue,
    admissionMemoryRatio: deps.limits.backpressure.maxMemoryRatio,
    deadLetters: () => countDeadLetters(deps.redis),
  });
  const routeDeps: RouteDeps = {
    redis: deps.redis,
    queue: deps.queue,
    config: deps.config,
    limits: deps.limits,
    geoIp: deps.geoIp ?? null,
    addressEchoUrl: deps.addressEchoUrl ?? null,
    agentFiles: deps.agentFiles ?? null,
    publicUrl: deps.publicUrl ?? null,
    logger: deps.logger,
    metrics,
    now: deps.now ?? Date.now,
  };
  const app: CollectorApp = new OpenAPIHono<CollectorEnv>();

  app.use(requestId({ generator: () => newPrefixedId('req') }));
  app.use(
    requestTiming<CollectorEnv>(metrics.requestDuration, deps.logger, (c) => ({
      agentId: c.get('agent')?.id,
    })),
  );

  app.onError((error, c) => {
    if (error instanceof HttpError) {
      metrics.rejected.inc({ reason: error.code });
      if (error.status >= 500)
        deps.logger.warn({ requestId: c.get('requestId'), code: error.code }, error.message);
      return errorResponse(c, error);
    }
    // Redis down, or refusing writes (OOM under noeviction): the store's trouble, never the client's.
    if (deps.redis.status !== 'ready' || error instanceof ReplyError) {
      deps.logger.warn({ requestId: c.get('requestId'), err: error }, 'redis unavailable');
      return errorResponse(
        c,
        new HttpError(503, 'redis_unavailable', 'the collector store is unreachable; retry later', {
          retryAfterS: REDIS_DOWN_RETRY_AFTER_S,
        }),
      );
    }
    deps.logger.error({ requestId: c.get('requestId'), err: error }, 'unhandled error');
    return errorResponse(
      c,
      new HttpError(500, 'internal_error', 'the collector failed to handle this request'),
    );
  });
  app.notFound((c) =>
    errorResponse(c, new HttpError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`)),
  );

  const signed = requireSignedAgent({
    redis: deps.redis,
    maxWireBytes: deps.limits.maxWireBytes,
    agentRate: { limit: deps.limits.agentRequestsPerMinute, windowMs: 60_000 },
    now: routeDeps.now,
  });
  registerNetworkProposalRoute(app, routeDeps);
  registerEnrollRoute(app, routeDeps);
  registerSubmitRoute(app, routeDeps, signed);
  registerAgentConfigRoute(app, routeDeps, signed);
  registerAgentFilesRoutes(app, routeDeps);
  registerHealthRoutes(app, routeDeps);
  registerMetricsRoute(app, routeDeps);
  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'reachmap agent API',
      version: '1',
      description:
        'How agents enrol, fetch their signed configuration and submit measurements (docs/api-agent.md).',
    },
  });
  return { app, metrics };
}
