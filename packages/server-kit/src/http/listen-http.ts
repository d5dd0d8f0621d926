import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';

export interface ListeningHttpServer {
  server: ServerType;
  /** Where the server answers, with an IPv6 host in brackets. */
  url: string;
}

/** Serves `fetch` on `host:port` (port 0 picks a free one) and resolves once it is listening. */
export async function listenHttp(options: {
  fetch: Parameters<typeof serve>[0]['fetch'];
  host: string;
  port: number;
}): Promise<ListeningHttpServer> {
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: options.fetch, hostname: options.host, port: options.port }, () =>
      resolve(started),
    );
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}` };
}
