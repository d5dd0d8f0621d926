import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type { Registry } from 'prom-client';

/** The server roles that serve /metrics; the `role` label tells them apart on a shared dashboard. */
export type ServerRole = 'collector' | 'aggregator' | 'api';

/**
 * One registry per role instance, never prom-client's global one, so tests that build several apps
 * in one process never share counters. It carries prom-client's process metrics (RSS, CPU, heap,
 * event-loop lag as `nodejs_eventloop_lag_*`), which every alert on a stuck process relies on.
 */
export function createMetricsRegistry(role: ServerRole): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Something that emits ioredis' `error` event: a client, a cluster, a BullMQ connection. */
export interface RedisErrorSource {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Counts Redis connection errors by connection name. ioredis reconnects on its own, so an error is
 * not fatal; the rate of them is what tells an operator the store is flapping.
 */
export function createRedisErrorCounter(
  registry: Registry,
): (source: RedisErrorSource, connection: string) => void {
  const errors = new Counter({
    name: 'reachmap_redis_errors_total',
    help: 'Redis connection errors (ioredis reconnects after each)',
    labelNames: ['connection'],
    registers: [registry],
  });
  return (source, connection) => {
    errors.inc({ connection }, 0);
    source.on('error', () => errors.inc({ connection }));
  };
}

/** Label names of the request-duration histogram of every HTTP role. */
export type RequestLabel = 'method' | 'route' | 'status';

/**
 * `reachmap_<role>_request_duration_seconds`, the same buckets for every HTTP role so one dashboard
 * panel and one latency alert read them all (labelled by route pattern, never by path).
 */
export function createRequestDurationHistogram(
  registry: Registry,
  role: 'collector' | 'api',
  help = 'Time to answer a request',
): Histogram<RequestLabel> {
  return new Histogram({
    name: `reachmap_${role}_request_duration_seconds`,
    help,
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}
