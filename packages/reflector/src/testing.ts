/** A QUIC v1 Initial-shaped datagram for tests: long header, the given ids, then padding to `size`. */
export function initialDatagram(dcid: Buffer, scid: Buffer, size = 1200): Buffer {
  const header = Buffer.concat([
    Buffer.from([0xc3, 0x00, 0x00, 0x00, 0x01, dcid.length]),
    dcid,
    Buffer.from([scid.length]),
    scid,
  ]);
  return Buffer.concat([header, Buffer.alloc(Math.max(0, size - header.length))]);
}
