import { AsyncLocalStorage } from 'node:async_hooks';
import type { RedisClient } from '@reachmap/queue';
import { HttpError } from '@reachmap/server-kit';
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './api-env.ts';

/**
 * Every read answers within this time or is cut off: the caps (buckets, index reads, page size) bound
 * what one query may cost, the budget bounds how long it may hold the API when Redis or the machine
 * is slow. Five seconds is well above what a capped query takes on an idle machine (under 1 s) and
 * half of what a client waits before giving up in the hostile-request campaign.
 */
export const DEFAULT_QUERY_BUDGET_MS = 5_000;

interface Deadline {
  atMs: number;
  budgetMs: number;
}

// The deadline of the request being handled, carried across awaits to the Redis reads it makes.
const deadlines = new AsyncLocalStorage<Deadline>();

function budgetExceeded(budgetMs: number): HttpError {
  return new HttpError(
    503,
    'query_budget_exceeded',
    `this query ran past its ${budgetMs} ms time budget (API_QUERY_BUDGET); ask for a shorter range, ` +
      'a coarser bucket or a smaller page, or retry later',
    { details: { budget_ms: budgetMs }, retryAfterS: Math.max(1, Math.ceil(budgetMs / 1000)) },
  );
}

/** Reads only: a write cut between two commands would leave half a change; a stream is long by design. */
function isBudgeted(method: string, path: string): boolean {
  return method === 'GET' && !path.startsWith('/v1/stream');
}

/**
 * Answers a read that has not finished within `budgetMs` with `503 query_budget_exceeded` and
 * Retry-After. The abandoned handler cannot send further Redis commands (see `budgetedRedis`), so
 * what it still costs is what it had already asked for.
 */
export function queryBudget(budgetMs: number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!isBudgeted(c.req.method, c.req.path)) return await next();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(budgetExceeded(budgetMs)), budgetMs);
    });
    const handled = deadlines.run({ atMs: performance.now() + budgetMs, budgetMs }, next);
    // Once the budget has answered, the handler's own ending (usually the budget's refusal of its
    // next Redis command) has nobody left to answer.
    handled.catch(() => undefined);
    try {
      await Promise.race([handled, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The client routes read through: inside a budgeted request, a command (or pipeline) started past
 * the request's deadline is refused before it reaches Redis. Outside one it is the plain client.
 */
export function budgetedRedis(redis: RedisClient): RedisClient {
  return new Proxy(redis, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const deadline = deadlines.getStore();
        if (deadline !== undefined && performance.now() > deadline.atMs) {
          throw budgetExceeded(deadline.budgetMs);
        }
        return value.apply(target, args);
      };
    },
  });
}
