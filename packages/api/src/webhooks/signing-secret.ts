import { randomBytes } from 'node:crypto';
import type { SigningSecret } from './webhook-schema.ts';

export const SIGNING_SECRET_PREFIX = 'whsec_';

/** Standard Webhooks secrets are `whsec_` + base64 of 24-64 random bytes; 32 bytes match HMAC-SHA256's block strength. */
export function newSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Secrets that still sign at `now`: the current one and, during a rotation's overlap, the previous one. */
export function liveSecrets(secrets: readonly SigningSecret[], now: number): SigningSecret[] {
  return secrets.filter((secret) => secret.expires_at === null || Date.parse(secret.expires_at) > now);
}
