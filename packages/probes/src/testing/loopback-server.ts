import { once } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';

/** A test server bound to 127.0.0.1 on a free port. */
export interface LoopbackServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:0 and tracks sockets so `close()` does not wait for clients that a test left
 * hanging on purpose (silent servers, stalled transfers).
 */
export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    // Lab servers face clients that reset or vanish on purpose; a socket error ends that socket only.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      if (server.listening) await once(server, 'close');
    },
  };
}
