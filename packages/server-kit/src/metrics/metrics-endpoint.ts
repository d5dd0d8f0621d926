import type { Registry } from '@reachmap/telemetry';
import { Hono } from 'hono';
import { closeHttpServer } from '../http/close-http-server.ts';
import { listenHttp } from '../http/listen-http.ts';

/** The Prometheus text exposition of a registry, as a Hono handler for GET /metrics. */
export function metricsResponse(registry: Registry): () => Promise<Response> {
  return async () =>
    new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } });
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * A listener that serves only GET /metrics, for a role with no HTTP API of its own (the aggregator).
 * Loopback by default: metrics name queues and scopes, so exposing them is an operator's choice.
 */
export async function listenMetrics(options: {
  registry: Registry;
  host: string;
  port: number;
}): Promise<MetricsListener> {
  const app = new Hono();
  app.get('/metrics', metricsResponse(options.registry));
  const { server, url } = await listenHttp({ fetch: app.fetch, host: options.host, port: options.port });
  return { url, close: () => closeHttpServer(server, { graceMs: 1000 }) };
}
