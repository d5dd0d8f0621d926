import type { Logger } from '@reachmap/telemetry';
import type { Context, Env, MiddlewareHandler } from 'hono';

/** What the middleware needs of a request-duration histogram (`createRequestDurationHistogram`). */
export interface RequestDurations {
  observe(labels: { method: string; route: string; status: string }, seconds: number): void;
}

/**
 * Times every request into `durations` and logs it at debug with its request id and whatever `who`
 * adds (the agent, the API key). Labelled by the route pattern, never the path: ids in paths would
 * make a series per measurement.
 */
export function requestTiming<E extends Env>(
  durations: RequestDurations,
  logger: Logger,
  who: (c: Context<E>) => Record<string, unknown>,
): MiddlewareHandler<E> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const labels = { method: c.req.method, route: c.req.routePath, status: String(c.res.status) };
    durations.observe(labels, seconds);
    // Set by hono's requestId middleware, which every app installs first; untyped in a generic Env.
    const requestId = (c.get as (key: string) => unknown)('requestId');
    logger.debug({ requestId, ...who(c), ...labels, durationMs: seconds * 1000 }, 'request');
  };
}
