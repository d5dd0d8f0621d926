import { renderReferencePage } from '../reference/reference-page.ts';
import type { ApiApp } from './route-deps.ts';

const DOCUMENT_CONFIG = {
  openapi: '3.1.0',
  info: {
    title: 'reachmap API',
    version: '1',
    description:
      'Maps, time series, events and evidence of network interference; OONI-compatible aggregation; webhooks and ' +
      'Server-Sent Events for alerts. Authentication: `Authorization: Bearer rmk_…` (docs/api.md).',
  },
  // Reads may also be anonymous when the operator allows it, hence the empty alternative.
  security: [{ apiKey: [] as string[] }, {} as Record<string, string[]>],
};

/** `/v1/openapi.json` generated from the routes' zod schemas, and `/v1/docs` rendered from it. */
export function registerReferenceRoutes(app: ApiApp): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key, rmk_…, made with `reachmap admin keys create`',
  });
  app.doc31('/v1/openapi.json', DOCUMENT_CONFIG);
  app.get('/v1/docs', (c) => c.html(renderReferencePage(app.getOpenAPI31Document(DOCUMENT_CONFIG))));
}
