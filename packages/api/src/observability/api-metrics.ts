import type { RedisClient } from '@reachmap/queue';
import { countOpenStates, OPEN_STATE_KINDS, type StoreConfig } from '@reachmap/store';
import {
  createMetricsRegistry,
  createRedisErrorCounter,
  createRequestDurationHistogram,
  type ObservedQueue,
  type RedisErrorSource,
  type Registry,
  registerQueueMetrics,
} from '@reachmap/telemetry';
import { Counter, Gauge, type Histogram } from 'prom-client';

/** Prometheus metrics of one API process (registry from @reachmap/telemetry, shared by every role). */
export interface ApiMetrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  /** Webhook delivery attempts by outcome: delivered, failed (retried), gone (410), exhausted. */
  deliveries: Counter<'outcome'>;
  /** Serves the number of open SSE streams, which the stream route owns. */
  watchStreams(openStreams: () => number): void;
  watchRedis(source: RedisErrorSource, connection: string): void;
}

export function createApiMetrics(sources: {
  redis: RedisClient;
  store: StoreConfig;
  /** The webhook delivery queue; its backlog is what the webhook alert watches. */
  deliveryQueue: ObservedQueue;
}): ApiMetrics {
  const registry = createMetricsRegistry('api');
  registerQueueMetrics(registry, 'webhook-deliveries', sources.deliveryQueue);
  new Gauge({
    name: 'reachmap_open_states',
    help: 'Region and ASN states (per target) currently open, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const counts = await countOpenStates(sources.redis, sources.store);
      for (const kind of OPEN_STATE_KINDS) this.set({ kind }, counts[kind]);
    },
  });
  const deliveries = new Counter({
    name: 'reachmap_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  // Every outcome from the start, so a rate is 0 rather than absent before the first attempt.
  for (const outcome of ['delivered', 'failed', 'gone', 'exhausted']) deliveries.inc({ outcome }, 0);
  return {
    registry,
    requestDuration: createRequestDurationHistogram(
      registry,
      'api',
      'Time to answer a request (event streams: until the stream started)',
    ),
    deliveries,
    watchStreams(openStreams) {
      new Gauge({
        name: 'reachmap_api_sse_clients',
        help: 'Open Server-Sent Events streams',
        registers: [registry],
        collect() {
          this.set(openStreams());
        },
      });
    },
    watchRedis: createRedisErrorCounter(registry),
  };
}
