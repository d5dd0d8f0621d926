import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveClientInitialKeys, type PacketProtectionKeys } from './initial-keys.ts';
import { buildQuicInitial, headerProtectionMask, protectInitialPacket } from './initial-packet.ts';

// RFC 9001 Appendix A: client Initial for DCID 0x8394c8f03e515708, packet number 2.
const RFC_DCID = Buffer.from('8394c8f03e515708', 'hex');
const RFC_CRYPTO_FRAME = Buffer.from(
  '060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868' +
    '04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578' +
    '616d706c652e636f6dff01000100000a00080006001d00170018001000070005' +
    '04616c706e000500050100000000003300260024001d00209370b2c9caa47fba' +
    'baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400' +
    '0d0010000e0403050306030203080408050806002d00020101001c0002400100' +
    '3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000' +
    '75300901100f088394c8f03e51570806048000ffff',
  'hex',
);
const RFC_PROTECTED_PREFIX =
  'c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11' +
  'd242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399';
const RFC_PROTECTED_SUFFIX =
  '7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241' + 'e221af44860018ab0856972e194cd934';

/** Reverses header and payload protection of a packet we built (4-byte packet number, no token). */
function unprotect(datagram: Buffer, keys: PacketProtectionKeys): { packetNumber: number; payload: Buffer } {
  const dcidLength = datagram[5] ?? 0;
  const scidLength = datagram[6 + dcidLength] ?? 0;
  const packetNumberOffset = 6 + dcidLength + 1 + scidLength + 1 + 2;
  const mask = headerProtectionMask(
    keys.hp,
    datagram.subarray(packetNumberOffset + 4, packetNumberOffset + 20),
  );
  const header = Buffer.from(datagram.subarray(0, packetNumberOffset + 4));
  header[0] = (header[0] ?? 0) ^ ((mask[0] ?? 0) & 0x0f);
  for (let i = 0; i < 4; i += 1)
    header[packetNumberOffset + i] = (header[packetNumberOffset + i] ?? 0) ^ (mask[1 + i] ?? 0);
  const packetNumber = header.readUInt32BE(packetNumberOffset);
  const nonce = Buffer.from(keys.iv);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ packetNumber) >>> 0, 8);
  const body = datagram.subarray(header.length);
  const decipher = createDecipheriv('aes-128-gcm', keys.key, nonce);
  decipher.setAAD(header);
  decipher.setAuthTag(body.subarray(body.length - 16));
  return {
    packetNumber,
    payload: Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]),
  };
}

describe('QUIC v1 client Initial', () => {
  it('derives the RFC 9001 Appendix A.1 client keys', () => {
    const keys = deriveClientInitialKeys(RFC_DCID);
    expect(keys.key.toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(keys.iv.toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(keys.hp.toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
  });

  it('computes the RFC 9001 Appendix A.2 header protection mask', () => {
    const keys = deriveClientInitialKeys(RFC_DCID);
    const mask = headerProtectionMask(keys.hp, Buffer.from('d1b1c98dd7689fb8ec11d242b123dc9b', 'hex'));
    expect(mask.toString('hex')).toBe('437b9aec36');
  });

  it('reproduces the RFC 9001 Appendix A.2 protected packet byte for byte', () => {
    const packet = protectInitialPacket(
      {
        destinationConnectionId: RFC_DCID,
        sourceConnectionId: Buffer.alloc(0),
        packetNumber: 2,
        frames: RFC_CRYPTO_FRAME,
      },
      deriveClientInitialKeys(RFC_DCID),
    );
    const hex = packet.toString('hex');
    expect(packet.length).toBe(1200);
    expect(hex.startsWith(RFC_PROTECTED_PREFIX)).toBe(true);
    expect(hex.endsWith(RFC_PROTECTED_SUFFIX)).toBe(true);
  });

  it('builds a 1200-byte Initial whose ClientHello carries the SNI, h3 and transport parameters', () => {
    const initial = buildQuicInitial({ sni: 'blocked.lab.test', alpn: ['h3'] });
    expect(initial.datagram.length).toBe(1200);
    expect(initial.datagram.readUInt32BE(1)).toBe(1);
    expect(initial.datagram.subarray(6, 14).equals(initial.destinationConnectionId)).toBe(true);

    const { packetNumber, payload } = unprotect(
      initial.datagram,
      deriveClientInitialKeys(initial.destinationConnectionId),
    );
    expect(packetNumber).toBe(0);
    expect(payload[0]).toBe(0x06); // CRYPTO frame
    const clientHello = payload.subarray(4); // type, offset 0, 2-byte length
    expect(clientHello[0]).toBe(0x01); // handshake type client_hello
    expect(clientHello.includes(Buffer.from('blocked.lab.test'))).toBe(true);
    expect(clientHello.includes(Buffer.from([0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 0x68, 0x33]))).toBe(
      true,
    ); // ALPN h3
    expect(clientHello.includes(Buffer.from([0x00, 0x39]))).toBe(true); // quic_transport_parameters
    expect(clientHello.includes(Buffer.concat([Buffer.from([0x0f, 0x08]), initial.sourceConnectionId]))).toBe(
      true,
    );
  });
});
