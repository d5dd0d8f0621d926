import { createHmac } from 'node:crypto';
import { SIGNING_SECRET_PREFIX } from './signing-secret.ts';

/**
 * Standard Webhooks (https://www.standardwebhooks.com, spec "Signature scheme"): HMAC-SHA256 over
 * `${msgId}.${timestampSeconds}.${body}`, keyed with the base64-decoded part after `whsec_`, sent as
 * `v1,<base64>`; several signatures (key rotation) are separated by spaces.
 */
export function signMessage(secret: string, messageId: string, timestampS: number, body: string): string {
  const key = Buffer.from(secret.slice(SIGNING_SECRET_PREFIX.length), 'base64');
  const mac = createHmac('sha256', key).update(`${messageId}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signedHeaders(
  secrets: readonly string[],
  messageId: string,
  timestampS: number,
  body: string,
): SignedHeaders {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': secrets.map((secret) => signMessage(secret, messageId, timestampS, body)).join(' '),
  };
}
