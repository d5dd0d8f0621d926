import { randomInt } from 'node:crypto';

/**
 * RFC 9000 §14.1: a QUIC client pads every datagram carrying an Initial to at least 1200 bytes, and
 * §5.2.2 lets a server answer with Version Negotiation only when the datagram is that large, so the
 * reply can never amplify a spoofed request.
 */
export const MIN_INITIAL_DATAGRAM_BYTES = 1200;
/** RFC 8999 §5.1: connection ids in long headers of any version are at most 255 bytes. */
const LONG_HEADER_FORM = 0x80;
/**
 * The reflector speaks no QUIC version, so it offers only a reserved "greasing" version (RFC 9000 §15:
 * 0x?a?a?a?a). A client learns that UDP and its Initial got through, which is all the probe asks.
 */
export const OFFERED_VERSION = 0x1a2a3a4a;

export interface LongHeaderIds {
  version: number;
  destinationConnectionId: Buffer;
  sourceConnectionId: Buffer;
}

/**
 * Reads the version-independent part of a long header (RFC 8999 §5.1): form bit, version, DCID and
 * SCID. Null for short headers and truncated packets.
 */
export function parseLongHeader(datagram: Buffer): LongHeaderIds | null {
  if (datagram.length < 7 || ((datagram[0] ?? 0) & LONG_HEADER_FORM) === 0) return null;
  const version = datagram.readUInt32BE(1);
  const dcidLength = datagram[5] ?? 0;
  const scidLengthAt = 6 + dcidLength;
  if (datagram.length < scidLengthAt + 1) return null;
  const scidLength = datagram[scidLengthAt] ?? 0;
  const scidAt = scidLengthAt + 1;
  if (datagram.length < scidAt + scidLength) return null;
  return {
    version,
    destinationConnectionId: datagram.subarray(6, scidLengthAt),
    sourceConnectionId: datagram.subarray(scidAt, scidAt + scidLength),
  };
}

/**
 * The Version Negotiation reply to a datagram, or null when none is due: short headers, datagrams
 * under 1200 bytes, and Version Negotiation packets themselves (version 0, RFC 9000 §6.1) get none.
 */
export function versionNegotiationFor(datagram: Buffer): Buffer | null {
  if (datagram.length < MIN_INITIAL_DATAGRAM_BYTES) return null;
  const header = parseLongHeader(datagram);
  if (header === null || header.version === 0) return null;
  const { sourceConnectionId: scid, destinationConnectionId: dcid } = header;
  // RFC 9000 §17.2.1: the reply's DCID is the client's SCID and its SCID the client's DCID; the
  // seven low bits of the first byte are unused and set at random.
  const reply = Buffer.alloc(1 + 4 + 1 + scid.length + 1 + dcid.length + 4);
  let at = reply.writeUInt8(LONG_HEADER_FORM | randomInt(0, 128), 0);
  at = reply.writeUInt32BE(0, at);
  at = reply.writeUInt8(scid.length, at);
  at += scid.copy(reply, at);
  at = reply.writeUInt8(dcid.length, at);
  at += dcid.copy(reply, at);
  reply.writeUInt32BE(OFFERED_VERSION, at);
  return reply;
}
