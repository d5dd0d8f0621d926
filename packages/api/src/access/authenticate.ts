import type { RedisClient } from '@reachmap/queue';
import { clientAddress, enforceRateLimit, HttpError, type RateLimit } from '@reachmap/server-kit';
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from '../http/api-env.ts';
import { findApiKey } from './api-keys.ts';
import { type ApiRole, hasRole } from './principal.ts';

const RATE_LIMIT_KEYS = {
  perKey: (keyId: string) => `rm:rate:api-key:${keyId}`,
  perAddress: (address: string) => `rm:rate:api-ip:${address}`,
} as const;

export interface AccessPolicy {
  /** Whether requests without a key may read (default on; docs/api.md). */
  anonymousRead: boolean;
  perKey: RateLimit;
  perAddress: RateLimit;
}

/**
 * Resolves `Authorization: Bearer rmk_…` into a principal and charges the rate limit: per key for
 * keyed requests, per peer address for anonymous ones. A presented but unknown key is refused rather
 * than downgraded to anonymous, so a revoked key fails loudly.
 */
export function authenticate(redis: RedisClient, policy: AccessPolicy): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) {
      const address = clientAddress(c);
      await enforceRateLimit(
        redis,
        RATE_LIMIT_KEYS.perAddress(address),
        policy.perAddress,
        'anonymous access',
      );
      c.set('principal', { kind: 'anonymous', address });
      return next();
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const key = match?.[1] === undefined ? null : await findApiKey(redis, match[1]);
    if (key === null) {
      throw new HttpError(401, 'unauthenticated', 'the API key is missing, malformed, unknown or revoked');
    }
    await enforceRateLimit(redis, RATE_LIMIT_KEYS.perKey(key.id), policy.perKey, 'this API key');
    c.set('principal', { kind: 'key', keyId: key.id, role: key.role });
    return next();
  };
}

/** Refuses the request unless the principal holds `role`; anonymous may read when the policy allows. */
export function requireRole(role: ApiRole, policy: AccessPolicy): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (principal.kind === 'anonymous') {
      if (role === 'read' && policy.anonymousRead) return next();
      throw new HttpError(401, 'unauthenticated', `this endpoint needs an API key with the ${role} role`);
    }
    if (!hasRole(principal, role)) {
      throw new HttpError(
        403,
        'forbidden',
        `this endpoint needs the ${role} role; the key has ${principal.role}`,
      );
    }
    return next();
  };
}
