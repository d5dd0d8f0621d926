import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { IssuedCertificate } from '@reachmap/pki';
import { sendSegmentSizedRecords, TLS_HANDSHAKE_RECORD } from '@reachmap/reflector';

export interface TargetServer {
  close(): Promise<void>;
}

/**
 * One lab destination `host:port`: HTTPS when the client opens with a ClientHello (any SNI gets the
 * world certificate), plain HTTP otherwise, so port 80, 443 and 5222 behave as a TCP probe, a TLS
 * probe and a browser expect.
 */
export async function startTargetServer(
  host: string,
  port: number,
  site: RequestListener,
  certificate: IssuedCertificate,
): Promise<TargetServer> {
  const http = createHttpServer(site);
  const https = createHttpsServer({ cert: certificate.chainPem, key: certificate.privateKeyPem }, site);
  https.on('tlsClientError', () => {});
  sendSegmentSizedRecords(https);
  const sockets = new Set<Socket>();
  const tcp: Server = createTcpServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Lab clients reset and vanish on purpose (probes end connections early): an error ends that socket.
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      if (first[0] === TLS_HANDSHAKE_RECORD) {
        // TLSSocket drains data already buffered on the socket it wraps, so the ClientHello is kept.
        socket.pause();
        socket.unshift(first);
        https.emit('connection', socket);
      } else {
        // The HTTP parser never sees an unshifted chunk but listens for 'data' (as in apps/reflector).
        http.emit('connection', socket);
        socket.emit('data', first);
      }
    });
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => resolve());
  });
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
