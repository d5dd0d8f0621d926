import { createRoute, z } from '@hono/zod-openapi';
import { bucketStart, GRANULARITY_MS } from '@reachmap/rollup';
import { ScopeLevel, ScopeState, TargetId, VerdictStatus } from '@reachmap/schema';
import { readScopeStates, readSeries } from '@reachmap/store';
import { csvResponse, wantsCsv } from '../http/csv.ts';
import { READ_ERRORS } from '../http/error-schema.ts';
import { mapAt } from '../reader/map-at.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';
import { FormatParam, InstantParam } from './shared-schemas.ts';

const MapEntry = ScopeState.extend({
  /** Runs per verdict status in the current hour's rollup; empty for historical maps. */
  counts: z.partialRecord(VerdictStatus, z.number().int()),
}).openapi('MapEntry');

const MapResponse = z
  .object({
    level: ScopeLevel,
    target: z.string(),
    at: z.iso.datetime(),
    scopes: z.array(MapEntry),
  })
  .openapi('MapResponse');

const MAP_COLUMNS = [
  'scope',
  'target',
  'state',
  'method',
  'confidence',
  'since',
  'agents',
  'simulated',
  'counts',
];

export function registerMapRoute(app: ApiApp, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/v1/map',
    summary: 'State of every scope of one level for a target (now, or at a past instant)',
    middleware: [deps.requireRead] as const,
    request: {
      query: z.object({
        target: TargetId,
        level: ScopeLevel.default('country'),
        at: InstantParam,
        format: FormatParam,
      }),
    },
    responses: {
      200: {
        description: 'The map',
        content: { 'application/json': { schema: MapResponse }, 'text/csv': { schema: z.string() } },
      },
      ...READ_ERRORS,
    },
  });
  app.openapi(route, async (c) => {
    const { target, level, at } = c.req.valid('query');
    const now = deps.now();
    const historical = at !== undefined && at < now - GRANULARITY_MS['5m'];
    let scopes: Array<z.infer<typeof MapEntry>>;
    if (historical) {
      const states = await mapAt(deps.redis, deps.store.partitions, { level, target, atMs: at });
      scopes = states.map((state) => ({ ...state, counts: {} }));
    } else {
      const states = await readScopeStates(deps.redis, deps.store, { level, target });
      const hour = bucketStart(now, '1h');
      scopes = await Promise.all(
        states.map(async (state) => {
          const [point] = await readSeries(deps.redis, deps.store, {
            scope: state.scope,
            target,
            fromMs: hour,
            toMs: hour + 1,
            granularity: '1h',
          });
          return { ...state, counts: point?.counts ?? {} };
        }),
      );
    }
    if (wantsCsv(c)) return csvResponse(c, MAP_COLUMNS, scopes);
    return c.json({ level, target, at: new Date(historical ? at : now).toISOString(), scopes }, 200);
  });
}
