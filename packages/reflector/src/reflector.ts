import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, isIPv6, type Socket } from 'node:net';
import type { Logger } from '@reachmap/telemetry';
import { ClientLimits } from './client-limits.ts';
import type { ReflectorConfig } from './config.ts';
import { createRouter } from './http/router.ts';
import { versionNegotiationFor } from './quic-version-negotiation.ts';
import { tlsCredentialsFor } from './tls-credentials.ts';
import { sendSegmentSizedRecords, TLS_HANDSHAKE_RECORD } from './tls-records.ts';

/** A client that sends nothing this long after connecting is dropped before it holds a slot longer. */
const FIRST_BYTE_TIMEOUT_MS = 10_000;
const SWEEP_INTERVAL_MS = 60_000;

export interface RunningReflector {
  tcpPort: number;
  udpPort: number;
  fingerprint: string;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

export async function startReflector(config: ReflectorConfig, logger: Logger): Promise<RunningReflector> {
  const credentials = await tlsCredentialsFor(config.tls);
  const limits = new ClientLimits(config.limits);
  const router = createRouter({ limits, limitsConfig: config.limits, logger });
  const serverTimeouts = { headersTimeout: 10_000, requestTimeout: 60_000, keepAliveTimeout: 5_000 };
  const httpServer = createHttpServer(serverTimeouts, router);
  // No SNICallback: the same certificate answers every SNI, which the SNI comparison relies on.
  const httpsServer = createHttpsServer(
    { ...serverTimeouts, cert: credentials.cert, key: credentials.key },
    router,
  );
  sendSegmentSizedRecords(httpsServer);
  httpsServer.on('tlsClientError', (error, socket) => {
    logger.debug({ clientIp: socket.remoteAddress, reason: error.message }, 'tls handshake failed');
  });

  const sockets = new Set<Socket>();
  const tcpServer = createTcpServer({ pauseOnConnect: true }, (socket) => {
    const clientIp = socket.remoteAddress ?? 'unknown';
    if (!limits.openConnection(clientIp)) {
      logger.warn({ clientIp }, 'connection refused: too many connections from client');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      limits.closeConnection(clientIp);
    });
    socket.on('error', (error) => logger.debug({ clientIp, reason: error.message }, 'client socket error'));
    const firstByteTimer = setTimeout(() => socket.destroy(), FIRST_BYTE_TIMEOUT_MS);
    // Sniff the first byte: a TLS ClientHello goes to the HTTPS server, anything else to plain HTTP.
    socket.once('data', (first: Buffer) => {
      clearTimeout(firstByteTimer);
      if (first[0] === TLS_HANDSHAKE_RECORD) {
        // TLSSocket drains data already buffered on the socket it wraps, so the ClientHello is kept.
        socket.pause();
        socket.unshift(first);
        httpsServer.emit('connection', socket);
      } else {
        // The HTTP parser reads the socket's handle directly and would never see an unshifted chunk;
        // it does listen for 'data', so the sniffed bytes are handed over that way.
        httpServer.emit('connection', socket);
        socket.emit('data', first);
      }
    });
    socket.resume();
  });

  const udp: UdpSocket = createSocket(isIPv6(config.host) ? 'udp6' : 'udp4');
  udp.on('message', (datagram, peer) => {
    const reply = versionNegotiationFor(datagram);
    if (reply === null) return;
    udp.send(reply, peer.port, peer.address);
    logger.debug({ clientIp: peer.address }, 'quic version negotiation sent');
  });
  udp.on('error', (error) => logger.error({ reason: error.message }, 'quic socket error'));

  tcpServer.listen(config.port, config.host);
  udp.bind(config.quicPort, config.host);
  await Promise.all([once(tcpServer, 'listening'), once(udp, 'listening')]);
  const sweep = setInterval(() => limits.sweep(), SWEEP_INTERVAL_MS).unref();

  const running: RunningReflector = {
    tcpPort: (tcpServer.address() as AddressInfo).port,
    udpPort: udp.address().port,
    fingerprint: credentials.fingerprint,
    async close(graceMs = 10_000) {
      clearInterval(sweep);
      const tcpClosed = new Promise((resolve) => tcpServer.close(resolve));
      udp.close();
      httpServer.closeIdleConnections();
      httpsServer.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (sockets.size > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      for (const socket of sockets) socket.destroy();
      await tcpClosed;
    },
  };
  logger.info(
    {
      host: config.host,
      tcpPort: running.tcpPort,
      udpPort: running.udpPort,
      fingerprint: credentials.fingerprint,
    },
    'reflector listening',
  );
  return running;
}
