import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '@reachmap/queue';
import { z } from 'zod';
import { COLLECTOR_KEYS } from '../redis-keys.ts';

const TokenGrant = z.object({
  label: z.string(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  /** Issued by the lab or demo: the agent enrolled with it may only submit simulated measurements. */
  simulated: z.boolean().default(false),
});
export type TokenGrant = z.input<typeof TokenGrant>;

export function hashEnrolmentToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** `rmt_` and 32 random bytes (base64url): unguessable, and recognisable if it leaks into a paste. */
export function newEnrolmentToken(): string {
  return `rmt_${randomBytes(32).toString('base64url')}`;
}

/** Stores only the token's hash; Redis drops it at expiry, so an unused token leaves nothing behind. */
export async function storeEnrolmentToken(
  redis: RedisClient,
  token: string,
  grant: TokenGrant,
  ttlMs: number,
): Promise<void> {
  await redis.set(
    COLLECTOR_KEYS.enrolmentToken(hashEnrolmentToken(token)),
    JSON.stringify(grant),
    'PX',
    ttlMs,
  );
}

/**
 * Takes the token out of Redis in one atomic GETDEL: of two racing enrolments with the same token,
 * exactly one gets the grant. Returns null for unknown, used or expired tokens.
 */
export async function consumeEnrolmentToken(
  redis: RedisClient,
  token: string,
  now: number,
): Promise<z.infer<typeof TokenGrant> | null> {
  const stored = await redis.getdel(COLLECTOR_KEYS.enrolmentToken(hashEnrolmentToken(token)));
  if (stored === null) return null;
  const grant = TokenGrant.parse(JSON.parse(stored));
  // Redis expiry is the primary guard; this catches a clock or TTL mismatch.
  return Date.parse(grant.expires_at) > now ? grant : null;
}
