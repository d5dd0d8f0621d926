import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '@reachmap/queue';
import { newPrefixedId } from '@reachmap/schema';
import { z } from 'zod';
import { ApiRole } from './principal.ts';

/** API keys live beside the collector's keys under `rm:`; only their SHA-256 is stored. */
export const API_KEY_KEYS = {
  /** Hash: key id → JSON ApiKeyRecord. */
  records: 'rm:api-keys',
  /** String: key id, under the SHA-256 (hex) of the secret key. Deleted on revocation. */
  byHash: (hash: string) => `rm:api-key-hash:${hash}`,
} as const;

export const API_KEY_PREFIX = 'rmk_';

export const ApiKeyRecord = z.object({
  id: z.string(),
  role: ApiRole,
  label: z.string(),
  created_at: z.iso.datetime(),
  revoked_at: z.iso.datetime().nullable(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** The stored form also keeps the SHA-256 of the secret, so revocation can drop the lookup entry. */
const StoredApiKey = ApiKeyRecord.extend({ key_hash: z.string().regex(/^[0-9a-f]{64}$/) });
type StoredApiKey = z.infer<typeof StoredApiKey>;

function publicRecord({ key_hash: _hash, ...record }: StoredApiKey): ApiKeyRecord {
  return record;
}

async function readStoredKey(redis: RedisClient, keyId: string): Promise<StoredApiKey | null> {
  const json = await redis.hget(API_KEY_KEYS.records, keyId);
  return json === null ? null : StoredApiKey.parse(JSON.parse(json));
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** 32 random bytes: the key is a bearer credential and must not be guessable. */
function newApiKeySecret(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Creates a key; the secret is returned once and only its hash is kept. */
export async function createApiKey(
  redis: RedisClient,
  input: { role: ApiRole; label: string },
  now: number = Date.now(),
): Promise<{ record: ApiKeyRecord; secret: string }> {
  const secret = newApiKeySecret();
  const stored: StoredApiKey = {
    id: newPrefixedId('key'),
    role: input.role,
    label: input.label,
    created_at: new Date(now).toISOString(),
    revoked_at: null,
    key_hash: hashApiKey(secret),
  };
  await redis.hset(API_KEY_KEYS.records, stored.id, JSON.stringify(stored));
  await redis.set(API_KEY_KEYS.byHash(stored.key_hash), stored.id);
  return { record: publicRecord(stored), secret };
}

export async function listApiKeys(redis: RedisClient): Promise<ApiKeyRecord[]> {
  const all = await redis.hgetall(API_KEY_KEYS.records);
  return Object.values(all)
    .map((json) => publicRecord(StoredApiKey.parse(JSON.parse(json))))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

/** Revokes a key at once. Returns null when no key has this id. */
export async function revokeApiKey(
  redis: RedisClient,
  keyId: string,
  now: number = Date.now(),
): Promise<ApiKeyRecord | null> {
  const stored = await readStoredKey(redis, keyId);
  if (stored === null) return null;
  const revoked: StoredApiKey = { ...stored, revoked_at: stored.revoked_at ?? new Date(now).toISOString() };
  await redis.del(API_KEY_KEYS.byHash(stored.key_hash));
  await redis.hset(API_KEY_KEYS.records, keyId, JSON.stringify(revoked));
  return publicRecord(revoked);
}

/** The active key a bearer secret stands for, or null (unknown or revoked). */
export async function findApiKey(redis: RedisClient, secret: string): Promise<ApiKeyRecord | null> {
  if (!secret.startsWith(API_KEY_PREFIX)) return null;
  const keyId = await redis.get(API_KEY_KEYS.byHash(hashApiKey(secret)));
  if (keyId === null) return null;
  const stored = await readStoredKey(redis, keyId);
  return stored === null || stored.revoked_at !== null ? null : publicRecord(stored);
}
