import { createRoute, z } from '@hono/zod-openapi';
import { HttpError } from '@reachmap/server-kit';
import { csvResponse, wantsCsv } from '../../http/csv.ts';
import { deliverMessage } from '../../webhooks/deliver-message.ts';
import { enqueueDelivery } from '../../webhooks/delivery-queue.ts';
import { DeliveryAttempt, Webhook } from '../../webhooks/webhook-schema.ts';
import {
  archivedEvent,
  listDeliveryAttempts,
  newDeliveryAttemptId,
  publicWebhook,
  rotateWebhookSecret,
} from '../../webhooks/webhook-store.ts';
import type { ApiApp, RouteDeps } from '../route-deps.ts';
import { FormatParam } from '../shared-schemas.ts';
import { existingWebhook, WEBHOOK_ERRORS, WebhookIdParam } from './webhook-params.ts';

const DELIVERY_COLUMNS = [
  'id',
  'message_id',
  'event_type',
  'trigger',
  'attempt',
  'outcome',
  'response_status',
  'error',
  'attempted_at',
  'duration_ms',
];

/** Delivery log, test sends, manual redelivery and secret rotation of one webhook. */
export function registerWebhookDeliveryRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks/{id}/deliveries',
      summary: 'Delivery attempts, newest first: outcome, response status, error, timing',
      middleware: deps.requireAdmin,
      request: {
        params: WebhookIdParam,
        query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), format: FormatParam }),
      },
      responses: {
        200: {
          description: 'Attempts',
          content: {
            'application/json': { schema: z.object({ deliveries: z.array(DeliveryAttempt) }) },
            'text/csv': { schema: z.string() },
          },
        },
        ...WEBHOOK_ERRORS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await existingWebhook(deps, id);
      const deliveries = await listDeliveryAttempts(deps.redis, id, c.req.valid('query').limit);
      if (wantsCsv(c)) return csvResponse(c, DELIVERY_COLUMNS, deliveries);
      return c.json({ deliveries }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks/{id}/test',
      summary: 'Send a signed `webhook.test` message now and report the attempt',
      middleware: deps.requireAdmin,
      request: { params: WebhookIdParam },
      responses: {
        200: {
          description: 'The attempt (see `outcome`)',
          content: { 'application/json': { schema: DeliveryAttempt } },
        },
        ...WEBHOOK_ERRORS,
      },
    }),
    async (c) => {
      const webhook = await existingWebhook(deps, c.req.valid('param').id);
      const now = deps.now();
      const message = {
        id: `msg_${newDeliveryAttemptId().slice(4)}`,
        type: 'webhook.test',
        timestamp: new Date(now).toISOString(),
        data: { webhook_id: webhook.id, message: 'reachmap test delivery; no state changed' },
      };
      const { attempt } = await deliverMessage(webhook, message, 'test', 1, deps.webhooks.delivery);
      return c.json(attempt, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
      summary: "Queue a delivery's event again (same webhook-id, full retry schedule)",
      middleware: deps.requireAdmin,
      request: {
        params: WebhookIdParam.extend({ deliveryId: z.string().regex(/^dlv_[0-9A-Za-z]{16,40}$/) }),
      },
      responses: {
        202: {
          description: 'Queued',
          content: { 'application/json': { schema: z.object({ queued: z.string() }) } },
        },
        ...WEBHOOK_ERRORS,
      },
    }),
    async (c) => {
      const { id, deliveryId } = c.req.valid('param');
      await existingWebhook(deps, id);
      const attempt = (await listDeliveryAttempts(deps.redis, id, 500)).find(
        (entry) => entry.id === deliveryId,
      );
      if (attempt === undefined)
        throw new HttpError(404, 'delivery_not_found', `no delivery ${deliveryId} of ${id}`);
      if (attempt.trigger === 'test' || (await archivedEvent(deps.redis, attempt.message_id)) === null) {
        throw new HttpError(
          409,
          'not_redeliverable',
          'only event deliveries of the last 30 days can be redelivered',
        );
      }
      const jobId = `${attempt.message_id}.${id}.redeliver-${deps.now()}`;
      await enqueueDelivery(
        deps.webhooks.queue,
        { webhookId: id, eventId: attempt.message_id, trigger: 'redelivery' },
        deps.webhooks.attempts,
        jobId,
      );
      deps.logger.info({ webhookId: id, eventId: attempt.message_id }, 'webhook redelivery queued');
      return c.json({ queued: jobId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks/{id}/rotate-secret',
      summary: 'Start a new signing secret; the old one keeps signing during the overlap window',
      middleware: deps.requireAdmin,
      request: { params: WebhookIdParam },
      responses: {
        200: {
          description: 'The new secret, shown only in this response',
          content: { 'application/json': { schema: Webhook.extend({ secret: z.string() }) } },
        },
        ...WEBHOOK_ERRORS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await existingWebhook(deps, id);
      const rotated = await rotateWebhookSecret(deps.redis, id, deps.webhooks.secretOverlapMs, deps.now());
      if (rotated === null) throw new HttpError(404, 'webhook_not_found', `no webhook ${id}`);
      deps.logger.info({ webhookId: id, overlapMs: deps.webhooks.secretOverlapMs }, 'webhook secret rotated');
      return c.json({ ...publicWebhook(rotated.webhook, deps.now()), secret: rotated.secret }, 200);
    },
  );
}
