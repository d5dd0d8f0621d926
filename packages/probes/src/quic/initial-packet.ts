import { createCipheriv, randomBytes } from 'node:crypto';
import { buildClientHello } from './client-hello.ts';
import { deriveClientInitialKeys, type PacketProtectionKeys } from './initial-keys.ts';
import { encodeVarint } from './varint.ts';

export const QUIC_VERSION_1 = 0x0000_0001;
/** RFC 9000 §14.1: a client's Initial datagram is padded to at least 1200 bytes. */
export const MIN_INITIAL_DATAGRAM_BYTES = 1200;
const PACKET_NUMBER_LENGTH = 4;
const AEAD_TAG_BYTES = 16;

export interface InitialPacketParts {
  destinationConnectionId: Buffer;
  sourceConnectionId: Buffer;
  packetNumber: number;
  /** Plaintext frames; padded with PADDING frames up to the minimum datagram size. */
  frames: Buffer;
}

/**
 * Builds and protects a client Initial packet (RFC 9000 §17.2.2): long header with a 4-byte packet
 * number and a 2-byte Length, AES-128-GCM payload protection and AES-ECB header protection
 * (RFC 9001 §5.3-5.4).
 */
export function protectInitialPacket(parts: InitialPacketParts, keys: PacketProtectionKeys): Buffer {
  const headerWithoutLength = Buffer.concat([
    Buffer.from([0xc0 | (PACKET_NUMBER_LENGTH - 1)]), // long header, fixed bit, type Initial
    Buffer.from([0, 0, 0, QUIC_VERSION_1]),
    Buffer.from([parts.destinationConnectionId.length]),
    parts.destinationConnectionId,
    Buffer.from([parts.sourceConnectionId.length]),
    parts.sourceConnectionId,
    encodeVarint(0), // token length
  ]);
  const headerLength = headerWithoutLength.length + 2 + PACKET_NUMBER_LENGTH;
  const payloadLength = Math.max(
    parts.frames.length,
    MIN_INITIAL_DATAGRAM_BYTES - headerLength - AEAD_TAG_BYTES,
  );
  const payload = Buffer.concat([parts.frames, Buffer.alloc(payloadLength - parts.frames.length)]);
  const packetNumber = Buffer.alloc(PACKET_NUMBER_LENGTH);
  packetNumber.writeUInt32BE(parts.packetNumber);
  const header = Buffer.concat([
    headerWithoutLength,
    encodeVarint(PACKET_NUMBER_LENGTH + payload.length + AEAD_TAG_BYTES, 2),
    packetNumber,
  ]);

  // Nonce: the IV XORed with the packet number, left-padded to 12 bytes (RFC 9001 §5.3).
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < PACKET_NUMBER_LENGTH; i += 1) {
    const index = nonce.length - PACKET_NUMBER_LENGTH + i;
    nonce[index] = (nonce[index] ?? 0) ^ (packetNumber[i] ?? 0);
  }
  const cipher = createCipheriv('aes-128-gcm', keys.key, nonce);
  cipher.setAAD(header);
  const protectedPayload = Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()]);

  const packet = Buffer.concat([header, protectedPayload]);
  const packetNumberOffset = header.length - PACKET_NUMBER_LENGTH;
  const sample = packet.subarray(packetNumberOffset + 4, packetNumberOffset + 4 + 16);
  const mask = headerProtectionMask(keys.hp, sample);
  packet[0] = (packet[0] ?? 0) ^ ((mask[0] ?? 0) & 0x0f);
  for (let i = 0; i < PACKET_NUMBER_LENGTH; i += 1) {
    const index = packetNumberOffset + i;
    packet[index] = (packet[index] ?? 0) ^ (mask[1 + i] ?? 0);
  }
  return packet;
}

/** AES-128-ECB of the 16-byte sample, first 5 bytes (RFC 9001 §5.4.3). */
export function headerProtectionMask(hp: Buffer, sample: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', hp, null);
  cipher.setAutoPadding(false);
  return cipher.update(sample).subarray(0, 5);
}

/** A CRYPTO frame at offset 0 (RFC 9000 §19.6). */
export function cryptoFrame(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x06]), encodeVarint(0), encodeVarint(data.length), data]);
}

export interface QuicInitial {
  datagram: Buffer;
  destinationConnectionId: Buffer;
  sourceConnectionId: Buffer;
}

/** A fresh client Initial carrying a ClientHello for `sni`, with random 8-byte connection IDs. */
export function buildQuicInitial(options: { sni: string; alpn: string[] }): QuicInitial {
  const destinationConnectionId = randomBytes(8);
  const sourceConnectionId = randomBytes(8);
  const clientHello = buildClientHello({ sni: options.sni, alpn: options.alpn, sourceConnectionId });
  const datagram = protectInitialPacket(
    { destinationConnectionId, sourceConnectionId, packetNumber: 0, frames: cryptoFrame(clientHello) },
    deriveClientInitialKeys(destinationConnectionId),
  );
  return { datagram, destinationConnectionId, sourceConnectionId };
}
