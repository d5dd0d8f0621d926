import { createSocket } from 'node:dgram';

export interface QuicResponder {
  close(): Promise<void>;
}

/** QUIC v2 (RFC 9369): offered instead of v1, so every v1 Initial is answered with Version Negotiation. */
const OFFERED_VERSION = Buffer.from('6b3343cf', 'hex');

/**
 * Answers every QUIC long-header packet with Version Negotiation (RFC 9000 §17.2.1: version 0, the
 * client's connection ids swapped), like the reflector: proof that UDP to the host gets through.
 */
export async function startQuicResponder(host: string, port: number): Promise<QuicResponder> {
  const socket = createSocket('udp4');
  socket.on('message', (datagram, remote) => {
    // RFC 9000 §17.2: long header bit set, then version (4 bytes), DCID length + DCID, SCID length + SCID.
    if (datagram.length < 7 || ((datagram[0] ?? 0) & 0x80) === 0) return;
    const dcidLength = datagram[5] ?? 0;
    const dcid = datagram.subarray(6, 6 + dcidLength);
    const scidLength = datagram[6 + dcidLength] ?? 0;
    const scid = datagram.subarray(7 + dcidLength, 7 + dcidLength + scidLength);
    const reply = Buffer.concat([
      Buffer.from([0x80, 0, 0, 0, 0, scid.length]),
      scid,
      Buffer.from([dcid.length]),
      dcid,
      OFFERED_VERSION,
    ]);
    socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return { close: () => new Promise((resolve) => socket.close(() => resolve())) };
}
