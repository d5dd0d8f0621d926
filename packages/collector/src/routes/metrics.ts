import type { CollectorApp, RouteDeps } from './route-deps.ts';

/** Prometheus text exposition of the collector's counters, queue depth and latency histogram. */
export function registerMetricsRoute(app: CollectorApp, deps: RouteDeps): void {
  app.get('/metrics', async (c) => {
    const text = await deps.metrics.registry.metrics();
    return c.text(text, 200, { 'content-type': deps.metrics.registry.contentType });
  });
}
