import { duration, flag, positiveInt, ServerConfig } from '@reachmap/config';
import { z } from 'zod';
import { DEFAULT_QUERY_BUDGET_MS } from './http/query-budget.ts';
import { parseCidrList } from './webhooks/address-policy.ts';

/** The API's settings: the shared server ones plus access, rate limits, streams and webhooks (docs/api.md). */
export const ApiConfig = ServerConfig.extend({
  /** Whether read endpoints answer without an API key. */
  API_ANONYMOUS_READ: flag().default(true),
  /** Requests per minute per client address without a key, and per key with one. */
  API_RATE_ANONYMOUS_PER_MINUTE: positiveInt().default(120),
  API_RATE_KEY_PER_MINUTE: positiveInt().default(1200),
  /** Concurrent Server-Sent Events streams; each holds a Redis connection. */
  API_MAX_STREAMS: positiveInt().default(200),
  /** How long one read may take before it is answered `503 query_budget_exceeded` (docs/api.md). */
  API_QUERY_BUDGET: duration().default(DEFAULT_QUERY_BUDGET_MS),
  /** CIDRs webhooks may reach although they are private/loopback, e.g. `10.1.0.0/16,::1/128`. */
  WEBHOOK_ALLOWED_CIDRS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseCidrList(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** How long the previous signing secret keeps signing after a rotation. */
  WEBHOOK_SECRET_OVERLAP: duration().default(24 * 3_600_000),
  WEBHOOK_TIMEOUT: duration().default(15_000),
  API_SHUTDOWN_GRACE: duration().default(10_000),
});
export type ApiConfig = z.infer<typeof ApiConfig>;
