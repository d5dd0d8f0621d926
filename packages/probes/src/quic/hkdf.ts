import { createHmac } from 'node:crypto';

/** HKDF-Extract with SHA-256 (RFC 5869 §2.2). */
export function hkdfExtract(salt: Buffer, inputKeyMaterial: Buffer): Buffer {
  return createHmac('sha256', salt).update(inputKeyMaterial).digest();
}

/** HKDF-Expand with SHA-256 (RFC 5869 §2.3). */
function hkdfExpand(pseudoRandomKey: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; Buffer.concat(blocks).length < length; counter += 1) {
    previous = createHmac('sha256', pseudoRandomKey)
      .update(Buffer.concat([previous, info, Buffer.from([counter])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, as QUIC uses it. */
export function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([0]),
  ]);
  return hkdfExpand(secret, info, length);
}
