import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one collector; a registry per app so tests and processes never share counters. */
export interface CollectorMetrics {
  registry: Registry;
  accepted: Counter<never>;
  duplicates: Counter<never>;
  /** Refused measurements (per-item reason) and refused requests (error code). */
  rejected: Counter<'reason'>;
  spoolDropped: Counter<'agent_id'>;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
}

/** What the metrics read from Redis at scrape time. */
export interface ScrapedGauges {
  queueDepth: () => Promise<number>;
  deadLetters: () => Promise<number>;
}

export function createCollectorMetrics(gauges: ScrapedGauges): CollectorMetrics {
  const registry = new Registry();
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
    requestDuration: new Histogram({
      name: 'reachmap_collector_request_duration_seconds',
      help: 'Time to answer a request',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'reachmap_collector_ingest_queue_depth',
    help: 'Ingest jobs waiting or delayed (not yet taken by the aggregator)',
    registers: [registry],
    async collect() {
      this.set(await gauges.queueDepth());
    },
  });
  new Gauge({
    name: 'reachmap_dead_letters_total',
    help: 'Measurements the aggregator could not count and kept as dead letters (reachmap admin dead-letters list)',
    registers: [registry],
    async collect() {
      this.set(await gauges.deadLetters());
    },
  });
  return metrics;
}
