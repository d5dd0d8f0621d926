import type { QuicProbe } from '@reachmap/schema';

export type QuicResponseKind = NonNullable<QuicProbe['response']>;

/**
 * What a datagram received in reply to our Initial is (RFC 9000 §17.2): a long header with version 0
 * is Version Negotiation; a v1 long header of type 0 is an Initial, of type 3 a Retry. A long header
 * addressed to a connection ID other than ours, a short header or garbage is `other`.
 */
export function classifyQuicResponse(datagram: Buffer, ourSourceConnectionId: Buffer): QuicResponseKind {
  const first = datagram[0];
  if (first === undefined || (first & 0x80) === 0 || datagram.length < 7) return 'other';
  const dcidLength = datagram[5] ?? 0;
  const dcid = datagram.subarray(6, 6 + dcidLength);
  if (!dcid.equals(ourSourceConnectionId)) return 'other';
  const version = datagram.readUInt32BE(1);
  if (version === 0) return 'version_negotiation';
  const packetType = (first >> 4) & 0x03;
  if (packetType === 0) return 'initial';
  if (packetType === 3) return 'retry';
  return 'other';
}
