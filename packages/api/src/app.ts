import { OpenAPIHono } from '@hono/zod-openapi';
import type { EvidenceStore } from '@reachmap/evidence';
import type { RedisClient } from '@reachmap/queue';
import { newPrefixedId } from '@reachmap/schema';
import { errorResponse, HttpError, metricsResponse, requestTiming } from '@reachmap/server-kit';
import type { StoreConfig } from '@reachmap/store';
import type { Catalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type AccessPolicy, authenticate, requireRole } from './access/authenticate.ts';
import type { ApiEnv } from './http/api-env.ts';
import { budgetedRedis, DEFAULT_QUERY_BUDGET_MS, queryBudget } from './http/query-budget.ts';
import { validationHook } from './http/validation-hook.ts';
import type { ApiMetrics } from './observability/api-metrics.ts';
import { registerDirectoryRoutes } from './routes/directory.ts';
import { registerEventEvidenceRoute } from './routes/event-evidence.ts';
import { registerEventsRoute } from './routes/events.ts';
import { registerEventsNowRoutes } from './routes/events-now.ts';
import { registerMapRoute } from './routes/map.ts';
import { registerMeasurementRoutes } from './routes/measurements.ts';
import { registerOoniAggregationRoute } from './routes/ooni-aggregation.ts';
import { registerReferenceRoutes } from './routes/reference.ts';
import type { ApiApp, RouteDeps, StreamDeps, WebhookDeps } from './routes/route-deps.ts';
import { registerSeriesRoute } from './routes/series.ts';
import { registerStreamRoute } from './routes/stream.ts';
import { registerWebhookCrudRoutes } from './routes/webhooks/crud.ts';
import { registerWebhookDeliveryRoutes } from './routes/webhooks/deliveries.ts';

export interface ApiDeps {
  redis: RedisClient;
  store: StoreConfig;
  evidence: EvidenceStore;
  catalogue: () => Promise<Catalogue>;
  access: AccessPolicy;
  webhooks: WebhookDeps;
  stream: StreamDeps;
  logger: Logger;
  metrics: ApiMetrics;
  now?: () => number;
  /** How long a read may take before it is answered `503 query_budget_exceeded`. */
  queryBudgetMs?: number;
  /**
   * Served for every path the API does not own (`/`, the dashboard's assets): the seam where the
   * dashboard plugs in. Without it those paths answer the JSON 404.
   */
  dashboard?: Hono;
}

/** Seconds a client should wait when Redis itself is unreachable. */
const REDIS_DOWN_RETRY_AFTER_S = 10;

/** Wires the analysts' API onto a Hono app; no listening, so tests can drive it with `app.request()`. */
export function createApiApp(deps: ApiDeps): ApiApp {
  const routeDeps: RouteDeps = {
    redis: budgetedRedis(deps.redis),
    store: deps.store,
    evidence: deps.evidence,
    catalogue: deps.catalogue,
    webhooks: deps.webhooks,
    stream: deps.stream,
    logger: deps.logger,
    now: deps.now ?? Date.now,
    requireRead: requireRole('read', deps.access),
    requireAdmin: requireRole('admin', deps.access),
  };
  const app: ApiApp = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.use(requestId({ generator: () => newPrefixedId('req') }));
  app.use(
    requestTiming<ApiEnv>(deps.metrics.requestDuration, deps.logger, (c) => {
      const principal = c.get('principal');
      return { keyId: principal?.kind === 'key' ? principal.keyId : undefined };
    }),
  );
  app.use('/v1/*', authenticate(deps.redis, deps.access));
  app.use('/api/v1/*', authenticate(deps.redis, deps.access));
  const budget = queryBudget(deps.queryBudgetMs ?? DEFAULT_QUERY_BUDGET_MS);
  app.use('/v1/*', budget);
  app.use('/api/v1/*', budget);

  app.onError((error, c) => {
    if (error instanceof HttpError) {
      if (error.status >= 500)
        deps.logger.warn({ requestId: c.get('requestId'), code: error.code }, error.message);
      return errorResponse(c, error);
    }
    // Hono's own refusals, e.g. the JSON validator's "Malformed JSON in request body": the client's 4xx.
    if (error instanceof HTTPException && error.status < 500) {
      const status = error.status as ContentfulStatusCode;
      return errorResponse(
        c,
        new HttpError(status, status === 400 ? 'malformed_request' : 'bad_request', error.message),
      );
    }
    if (deps.redis.status !== 'ready') {
      deps.logger.warn({ requestId: c.get('requestId'), err: error }, 'redis unavailable');
      return errorResponse(
        c,
        new HttpError(503, 'redis_unavailable', 'the store is unreachable; retry later', {
          retryAfterS: REDIS_DOWN_RETRY_AFTER_S,
        }),
      );
    }
    deps.logger.error({ requestId: c.get('requestId'), err: error }, 'unhandled error');
    return errorResponse(c, new HttpError(500, 'internal_error', 'the API failed to handle this request'));
  });
  app.notFound((c) =>
    errorResponse(c, new HttpError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`)),
  );

  registerMapRoute(app, routeDeps);
  registerSeriesRoute(app, routeDeps);
  registerEventsRoute(app, routeDeps);
  registerEventsNowRoutes(app, routeDeps);
  registerEventEvidenceRoute(app, routeDeps);
  registerMeasurementRoutes(app, routeDeps);
  registerDirectoryRoutes(app, routeDeps);
  deps.metrics.watchStreams(registerStreamRoute(app, routeDeps));
  app.get('/metrics', metricsResponse(deps.metrics.registry));
  registerOoniAggregationRoute(app, routeDeps);
  registerWebhookCrudRoutes(app, routeDeps);
  registerWebhookDeliveryRoutes(app, routeDeps);
  registerReferenceRoutes(app);
  if (deps.dashboard !== undefined) app.route('/', deps.dashboard);
  return app;
}
