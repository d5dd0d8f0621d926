import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';

export interface ListeningHttpServer {
  server: ServerType;
  /** Where the server answers, with an IPv6 host in brackets. */
  url: string;
}

export interface HttpTimeouts {
  /** Until the request's headers are complete; Node's default of 60 s lets slow-loris clients hold sockets. */
  headersMs: number;
  /** Until the whole request (headers and body) is received; not the response, so SSE streams are unaffected. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
}

/**
 * 10 s for headers; 60 s for a request body, enough for an agent's 5 MB batch at 1 Mbit/s on a
 * throttled link; 5 s idle keep-alive, Node's default, kept explicit.
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 60_000,
  keepAliveMs: 5_000,
};

/** Serves `fetch` on `host:port` (port 0 picks a free one) and resolves once it is listening. */
export async function listenHttp(options: {
  fetch: Parameters<typeof serve>[0]['fetch'];
  host: string;
  port: number;
  timeouts?: Partial<HttpTimeouts>;
}): Promise<ListeningHttpServer> {
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const serverOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node checks the two timeouts above only this often (default 30 s).
    connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
  };
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve(
      { fetch: options.fetch, hostname: options.host, port: options.port, serverOptions },
      () => resolve(started),
    );
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}` };
}
