import { createRoute, z } from '@hono/zod-openapi';
import { HttpError } from '@reachmap/server-kit';
import { listScopes } from '@reachmap/store';
import { csvResponse } from '../http/csv.ts';
import { READ_ERRORS } from '../http/error-schema.ts';
import { aggregateLikeOoni } from '../ooni/aggregate.ts';
import { OoniAggregationQuery, type OoniAxis } from '../ooni/aggregation-query.ts';
import { emptyOoniCounts } from '../ooni/ooni-counts.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';

const OoniCountsSchema = z.object({
  anomaly_count: z.number().int(),
  confirmed_count: z.number().int(),
  failure_count: z.number().int(),
  ok_count: z.number().int(),
  measurement_count: z.number().int(),
});

const OoniAggregationResponse = z
  .object({
    v: z.literal(0),
    dimension_count: z.number().int().min(0).max(2),
    db_stats: z.object({
      row_count: z.number().int(),
      bytes: z.number().int(),
      total_row_count: z.number().int(),
      elapsed_seconds: z.number(),
    }),
    /** One object without axes; an array of rows (counts plus the axis values) with one or two. */
    result: z.union([
      OoniCountsSchema,
      z.array(OoniCountsSchema.catchall(z.union([z.string(), z.number(), z.null()]))),
    ]),
  })
  .openapi('OoniAggregationResponse');

const DAY_MS = 86_400_000;
/** Hourly rollups are kept for days, daily ones for months (docs/redis-keys.md); a year is plenty. */
const MAX_SPAN_MS = 400 * DAY_MS;
const COUNT_COLUMNS = ['anomaly_count', 'confirmed_count', 'failure_count', 'ok_count', 'measurement_count'];

export function registerOoniAggregationRoute(app: ApiApp, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/api/v1/aggregation',
    summary: "OONI-compatible aggregation of reachmap's verdicts (OONI API parameters and response shape)",
    middleware: [deps.requireRead] as const,
    request: { query: OoniAggregationQuery },
    responses: {
      200: {
        description: 'Counts, grouped by up to two axes',
        content: {
          'application/json': { schema: OoniAggregationResponse },
          'text/csv': { schema: z.string() },
        },
      },
      ...READ_ERRORS,
    },
  });
  app.openapi(route, async (c) => {
    const started = performance.now();
    const query = c.req.valid('query');
    if (query.axis_x !== undefined && query.axis_x === query.axis_y) {
      throw new HttpError(400, 'invalid_request', 'axis_x and axis_y must differ');
    }
    const toMs = query.until ?? deps.now();
    const fromMs = query.since ?? toMs - 7 * DAY_MS;
    if (fromMs >= toMs) throw new HttpError(400, 'invalid_request', '`since` must be before `until`');
    if (toMs - fromMs > MAX_SPAN_MS)
      throw new HttpError(400, 'invalid_request', 'ask for at most 400 days at once');
    const [catalogue, scopes] = await Promise.all([deps.catalogue(), listScopes(deps.redis, deps.store)]);
    const rows = await aggregateLikeOoni(deps.redis, deps.store, catalogue, scopes, query, { fromMs, toMs });
    const axes = [query.axis_x, query.axis_y].filter((axis): axis is OoniAxis => axis !== undefined);
    if (query.format.toUpperCase() === 'CSV') return csvResponse(c, [...COUNT_COLUMNS, ...axes], rows);
    const total = emptyOoniCounts();
    for (const row of rows) {
      total.anomaly_count += row.anomaly_count;
      total.confirmed_count += row.confirmed_count;
      total.failure_count += row.failure_count;
      total.ok_count += row.ok_count;
      total.measurement_count += row.measurement_count;
    }
    return c.json(
      {
        v: 0 as const,
        dimension_count: axes.length,
        db_stats: {
          row_count: rows.length,
          bytes: 0,
          total_row_count: rows.length,
          elapsed_seconds: (performance.now() - started) / 1000,
        },
        result: axes.length === 0 ? total : rows,
      },
      200,
    );
  });
}
