import { createRoute, z } from '@hono/zod-openapi';
import { bucketStart, GRANULARITY_MS } from '@reachmap/rollup';
import { CountryCode, RegionCode, ScopeLevel, ScopeState, TargetId, VerdictStatus } from '@reachmap/schema';
import { HttpError } from '@reachmap/server-kit';
import {
  type MapScopeFilter,
  partitionOf,
  readScopeStates,
  readScopeStatesWithin,
  readSeries,
  storeKeys,
} from '@reachmap/store';
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

/**
 * The `country=` / `region=` narrowing of a map, checked against the level: a country narrows regions
 * and ASNs (or names the one country), a region narrows ASNs (or names the one region).
 */
function scopeFilter(
  level: ScopeLevel,
  country: string | undefined,
  region: string | undefined,
): MapScopeFilter | null {
  if (region !== undefined) {
    if (level === 'country')
      throw new HttpError(400, 'invalid_request', '`region` narrows `level=region` or `level=asn` only');
    if (country !== undefined && !region.startsWith(`${country}-`))
      throw new HttpError(400, 'invalid_request', `region ${region} is not in country ${country}`);
    return { country: region.slice(0, 2), region };
  }
  return country === undefined ? null : { country };
}

/** Whether a state belongs to the narrowed map; for historical maps, which replay every scope. */
function withinFilter(filter: MapScopeFilter, asns: ReadonlySet<string>) {
  return (state: ScopeState): boolean => {
    if (state.scope.startsWith('AS')) return asns.has(state.scope);
    if (filter.region !== undefined) return state.scope === filter.region;
    return state.scope === filter.country || state.scope.startsWith(`${filter.country}-`);
  };
}

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
        /** Only this country: its regions (`level=region`), the ASNs seen in it (`level=asn`), or itself. */
        country: CountryCode.optional(),
        /** Only this region (`level=region`) or the ASNs seen in it (`level=asn`). */
        region: RegionCode.optional(),
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
    const { target, level, at, country, region } = c.req.valid('query');
    const filter = scopeFilter(level, country, region);
    const now = deps.now();
    const historical = at !== undefined && at < now - GRANULARITY_MS['5m'];
    let scopes: Array<z.infer<typeof MapEntry>>;
    if (historical) {
      let states = await mapAt(deps.redis, deps.store.partitions, { level, target, atMs: at });
      if (filter !== null) {
        const keys = storeKeys(partitionOf(filter.country, deps.store.partitions));
        const asns = new Set(
          level !== 'asn'
            ? []
            : await deps.redis.smembers(
                filter.region === undefined
                  ? keys.countryAsns(filter.country)
                  : keys.regionAsns(filter.region),
              ),
        );
        states = states.filter(withinFilter(filter, asns));
      }
      scopes = states.map((state) => ({ ...state, counts: {} }));
    } else {
      const states =
        filter === null || level === 'country'
          ? (await readScopeStates(deps.redis, deps.store, { level, target })).filter(
              (state) => filter === null || state.scope === filter.country,
            )
          : await readScopeStatesWithin(deps.redis, deps.store, { level, target, within: filter });
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
