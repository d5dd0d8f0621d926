import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '@reachmap/schema';

/**
 * The collector signs each agent configuration it sends; the agent pins the collector's public key
 * at enrolment and refuses any configuration that does not verify. The signature covers the RFC 8785
 * canonical JSON of `config`, so it survives any re-serialisation that keeps the values.
 */
export interface SignedDocument<T> {
  config: T;
  key_id: string;
  signature: string;
}

/** First 16 hex digits of SHA-256 over the SPKI DER: the key id of signed configurations and catalogues. */
export function signingKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function signAgentConfig<T>(config: T, privateKey: KeyObject): SignedDocument<T> {
  return {
    config,
    key_id: signingKeyId(createPublicKey(privateKey)),
    signature: sign(null, Buffer.from(canonicalJson(config)), privateKey).toString('base64url'),
  };
}

export function verifyAgentConfig(signed: SignedDocument<unknown>, publicKey: KeyObject): boolean {
  if (signed.key_id !== signingKeyId(publicKey) || !/^[A-Za-z0-9_-]{86}$/.test(signed.signature))
    return false;
  return verify(
    null,
    Buffer.from(canonicalJson(signed.config)),
    publicKey,
    Buffer.from(signed.signature, 'base64url'),
  );
}
