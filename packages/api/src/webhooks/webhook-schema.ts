import { z } from '@hono/zod-openapi';
import { Asn, CountryCode, EVENT_TYPES, RegionCode, TargetId } from '@reachmap/schema';

export const WebhookFormat = z.enum(['standard', 'slack', 'discord']);
export type WebhookFormat = z.infer<typeof WebhookFormat>;

/** Which events reach a subscription; empty lists mean "any". docs/api.md spells out the matching. */
export const WebhookFilters = z.object({
  countries: z.array(CountryCode).max(300).default([]),
  regions: z.array(RegionCode).max(1000).default([]),
  asns: z.array(Asn).max(1000).default([]),
  targets: z.array(TargetId).max(500).default([]),
  min_confidence: z.number().min(0).max(1).default(0),
  /** Lab and demo events reach a subscriber only when asked for (docs/state-machine.md). */
  include_simulated: z.boolean().default(false),
});
export type WebhookFilters = z.infer<typeof WebhookFilters>;

const WebhookUrl = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).max(2000);
const EventTypes = z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length);

export const WebhookCreate = z
  .object({
    url: WebhookUrl,
    description: z.string().max(500).default(''),
    event_types: EventTypes.default([...EVENT_TYPES]),
    filters: WebhookFilters.prefault({}),
    format: WebhookFormat.default('standard'),
  })
  .openapi('WebhookCreate');
export type WebhookCreate = z.infer<typeof WebhookCreate>;

export const WebhookUpdate = z
  .object({
    url: WebhookUrl.optional(),
    description: z.string().max(500).optional(),
    event_types: EventTypes.optional(),
    filters: WebhookFilters.optional(),
    format: WebhookFormat.optional(),
    /** Re-enable an endpoint that was disabled after failures or a 410. */
    enabled: z.boolean().optional(),
  })
  .openapi('WebhookUpdate');
export type WebhookUpdate = z.infer<typeof WebhookUpdate>;

/** A subscription as the API shows it: never its secrets. */
export const Webhook = z
  .object({
    id: z.string().openapi({ example: 'whk_4fQ2x9LmN0pR7sT1uV3wY5' }),
    url: z.string(),
    description: z.string(),
    event_types: z.array(z.enum(EVENT_TYPES)),
    filters: WebhookFilters,
    format: WebhookFormat,
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    /** How many signing secrets are live (2 during a rotation's overlap). */
    active_secrets: z.number().int(),
  })
  .openapi('Webhook');
export type Webhook = z.infer<typeof Webhook>;

export const SigningSecret = z.object({
  secret: z.string().startsWith('whsec_'),
  /** Null for the current secret; set on the previous one when a rotation starts its overlap. */
  expires_at: z.iso.datetime().nullable(),
});
export type SigningSecret = z.infer<typeof SigningSecret>;

export const StoredWebhook = Webhook.omit({ active_secrets: true }).extend({
  secrets: z.array(SigningSecret).min(1),
});
export type StoredWebhook = z.infer<typeof StoredWebhook>;

export const DeliveryTrigger = z.enum(['event', 'test', 'redelivery']);
export type DeliveryTrigger = z.infer<typeof DeliveryTrigger>;

/** One HTTP attempt to deliver one message to one endpoint. */
export const DeliveryAttempt = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    /** The `webhook-id` header: the same for every attempt of a message, so receivers can de-duplicate. */
    message_id: z.string(),
    event_type: z.string(),
    trigger: DeliveryTrigger,
    attempt: z.number().int().min(1),
    outcome: z.enum(['succeeded', 'failed', 'refused']),
    response_status: z.number().int().nullable(),
    error: z.string().nullable(),
    attempted_at: z.iso.datetime(),
    duration_ms: z.number().min(0),
  })
  .openapi('DeliveryAttempt');
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;
