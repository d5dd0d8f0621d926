import {
  createMetricsRegistry,
  createRedisErrorCounter,
  type RedisErrorSource,
  type Registry,
} from '@reachmap/telemetry';
import { Counter, Gauge, Histogram } from 'prom-client';

/** What the aggregator records; the registry is served by main.ts on its own small listener. */
export interface AggregatorMetrics {
  registry: Registry;
  jobDuration: Histogram<'job' | 'outcome'>;
  counted: Counter<never>;
  duplicates: Counter<never>;
  deferred: Counter<never>;
  evaluationDuration: Histogram<never>;
  events: Counter<'type'>;
  watchRedis(source: RedisErrorSource, connection: string): void;
}

/** `evaluationLagSeconds` is read at scrape time, so a stuck evaluator shows a growing lag. */
export function createAggregatorMetrics(evaluationLagSeconds: () => number): AggregatorMetrics {
  const registry = createMetricsRegistry('aggregator');
  new Gauge({
    name: 'reachmap_aggregator_evaluation_lag_seconds',
    help: 'How long the newest due window has waited past end + grace for an evaluation pass; 0 when up to date',
    registers: [registry],
    collect() {
      this.set(evaluationLagSeconds());
    },
  });
  return {
    registry,
    jobDuration: new Histogram({
      name: 'reachmap_aggregator_job_duration_seconds',
      help: 'Time to process one ingest or re-check job',
      labelNames: ['job', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    counted: new Counter({
      name: 'reachmap_aggregator_measurements_counted_total',
      help: 'Measurements counted into the rollups (exactly once each across every aggregator)',
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'reachmap_aggregator_measurements_duplicate_total',
      help: 'Measurements already counted, skipped',
      registers: [registry],
    }),
    deferred: new Counter({
      name: 'reachmap_aggregator_measurements_deferred_total',
      help: 'Measurements re-queued to wait for their round controls',
      registers: [registry],
    }),
    evaluationDuration: new Histogram({
      name: 'reachmap_aggregator_evaluation_duration_seconds',
      help: 'Time of one evaluation pass over every partition',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    events: new Counter({
      name: 'reachmap_aggregator_events_total',
      help: 'Scope events emitted by state transitions, by type',
      labelNames: ['type'],
      registers: [registry],
    }),
    watchRedis: createRedisErrorCounter(registry),
  };
}
