import type { RedisClient } from '@reachmap/queue';
import { newPrefixedId, ScopeEvent } from '@reachmap/schema';
import { liveSecrets, newSigningSecret } from './signing-secret.ts';
import {
  type DeliveryAttempt,
  StoredWebhook,
  type Webhook,
  type WebhookCreate,
  type WebhookUpdate,
} from './webhook-schema.ts';

/** Webhook keys live under `rm:` beside the API keys; docs/api.md lists them. */
export const WEBHOOK_KEYS = {
  /** Hash: webhook id → JSON StoredWebhook (with its signing secrets). */
  webhooks: 'rm:webhooks',
  /** List of JSON DeliveryAttempt, newest first, capped. */
  deliveries: (webhookId: string) => `rm:webhook-deliveries:${webhookId}`,
  /** JSON ScopeEvent kept for manual redelivery; written by the dispatcher. */
  event: (eventId: string) => `rm:webhook-event:${eventId}`,
} as const;

const DELIVERY_LOG_CAP = 500;
/** Events stay redeliverable for 30 days: longer than the retry schedule's 32 h. */
const EVENT_ARCHIVE_TTL_S = 30 * 24 * 3600;

export function publicWebhook(stored: StoredWebhook, now: number): Webhook {
  const { secrets, ...rest } = stored;
  return { ...rest, active_secrets: liveSecrets(secrets, now).length };
}

export async function createWebhook(
  redis: RedisClient,
  input: WebhookCreate,
  now: number,
): Promise<{ webhook: StoredWebhook; secret: string }> {
  const secret = newSigningSecret();
  const at = new Date(now).toISOString();
  const webhook: StoredWebhook = {
    id: newPrefixedId('whk'),
    ...input,
    enabled: true,
    disabled_reason: null,
    created_at: at,
    updated_at: at,
    secrets: [{ secret, expires_at: null }],
  };
  await redis.hset(WEBHOOK_KEYS.webhooks, webhook.id, JSON.stringify(webhook));
  return { webhook, secret };
}

export async function getWebhook(redis: RedisClient, id: string): Promise<StoredWebhook | null> {
  const json = await redis.hget(WEBHOOK_KEYS.webhooks, id);
  return json === null ? null : StoredWebhook.parse(JSON.parse(json));
}

export async function listWebhooks(redis: RedisClient): Promise<StoredWebhook[]> {
  const all = await redis.hgetall(WEBHOOK_KEYS.webhooks);
  return Object.values(all)
    .map((json) => StoredWebhook.parse(JSON.parse(json)))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

async function saveWebhook(redis: RedisClient, webhook: StoredWebhook): Promise<void> {
  await redis.hset(WEBHOOK_KEYS.webhooks, webhook.id, JSON.stringify(webhook));
}

export async function updateWebhook(
  redis: RedisClient,
  id: string,
  update: WebhookUpdate,
  now: number,
): Promise<StoredWebhook | null> {
  const current = await getWebhook(redis, id);
  if (current === null) return null;
  const { enabled, ...fields } = update;
  const next: StoredWebhook = {
    ...current,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    ...(enabled === undefined
      ? {}
      : { enabled, disabled_reason: enabled ? null : 'disabled by an administrator' }),
    updated_at: new Date(now).toISOString(),
  };
  await saveWebhook(redis, next);
  return next;
}

export async function disableWebhook(
  redis: RedisClient,
  id: string,
  reason: string,
  now: number,
): Promise<void> {
  const current = await getWebhook(redis, id);
  if (current === null || !current.enabled) return;
  await saveWebhook(redis, {
    ...current,
    enabled: false,
    disabled_reason: reason,
    updated_at: new Date(now).toISOString(),
  });
}

export async function deleteWebhook(redis: RedisClient, id: string): Promise<boolean> {
  const removed = await redis.hdel(WEBHOOK_KEYS.webhooks, id);
  await redis.del(WEBHOOK_KEYS.deliveries(id));
  return removed === 1;
}

/**
 * Starts a new current secret; the previous one keeps signing until `now + overlapMs`, so receivers
 * can switch over without dropping messages (Standard Webhooks: several `v1,` signatures per header).
 */
export async function rotateWebhookSecret(
  redis: RedisClient,
  id: string,
  overlapMs: number,
  now: number,
): Promise<{ webhook: StoredWebhook; secret: string } | null> {
  const current = await getWebhook(redis, id);
  if (current === null) return null;
  const secret = newSigningSecret();
  const expiresAt = new Date(now + overlapMs).toISOString();
  const previous = liveSecrets(current.secrets, now).map((old) => ({
    secret: old.secret,
    expires_at: old.expires_at !== null && old.expires_at < expiresAt ? old.expires_at : expiresAt,
  }));
  const webhook: StoredWebhook = {
    ...current,
    secrets: [{ secret, expires_at: null }, ...previous],
    updated_at: new Date(now).toISOString(),
  };
  await saveWebhook(redis, webhook);
  return { webhook, secret };
}

export async function recordDeliveryAttempt(redis: RedisClient, attempt: DeliveryAttempt): Promise<void> {
  const key = WEBHOOK_KEYS.deliveries(attempt.webhook_id);
  await redis.lpush(key, JSON.stringify(attempt));
  await redis.ltrim(key, 0, DELIVERY_LOG_CAP - 1);
}

export async function listDeliveryAttempts(redis: RedisClient, webhookId: string, limit: number) {
  const entries = await redis.lrange(WEBHOOK_KEYS.deliveries(webhookId), 0, limit - 1);
  return entries.map((json) => JSON.parse(json) as DeliveryAttempt);
}

export function newDeliveryAttemptId(): string {
  return newPrefixedId('dlv');
}

export async function archiveEvent(redis: RedisClient, event: ScopeEvent): Promise<void> {
  await redis.set(WEBHOOK_KEYS.event(event.id), JSON.stringify(event), 'EX', EVENT_ARCHIVE_TTL_S);
}

export async function archivedEvent(redis: RedisClient, eventId: string): Promise<ScopeEvent | null> {
  const json = await redis.get(WEBHOOK_KEYS.event(eventId));
  return json === null ? null : ScopeEvent.parse(JSON.parse(json));
}
