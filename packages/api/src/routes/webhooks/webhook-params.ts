import { z } from '@hono/zod-openapi';
import { HttpError } from '@reachmap/server-kit';
import { errorResponses } from '../../http/error-schema.ts';
import { vetDestination } from '../../webhooks/destination-vetting.ts';
import type { StoredWebhook } from '../../webhooks/webhook-schema.ts';
import { getWebhook } from '../../webhooks/webhook-store.ts';
import type { RouteDeps } from '../route-deps.ts';

export const WebhookIdParam = z.object({
  id: z.string().regex(/^whk_[0-9A-Za-z]{16,40}$/, 'expected a webhook id such as whk_…'),
});

/** Refusals of every webhook endpoint: it is admin-only. */
export const WEBHOOK_ERRORS = errorResponses({
  400: 'Invalid request',
  401: 'Missing or unknown API key',
  403: 'The key lacks the admin role',
  404: 'No such webhook',
  429: 'Rate limit reached; see Retry-After',
});

export async function existingWebhook(deps: RouteDeps, id: string): Promise<StoredWebhook> {
  const webhook = await getWebhook(deps.redis, id);
  if (webhook === null) throw new HttpError(404, 'webhook_not_found', `no webhook ${id}`);
  return webhook;
}

/** The SSRF guard at registration: a URL that could reach internal addresses is refused up front. */
export async function assertSafeDestination(deps: RouteDeps, url: string): Promise<void> {
  const { addressPolicy, resolveHost } = deps.webhooks.delivery;
  const vetting = await vetDestination(url, addressPolicy, resolveHost);
  if (!vetting.ok) {
    throw new HttpError(422, 'unsafe_destination', `the webhook URL is refused: ${vetting.reason}`, {
      details: [{ path: '/json/url', message: vetting.reason }],
    });
  }
}
