import dgram from 'node:dgram';
import { once } from 'node:events';

export interface LoopbackUdpServer {
  readonly port: number;
  close(): void;
}

async function bindLoopback(socket: dgram.Socket): Promise<LoopbackUdpServer> {
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { port: socket.address().port, close: () => socket.close() };
}

/** Receives datagrams and never answers: a UDP 443 drop from the client's point of view. */
export function startSilentUdpServer(): Promise<LoopbackUdpServer> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => {});
  return bindLoopback(socket);
}

/**
 * Answers every QUIC long-header packet with Version Negotiation (RFC 9000 §17.2.1): version 0,
 * the client's connection IDs swapped, and a list of versions that excludes v1. `lose` datagrams
 * are dropped first, as a lossy line would.
 */
export function startVersionNegotiationServer({ lose = 0 } = {}): Promise<LoopbackUdpServer> {
  const socket = dgram.createSocket('udp4');
  let toLose = lose;
  socket.on('message', (datagram, remote) => {
    if (toLose > 0) {
      toLose -= 1;
      return;
    }
    const dcidLength = datagram[5] ?? 0;
    const dcid = datagram.subarray(6, 6 + dcidLength);
    const scidLength = datagram[6 + dcidLength] ?? 0;
    const scid = datagram.subarray(7 + dcidLength, 7 + dcidLength + scidLength);
    const reply = Buffer.concat([
      Buffer.from([0x80, 0, 0, 0, 0]),
      Buffer.from([scid.length]),
      scid,
      Buffer.from([dcid.length]),
      dcid,
      Buffer.from('6b3343cf', 'hex'), // QUIC v2 (RFC 9369) only
    ]);
    socket.send(reply, remote.port, remote.address);
  });
  return bindLoopback(socket);
}
