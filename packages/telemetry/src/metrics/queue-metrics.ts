import { Gauge, type Registry } from 'prom-client';

/** The part of a BullMQ queue the gauges read; structural so this package needs no BullMQ. */
export interface ObservedQueue {
  getJobCounts(...types: QueueJobState[]): Promise<Record<string, number>>;
  getJobs(
    types: QueueJobState[],
    start: number,
    end: number,
    asc: boolean,
  ): Promise<Array<{ timestamp: number } | undefined>>;
}

export type QueueJobState = 'waiting' | 'delayed' | 'active' | 'failed';

const STATES: readonly QueueJobState[] = ['waiting', 'delayed', 'active', 'failed'];

/** Jobs by queue and state: the gauge below, also read by `reachmap up`'s status block. */
export const QUEUE_JOBS_METRIC = 'reachmap_queue_jobs';

/**
 * Depth by state and the age of the oldest waiting job, read from Redis at scrape time. The age is
 * what the queue-lag alert watches: depth alone cannot tell a busy queue from one nobody consumes.
 * Served by the producing side (the collector for ingest, the API for webhooks), so the gauges
 * survive the consumer being down, which is exactly when they matter.
 */
export function registerQueueMetrics(
  registry: Registry,
  queueName: string,
  queue: ObservedQueue,
  clock: () => number = Date.now,
): void {
  new Gauge({
    name: QUEUE_JOBS_METRIC,
    help: 'Jobs in a queue by state (waiting: not yet taken; delayed: retries and deferred re-checks)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const counts = await queue.getJobCounts(...STATES);
      for (const state of STATES) this.set({ queue: queueName, state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'reachmap_queue_oldest_waiting_age_seconds',
    help: 'Age of the oldest job waiting to be taken; 0 when none waits',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
      const ageMs = oldest === undefined ? 0 : Math.max(0, clock() - oldest.timestamp);
      this.set({ queue: queueName }, ageMs / 1000);
    },
  });
}
