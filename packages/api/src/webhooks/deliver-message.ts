import type { RedisClient } from '@reachmap/queue';
import { injectTraceContext } from '@reachmap/telemetry';
import type { AddressPolicy } from './address-policy.ts';
import { type ResolveHost, resolveWithSystem, vetDestination } from './destination-vetting.ts';
import { postToDestination } from './http-post.ts';
import { renderBody, type WebhookMessage } from './message-body.ts';
import { signedHeaders } from './signature.ts';
import { liveSecrets } from './signing-secret.ts';
import type { DeliveryAttempt, DeliveryTrigger, StoredWebhook } from './webhook-schema.ts';
import { newDeliveryAttemptId, recordDeliveryAttempt } from './webhook-store.ts';

export interface DeliveryContext {
  redis: RedisClient;
  addressPolicy: AddressPolicy;
  resolveHost?: ResolveHost;
  timeoutMs: number;
  now: () => number;
  userAgent: string;
}

export interface DeliveryOutcome {
  attempt: DeliveryAttempt;
  /** The receiver's Retry-After, as received. */
  retryAfter: string | null;
}

/**
 * One attempt: vet the URL again (its DNS may have changed since it was registered), sign, POST to
 * the vetted address, and record the attempt in the endpoint's delivery log.
 */
export async function deliverMessage(
  webhook: StoredWebhook,
  message: WebhookMessage,
  trigger: DeliveryTrigger,
  attemptNumber: number,
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const startedAt = context.now();
  const base = {
    id: newDeliveryAttemptId(),
    webhook_id: webhook.id,
    message_id: message.id,
    event_type: message.type,
    trigger,
    attempt: attemptNumber,
    attempted_at: new Date(startedAt).toISOString(),
  };
  const vetting = await vetDestination(
    webhook.url,
    context.addressPolicy,
    context.resolveHost ?? resolveWithSystem,
  );
  let outcome: DeliveryOutcome;
  if (!vetting.ok) {
    outcome = {
      attempt: { ...base, outcome: 'refused', response_status: null, error: vetting.reason, duration_ms: 0 },
      retryAfter: null,
    };
  } else {
    const body = renderBody(message, webhook.format);
    const secrets = liveSecrets(webhook.secrets, startedAt).map((secret) => secret.secret);
    const headers = {
      'content-type': 'application/json',
      'user-agent': context.userAgent,
      ...signedHeaders(secrets, message.id, Math.floor(startedAt / 1000), body),
      // The delivery span's W3C context, so a traced receiver continues the trace; nothing without tracing.
      ...injectTraceContext(),
    };
    const result = await postToDestination(vetting.destination, headers, body, context.timeoutMs);
    const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
    outcome = {
      attempt: {
        ...base,
        outcome: succeeded ? 'succeeded' : 'failed',
        response_status: result.status,
        error: succeeded ? null : (result.error ?? `the endpoint answered HTTP ${result.status}`),
        duration_ms: Math.round(result.durationMs),
      },
      retryAfter: result.retryAfter,
    };
  }
  await recordDeliveryAttempt(context.redis, outcome.attempt);
  return outcome;
}
