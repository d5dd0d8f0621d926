export class VarintRangeError extends RangeError {
  override readonly name = 'VarintRangeError';
}

/** QUIC variable-length integer (RFC 9000 §16), in the shortest encoding unless `length` forces one. */
export function encodeVarint(value: number, length?: 1 | 2 | 4): Buffer {
  const size = length ?? (value < 0x40 ? 1 : value < 0x4000 ? 2 : 4);
  const max = { 1: 0x3f, 2: 0x3fff, 4: 0x3fff_ffff }[size];
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new VarintRangeError(`${value} does not fit a ${size}-byte QUIC varint`);
  }
  const buffer = Buffer.alloc(size);
  if (size === 1) buffer.writeUInt8(value);
  else if (size === 2) buffer.writeUInt16BE(0x4000 | value);
  else buffer.writeUInt32BE((0x8000_0000 | value) >>> 0);
  return buffer;
}
