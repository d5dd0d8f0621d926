import net from 'node:net';
import type tls from 'node:tls';
import { type LoopbackServer, listenOnLoopback } from './loopback-server.ts';

/** What the filter does to a connection whose ClientHello carries the blocked SNI. */
export type SniFilterAction = 'reset' | 'drop' | 'close';

export interface SniFilterOptions {
  blockedSni: string;
  action: SniFilterAction;
  /** The TLS (or HTTPS) server that serves every other connection. */
  backend: tls.Server;
}

/**
 * A DPI box in front of a TLS server, like RU's TSPU: it reads the first bytes of each connection
 * and, when the blocked SNI appears in the ClientHello (a plain string match, as DPI does), resets
 * the connection, drops it silently (reads and never answers) or closes it with a FIN. Other
 * connections are handed, bytes intact, to the backend.
 */
export function startSniFilteringServer(options: SniFilterOptions): Promise<LoopbackServer> {
  const needle = Buffer.from(options.blockedSni);
  return listenOnLoopback(
    net.createServer((socket) => {
      socket.once('data', (clientHello: Buffer) => {
        if (!clientHello.includes(needle)) {
          socket.pause();
          socket.unshift(clientHello);
          options.backend.emit('connection', socket);
          return;
        }
        if (options.action === 'reset') socket.resetAndDestroy();
        else if (options.action === 'close') socket.end();
        else socket.resume();
      });
    }),
  );
}
