import { createHash, type KeyObject, randomBytes, sign, verify } from 'node:crypto';

/**
 * Agents sign every request to the collector; no shared secret exists at rest on either side.
 * The signed string binds method, path (with query), timestamp, a one-time nonce and the SHA-256
 * of the body bytes exactly as sent (after gzip, when gzip is used):
 *
 *   reachmap-v1\n<METHOD>\n<path>\n<unix seconds>\n<nonce>\n<hex sha256(body)>
 */
export const SIGNATURE_HEADERS = {
  agent: 'x-reachmap-agent',
  timestamp: 'x-reachmap-timestamp',
  nonce: 'x-reachmap-nonce',
  signature: 'x-reachmap-signature',
} as const;

/** Requests older or newer than this are refused; nonces need only be remembered this long. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface SignableRequest {
  method: string;
  /** Path and query as sent, e.g. `/v1/measurements`. */
  path: string;
  body: Uint8Array;
}

export function signingString(request: SignableRequest, timestamp: number, nonce: string): string {
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  return ['reachmap-v1', request.method.toUpperCase(), request.path, String(timestamp), nonce, bodyHash].join(
    '\n',
  );
}

/** The headers to add to a request: agent id, timestamp, nonce and the Ed25519 signature. */
export function signRequest(
  request: SignableRequest,
  agentId: string,
  privateKey: KeyObject,
  now: number = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  const nonce = randomBytes(16).toString('hex');
  const signature = sign(null, Buffer.from(signingString(request, timestamp, nonce)), privateKey);
  return {
    [SIGNATURE_HEADERS.agent]: agentId,
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature.toString('base64url'),
  };
}

export type SignatureCheck =
  | { ok: true; agentId: string; nonce: string; timestamp: number }
  | {
      ok: false;
      code: 'signature_missing' | 'signature_malformed' | 'signature_expired' | 'signature_invalid';
      message: string;
    };

/** Reads the signature headers; the caller looks up the agent's key and checks the nonce. */
export function readSignatureHeaders(
  headers: (name: string) => string | undefined,
  now: number = Date.now(),
):
  | { ok: true; agentId: string; timestamp: number; nonce: string; signature: Buffer }
  | Extract<SignatureCheck, { ok: false }> {
  const agentId = headers(SIGNATURE_HEADERS.agent);
  const timestampText = headers(SIGNATURE_HEADERS.timestamp);
  const nonce = headers(SIGNATURE_HEADERS.nonce);
  const signatureText = headers(SIGNATURE_HEADERS.signature);
  if (!agentId || !timestampText || !nonce || !signatureText) {
    const missing = Object.values(SIGNATURE_HEADERS).filter((name) => !headers(name));
    return {
      ok: false,
      code: 'signature_missing',
      message: `missing signature headers: ${missing.join(', ')}`,
    };
  }
  if (
    !/^\d{1,12}$/.test(timestampText) ||
    !/^[0-9a-f]{32}$/.test(nonce) ||
    !/^[A-Za-z0-9_-]{86}$/.test(signatureText)
  ) {
    return {
      ok: false,
      code: 'signature_malformed',
      message: `${SIGNATURE_HEADERS.timestamp} must be unix seconds, ${SIGNATURE_HEADERS.nonce} 32 hex digits and ${SIGNATURE_HEADERS.signature} a base64url Ed25519 signature`,
    };
  }
  const timestamp = Number(timestampText);
  const skew = Math.abs(Math.floor(now / 1000) - timestamp);
  if (skew > SIGNATURE_TOLERANCE_SECONDS) {
    return {
      ok: false,
      code: 'signature_expired',
      message: `request timestamp is ${skew} s away from the server clock (allowed: ±${SIGNATURE_TOLERANCE_SECONDS} s); check the agent's clock`,
    };
  }
  return { ok: true, agentId, timestamp, nonce, signature: Buffer.from(signatureText, 'base64url') };
}

export function verifyRequestSignature(
  request: SignableRequest,
  signed: { timestamp: number; nonce: string; signature: Buffer },
  publicKey: KeyObject,
): boolean {
  return verify(
    null,
    Buffer.from(signingString(request, signed.timestamp, signed.nonce)),
    publicKey,
    signed.signature,
  );
}
