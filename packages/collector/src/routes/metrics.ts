import { metricsResponse } from '@reachmap/server-kit';
import type { CollectorApp, RouteDeps } from './route-deps.ts';

/** Prometheus text exposition of the collector's counters, queue and Redis gauges, latency histogram and process metrics. */
export function registerMetricsRoute(app: CollectorApp, deps: RouteDeps): void {
  app.get('/metrics', metricsResponse(deps.metrics.registry));
}
