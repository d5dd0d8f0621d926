/**
 * The server_name of a TLS ClientHello (RFC 8446 §4.1.2, RFC 6066 §3), or null when `data` does not
 * start with a complete one. A DPI box reads the same bytes.
 */
export function clientHelloServerName(data: Buffer): string | null {
  // Record header (5) + handshake header (4) + version (2) + random (32).
  if (data.length < 43 || data[0] !== 0x16 || data[5] !== 0x01) return null;
  let offset = 43;
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (offset + lengthBytes > data.length) return false;
    const length = lengthBytes === 1 ? (data[offset] ?? 0) : data.readUInt16BE(offset);
    offset += lengthBytes + length;
    return offset <= data.length;
  };
  if (!skip(1) || !skip(2) || !skip(1)) return null; // session id, cipher suites, compression
  if (offset + 2 > data.length) return null;
  const extensionsEnd = Math.min(data.length, offset + 2 + data.readUInt16BE(offset));
  offset += 2;
  while (offset + 4 <= extensionsEnd) {
    const type = data.readUInt16BE(offset);
    const length = data.readUInt16BE(offset + 2);
    const body = offset + 4;
    if (type === 0 && body + 5 <= extensionsEnd) {
      // server_name_list length (2), name type (1), host_name length (2), host_name.
      const nameLength = data.readUInt16BE(body + 3);
      return data.subarray(body + 5, body + 5 + nameLength).toString('ascii');
    }
    offset = body + length;
  }
  return null;
}
