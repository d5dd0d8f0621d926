import type { OpenAPIHono } from '@hono/zod-openapi';
import type { EvidenceStore } from '@reachmap/evidence';
import type { RedisClient } from '@reachmap/queue';
import type { StoreConfig } from '@reachmap/store';
import type { Catalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from '../http/api-env.ts';
import type { DeliveryContext } from '../webhooks/deliver-message.ts';
import type { DeliveryQueue } from '../webhooks/delivery-queue.ts';

export type ApiApp = OpenAPIHono<ApiEnv>;

export interface WebhookDeps {
  queue: DeliveryQueue;
  delivery: DeliveryContext;
  /** Attempts per message: 1 + the retry schedule's length. */
  attempts: number;
  secretOverlapMs: number;
}

export interface StreamDeps {
  /** A fresh connection per SSE client: XREAD BLOCK holds it while waiting. */
  openConnection: () => RedisClient;
  maxStreams: number;
  heartbeatMs: number;
}

/** Everything the routes need; `createApiApp` receives it and tests build it from real parts. */
export interface RouteDeps {
  redis: RedisClient;
  store: StoreConfig;
  /** Counted measurements with their verdicts (drill-down, evidence bundles). */
  evidence: EvidenceStore;
  catalogue: () => Promise<Catalogue>;
  webhooks: WebhookDeps;
  stream: StreamDeps;
  logger: Logger;
  now: () => number;
  requireRead: MiddlewareHandler<ApiEnv>;
  requireAdmin: MiddlewareHandler<ApiEnv>;
}
