import { createRoute, z } from '@hono/zod-openapi';
import { ScopeEvent, ScopeKey, ScopeState, TargetId } from '@reachmap/schema';
import { readLatestEvents, readOpenStates } from '@reachmap/store';
import { READ_ERRORS } from '../http/error-schema.ts';
import { scopeWithin } from '../reader/scope-within.ts';
import { EventTypesParam } from './events.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';

const LatestEventsResponse = z
  .object({ events: z.array(ScopeEvent.extend({ cursor: z.string() })) })
  .openapi('LatestEventsResponse');

const OpenState = ScopeState.extend({
  /** Measurements that opened the interference (the evidence to look at first). */
  witnesses: z.array(z.string()),
}).openapi('OpenState');

const OpenStatesResponse = z.object({ open: z.array(OpenState) }).openapi('OpenStatesResponse');

const SimulatedParam = z.enum(['true', 'false']).default('true');

/**
 * What a reader opening the dashboard needs before the live stream has anything to say: the latest
 * events (newest first) and the interferences open now.
 */
export function registerEventsNowRoutes(app: ApiApp, deps: RouteDeps): void {
  const latest = createRoute({
    method: 'get',
    path: '/v1/events/latest',
    summary: 'The latest state transitions, newest first',
    middleware: [deps.requireRead] as const,
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        type: EventTypesParam,
        scope: ScopeKey.optional(),
        within: ScopeKey.optional(),
        target: TargetId.optional(),
        simulated: SimulatedParam,
      }),
    },
    responses: {
      200: { description: 'Events', content: { 'application/json': { schema: LatestEventsResponse } } },
      ...READ_ERRORS,
    },
  });
  app.openapi(latest, async (c) => {
    const query = c.req.valid('query');
    const stored = await readLatestEvents(deps.redis, deps.store, {
      limit: query.limit,
      filters: {
        ...(query.type === undefined ? {} : { types: query.type }),
        ...(query.scope === undefined ? {} : { scope: query.scope }),
        ...(query.target === undefined ? {} : { target: query.target }),
        ...(query.within === undefined
          ? {}
          : { within: await scopeWithin(deps.redis, deps.store, query.within) }),
        includeSimulated: query.simulated === 'true',
      },
    });
    return c.json({ events: stored.map(({ streamId, event }) => ({ ...event, cursor: streamId })) }, 200);
  });

  const open = createRoute({
    method: 'get',
    path: '/v1/events/open',
    summary: 'Regions and ASNs whose interference (or outage) is open now, newest first',
    middleware: [deps.requireRead] as const,
    request: { query: z.object({ target: TargetId.optional(), simulated: SimulatedParam }) },
    responses: {
      200: { description: 'Open states', content: { 'application/json': { schema: OpenStatesResponse } } },
      ...READ_ERRORS,
    },
  });
  app.openapi(open, async (c) => {
    const { target, simulated } = c.req.valid('query');
    const states = await readOpenStates(deps.redis, deps.store, target === undefined ? {} : { target });
    return c.json({ open: states.filter((state) => simulated === 'true' || !state.simulated) }, 200);
  });
}
