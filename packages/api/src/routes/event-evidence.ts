import { createRoute, z } from '@hono/zod-openapi';
import { expectationsByTarget } from '@reachmap/aggregator';
import { EventId, EvidenceBundle } from '@reachmap/schema';
import { HttpError } from '@reachmap/server-kit';
import { evidenceBundle, findEvent } from '../events/evidence-bundle.ts';
import { READ_ERRORS } from '../http/error-schema.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';

/** `GET /v1/events/{id}/evidence`: what a third party needs to check the event offline. */
export function registerEventEvidenceRoute(app: ApiApp, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/v1/events/{id}/evidence',
    summary: 'The evidence bundle of one event, checkable offline with `reachmap verify`',
    middleware: [deps.requireRead] as const,
    request: { params: z.object({ id: EventId }) },
    responses: {
      200: {
        description: 'The bundle (reachmap-evidence-bundle/1)',
        content: { 'application/json': { schema: EvidenceBundle.extend({}).openapi('EvidenceBundle') } },
      },
      ...READ_ERRORS,
    },
  });
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const event = await findEvent(deps.redis, deps.store.partitions, id);
    if (event === null) throw new HttpError(404, 'not_found', `no event ${id} in the event streams`);
    const catalogue = await deps.catalogue();
    const bundle = await evidenceBundle(
      deps.redis,
      deps.evidence,
      catalogue,
      expectationsByTarget(catalogue),
      event,
      deps.now(),
    );
    c.header('content-disposition', `attachment; filename="reachmap-evidence-${id}.json"`);
    return c.json(bundle, 200);
  });
}
