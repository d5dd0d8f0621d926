import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** An agent's Ed25519 identity. Only the public half ever leaves the agent. */
export interface AgentKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateAgentKeyPair(): AgentKeyPair {
  return generateKeyPairSync('ed25519');
}

/** The 32-byte raw public key, base64url: what the collector stores (JWK `x`). */
export function exportPublicKey(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new TypeError('expected an Ed25519 public key');
  }
  return jwk.x;
}

export class InvalidPublicKeyError extends Error {
  override name = 'InvalidPublicKeyError';
}

export function importPublicKey(base64url: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(base64url)) {
    throw new InvalidPublicKeyError(
      'public_key must be a base64url-encoded 32-byte Ed25519 key (43 characters)',
    );
  }
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url }, format: 'jwk' });
  } catch (error) {
    throw new InvalidPublicKeyError(`public_key is not a valid Ed25519 key: ${(error as Error).message}`);
  }
}

export function exportPrivateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function importPrivateKeyPem(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}
