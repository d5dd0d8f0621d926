import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

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

/** RFC 8785 (JCS) for plain JSON values: keys sorted by UTF-16 code units, no whitespace. */
export function canonicalJsonOf(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalise the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJsonOf(item ?? null)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJsonOf(item)}`).join(',')}}`;
  }
  throw new TypeError(`cannot canonicalise a value of type ${typeof value}`);
}

/** First 16 hex digits of SHA-256 over the SPKI DER: the same key id the catalogue signatures use. */
export function collectorKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function signAgentConfig<T>(config: T, privateKey: KeyObject): SignedDocument<T> {
  return {
    config,
    key_id: collectorKeyId(createPublicKey(privateKey)),
    signature: sign(null, Buffer.from(canonicalJsonOf(config)), privateKey).toString('base64url'),
  };
}

export function verifyAgentConfig(signed: SignedDocument<unknown>, publicKey: KeyObject): boolean {
  if (signed.key_id !== collectorKeyId(publicKey) || !/^[A-Za-z0-9_-]{86}$/.test(signed.signature)) return false;
  return verify(null, Buffer.from(canonicalJsonOf(signed.config)), publicKey, Buffer.from(signed.signature, 'base64url'));
}
