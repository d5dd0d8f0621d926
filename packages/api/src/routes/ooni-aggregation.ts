import { createRoute, z } from '@hono/zod-openapi';
import { HttpError } from '@reachmap/server-kit';
import { ooniIndexReads, readOoniIndex } from '@reachmap/store';
import { csvResponse } from '../http/csv.ts';
import { READ_ERRORS } from '../http/error-schema.ts';
import { aggregateLikeOoni } from '../ooni/aggregate.ts';
import { OoniAggregationQuery, type OoniAxis } from '../ooni/aggregation-query.ts';
import { bucketIdsOf, planBuckets } from '../ooni/bucket-plan.ts';
import { emptyOoniCounts } from '../ooni/ooni-counts.ts';
import { resolveTimeGrain } from '../ooni/time-grain.ts';
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

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** OONI's default window when `since` is not given. */
const DEFAULT_WINDOW_MS = 180 * DAY_MS;
/**
 * The only limit on a query's span is its cost: hash reads of the OONI index (buckets × partitions).
 * 20,000 is 54 years of daily buckets on one partition, or 833 days of hourly ones.
 */
const MAX_INDEX_READS = 20_000;
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
    const now = deps.now();
    // Without bounds: the 180 whole days up to the end of today (UTC), as OONI's default window.
    const toMs = query.until ?? Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
    // Nothing is bucketed before the epoch (a window ending on 1970-01-01 once answered 500).
    const fromMs = Math.max(0, query.since ?? toMs - DEFAULT_WINDOW_MS);
    if (fromMs >= toMs) throw new HttpError(400, 'invalid_request', '`since` must be before `until`');
    const grain = resolveTimeGrain(query.time_grain, toMs - fromMs);
    if (typeof grain !== 'string') throw new HttpError(400, 'invalid_request', grain.error);
    const timeAxis = query.axis_x === 'measurement_start_day' || query.axis_y === 'measurement_start_day';
    // Without a time axis the grain only matters for reading: whole days, hours at the edges.
    const plan = planBuckets(fromMs, toMs, timeAxis && grain === 'hour');
    const buckets = bucketIdsOf(plan);
    const reads = ooniIndexReads(deps.store, buckets);
    if (reads > MAX_INDEX_READS) {
      throw new HttpError(
        400,
        'query_too_expensive',
        `this query reads ${reads} index buckets (at most ${MAX_INDEX_READS}): narrow since/until or use a coarser time_grain`,
      );
    }
    // Hourly counts are kept as long as hourly rollups: older hours cannot answer, so say so.
    const oldestHour = plan.hours[0];
    if (oldestHour !== undefined && oldestHour + HOUR_MS + deps.store.retention['1h'] <= now) {
      throw new HttpError(
        400,
        'invalid_request',
        'hourly counts (time_grain=hour, or since/until with a time of day) are kept for ' +
          `${Math.round(deps.store.retention['1h'] / DAY_MS)} days; give whole days for older data`,
      );
    }
    const counts = await readOoniIndex(deps.redis, deps.store, buckets);
    const rows = aggregateLikeOoni(counts, query, grain);
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
