import { createRoute, z } from '@hono/zod-openapi';
import { HttpError } from '@reachmap/server-kit';
import { csvResponse, wantsCsv } from '../../http/csv.ts';
import { errorResponses } from '../../http/error-schema.ts';
import { Webhook, WebhookCreate, WebhookUpdate } from '../../webhooks/webhook-schema.ts';
import {
  createWebhook,
  deleteWebhook,
  listWebhooks,
  publicWebhook,
  updateWebhook,
} from '../../webhooks/webhook-store.ts';
import type { ApiApp, RouteDeps } from '../route-deps.ts';
import { FormatParam } from '../shared-schemas.ts';
import { assertSafeDestination, existingWebhook, WEBHOOK_ERRORS, WebhookIdParam } from './webhook-params.ts';

const CreatedWebhook = Webhook.extend({
  /** The signing secret, shown only in this response. */
  secret: z.string().openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}).openapi('CreatedWebhook');

const WEBHOOK_COLUMNS = [
  'id',
  'url',
  'format',
  'event_types',
  'filters',
  'enabled',
  'disabled_reason',
  'created_at',
];
const UNSAFE = errorResponses({ 422: 'The URL is refused by the SSRF guard' });

export function registerWebhookCrudRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks',
      summary: 'Subscribe an endpoint to events; the signing secret is returned once',
      middleware: deps.requireAdmin,
      request: { body: { required: true, content: { 'application/json': { schema: WebhookCreate } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: CreatedWebhook } } },
        ...WEBHOOK_ERRORS,
        ...UNSAFE,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      await assertSafeDestination(deps, input.url);
      const { webhook, secret } = await createWebhook(deps.redis, input, deps.now());
      deps.logger.info({ webhookId: webhook.id, format: webhook.format }, 'webhook created');
      return c.json({ ...publicWebhook(webhook, deps.now()), secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks',
      summary: 'List webhooks (never their secrets)',
      middleware: deps.requireAdmin,
      request: { query: z.object({ format: FormatParam }) },
      responses: {
        200: {
          description: 'Webhooks',
          content: {
            'application/json': { schema: z.object({ webhooks: z.array(Webhook) }) },
            'text/csv': { schema: z.string() },
          },
        },
        ...WEBHOOK_ERRORS,
      },
    }),
    async (c) => {
      const webhooks = (await listWebhooks(deps.redis)).map((webhook) => publicWebhook(webhook, deps.now()));
      if (wantsCsv(c)) return csvResponse(c, WEBHOOK_COLUMNS, webhooks);
      return c.json({ webhooks }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks/{id}',
      summary: 'One webhook',
      middleware: deps.requireAdmin,
      request: { params: WebhookIdParam },
      responses: {
        200: { description: 'The webhook', content: { 'application/json': { schema: Webhook } } },
        ...WEBHOOK_ERRORS,
      },
    }),
    async (c) => {
      const webhook = await existingWebhook(deps, c.req.valid('param').id);
      return c.json(publicWebhook(webhook, deps.now()), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/webhooks/{id}',
      summary: 'Change a webhook; `enabled: true` re-enables one that was disabled',
      middleware: deps.requireAdmin,
      request: {
        params: WebhookIdParam,
        body: { required: true, content: { 'application/json': { schema: WebhookUpdate } } },
      },
      responses: {
        200: { description: 'Updated', content: { 'application/json': { schema: Webhook } } },
        ...WEBHOOK_ERRORS,
        ...UNSAFE,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const update = c.req.valid('json');
      await existingWebhook(deps, id);
      if (update.url !== undefined) await assertSafeDestination(deps, update.url);
      const webhook = await updateWebhook(deps.redis, id, update, deps.now());
      if (webhook === null) throw new HttpError(404, 'webhook_not_found', `no webhook ${id}`);
      deps.logger.info({ webhookId: id, enabled: webhook.enabled }, 'webhook updated');
      return c.json(publicWebhook(webhook, deps.now()), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/webhooks/{id}',
      summary: 'Delete a webhook and its delivery log',
      middleware: deps.requireAdmin,
      request: { params: WebhookIdParam },
      responses: { 204: { description: 'Deleted' }, ...WEBHOOK_ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await existingWebhook(deps, id);
      await deleteWebhook(deps.redis, id);
      deps.logger.info({ webhookId: id }, 'webhook deleted');
      return c.body(null, 204);
    },
  );
}
