import type { RedisClient } from '@reachmap/queue';
import {
  createMetricsRegistry,
  createRedisErrorCounter,
  createRequestDurationHistogram,
  type ObservedQueue,
  type Registry,
  registerQueueMetrics,
} from '@reachmap/telemetry';
import { Counter, Gauge, type Histogram } from 'prom-client';
import { redisMemoryOf } from '../limits/backpressure.ts';

/** Prometheus metrics of one collector (registry from @reachmap/telemetry, shared by every role). */
export interface CollectorMetrics {
  registry: Registry;
  accepted: Counter<never>;
  duplicates: Counter<never>;
  /** Refused measurements (per-item reason) and refused requests (error code). */
  rejected: Counter<'reason'>;
  spoolDropped: Counter<'agent_id'>;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
}

export interface CollectorMetricsSources {
  redis: RedisClient;
  /** The ingest queue: the collector serves its depth and lag because it stays up when aggregators stop. */
  ingestQueue: ObservedQueue;
  /** COLLECTOR_MAX_REDIS_MEMORY_RATIO, served so the alert compares memory with the real threshold. */
  admissionMemoryRatio: number;
  /** Measurements the aggregator kept as dead letters, read at scrape time. */
  deadLetters: () => Promise<number>;
}

export function createCollectorMetrics(sources: CollectorMetricsSources): CollectorMetrics {
  const registry = createMetricsRegistry('collector');
  const metrics: CollectorMetrics = {
    registry,
    accepted: new Counter({
      name: 'reachmap_collector_measurements_accepted_total',
      help: 'Measurements accepted and enqueued for the aggregator',
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'reachmap_collector_measurements_duplicate_total',
      help: 'Measurements re-sent after they had been accepted',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'reachmap_collector_rejected_total',
      help: 'Refused measurements by item reason, and refused requests by error code',
      labelNames: ['reason'],
      registers: [registry],
    }),
    spoolDropped: new Counter({
      name: 'reachmap_collector_spool_dropped_total',
      help: 'Measurements agents reported dropping from a full spool',
      labelNames: ['agent_id'],
      registers: [registry],
    }),
    requestDuration: createRequestDurationHistogram(registry, 'collector'),
  };
  registerQueueMetrics(registry, 'ingest', sources.ingestQueue);
  createRedisErrorCounter(registry)(sources.redis, 'collector');
  new Gauge({
    name: 'reachmap_dead_letters_total',
    help: 'Measurements the aggregator could not count and kept as dead letters (reachmap admin dead-letters list)',
    registers: [registry],
    async collect() {
      this.set(await sources.deadLetters());
    },
  });
  new Gauge({
    name: 'reachmap_redis_memory_used_bytes',
    help: 'Redis used_memory, as the collector reads it for admission',
    registers: [registry],
    async collect() {
      this.set(redisMemoryOf(await sources.redis.info('memory')).used ?? 0);
    },
  });
  new Gauge({
    name: 'reachmap_redis_memory_max_bytes',
    help: 'Redis maxmemory (0: no limit, admission by memory off)',
    registers: [registry],
    async collect() {
      this.set(redisMemoryOf(await sources.redis.info('memory')).max ?? 0);
    },
  });
  new Gauge({
    name: 'reachmap_collector_admission_memory_ratio',
    help: 'Fraction of maxmemory above which submissions are refused (COLLECTOR_MAX_REDIS_MEMORY_RATIO)',
    registers: [registry],
  }).set(sources.admissionMemoryRatio);
  return metrics;
}
