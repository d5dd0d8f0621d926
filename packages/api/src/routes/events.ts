import { createRoute, z } from '@hono/zod-openapi';
import { EventType, ScopeEvent, ScopeKey, TargetId } from '@reachmap/schema';
import { readEvents } from '@reachmap/store';
import { csvResponse, wantsCsv } from '../http/csv.ts';
import { READ_ERRORS } from '../http/error-schema.ts';
import { scopeWithin } from '../reader/scope-within.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';
import { FormatParam, InstantParam } from './shared-schemas.ts';

const StreamId = z
  .string()
  .regex(/^\d+-\d+$/, 'expected a cursor from a previous page, such as 1760000000000-0');

export const EventTypesParam = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text === '') return undefined;
    const parsed = z.array(EventType).safeParse(text.split(',').map((part) => part.trim()));
    if (!parsed.success) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a comma-separated list of ${EventType.options.join(', ')}`,
      });
      return z.NEVER;
    }
    return parsed.data;
  })
  .openapi({ type: 'string', example: 'block.started,block.ended' });

export const EventsResponse = z
  .object({
    events: z.array(ScopeEvent.extend({ cursor: z.string() })),
    /** Pass as `cursor` for the next page, or later to poll for newer events. */
    next_cursor: z.string(),
    /** False when the page reached the end of the stream (or `to`). */
    has_more: z.boolean(),
  })
  .openapi('EventsResponse');

const EVENT_COLUMNS = [
  'cursor',
  'id',
  'type',
  'scope',
  'target',
  'method',
  'since',
  'at',
  'confidence',
  'agents',
  'simulated',
  'counts',
  'witnesses',
];
// Filtered pages may come back short; this many store reads are spent filling one page at most.
const MAX_READS_PER_PAGE = 20;

export function registerEventsRoute(app: ApiApp, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/v1/events',
    summary: 'State transitions, oldest first, cursor-paginated',
    middleware: [deps.requireRead] as const,
    request: {
      query: z.object({
        cursor: StreamId.optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        type: EventTypesParam,
        scope: ScopeKey.optional(),
        /** The scope and its sub-scopes: a country's regions and ASNs, a region's ASNs. */
        within: ScopeKey.optional(),
        target: TargetId.optional(),
        from: InstantParam,
        to: InstantParam,
        /** `false` leaves out events decided from simulated (lab) agents. */
        simulated: z.enum(['true', 'false']).default('true'),
        format: FormatParam,
      }),
    },
    responses: {
      200: {
        description: 'A page of events',
        content: { 'application/json': { schema: EventsResponse }, 'text/csv': { schema: z.string() } },
      },
      ...READ_ERRORS,
    },
  });
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    let cursor = query.cursor ?? (query.from === undefined ? '0' : `${Math.max(0, query.from - 1)}-0`);
    const filters = {
      ...(query.type === undefined ? {} : { types: query.type }),
      ...(query.scope === undefined ? {} : { scope: query.scope }),
      ...(query.target === undefined ? {} : { target: query.target }),
      ...(query.within === undefined
        ? {}
        : { within: await scopeWithin(deps.redis, deps.store, query.within) }),
      includeSimulated: query.simulated === 'true',
    };
    const events: Array<ScopeEvent & { cursor: string }> = [];
    let exhausted = false;
    for (let read = 0; read < MAX_READS_PER_PAGE && events.length < query.limit && !exhausted; read += 1) {
      const page = await readEvents(deps.redis, deps.store, { cursor, limit: query.limit, filters });
      exhausted = page.cursor === cursor;
      cursor = page.cursor;
      for (const { streamId, event } of page.events) {
        const at = Date.parse(event.at);
        if (query.to !== undefined && at > query.to) {
          exhausted = true;
          break;
        }
        if (query.from !== undefined && at < query.from) continue;
        events.push({ ...event, cursor: streamId });
        if (events.length === query.limit) {
          cursor = streamId;
          break;
        }
      }
    }
    if (wantsCsv(c)) return csvResponse(c, EVENT_COLUMNS, events);
    return c.json({ events, next_cursor: cursor, has_more: !exhausted }, 200);
  });
}
