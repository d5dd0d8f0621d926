import { hkdfExpandLabel, hkdfExtract } from './hkdf.ts';

/** QUIC v1's initial salt (RFC 9001 §5.2). */
const INITIAL_SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');

export interface PacketProtectionKeys {
  /** AES-128-GCM key for the payload. */
  key: Buffer;
  iv: Buffer;
  /** AES-128 key for header protection. */
  hp: Buffer;
}

/** The client's Initial packet keys, derived from the Destination Connection ID (RFC 9001 §5.2). */
export function deriveClientInitialKeys(destinationConnectionId: Buffer): PacketProtectionKeys {
  const initialSecret = hkdfExtract(INITIAL_SALT_V1, destinationConnectionId);
  const clientSecret = hkdfExpandLabel(initialSecret, 'client in', 32);
  return {
    key: hkdfExpandLabel(clientSecret, 'quic key', 16),
    iv: hkdfExpandLabel(clientSecret, 'quic iv', 12),
    hp: hkdfExpandLabel(clientSecret, 'quic hp', 16),
  };
}
