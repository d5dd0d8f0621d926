import { createRoute, z } from '@hono/zod-openapi';
import { GRANULARITY_MS, Granularity } from '@reachmap/rollup';
import { ScopeKey, TargetId, VerdictStatus } from '@reachmap/schema';
import { HttpError } from '@reachmap/server-kit';
import { readSeries, type SeriesPoint } from '@reachmap/store';
import { csvResponse, wantsCsv } from '../http/csv.ts';
import { READ_ERRORS } from '../http/error-schema.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';
import { FormatParam, InstantParam, SourcesParam } from './shared-schemas.ts';

const Quantiles = z.object({
  p10: z.number().nullable(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
});

const SeriesPointSchema = z
  .object({
    bucket: z.string(),
    start: z.iso.datetime(),
    runs: z.number().int(),
    counts: z.partialRecord(VerdictStatus, z.number().int()),
    shares: z.partialRecord(VerdictStatus, z.number()),
    methods: z.record(z.string(), z.number().int()),
    agents: z.number().int(),
    /** Goodput quantiles (bit/s) of transfers to the target. */
    throughput: Quantiles,
    /** The same quantiles for the control target in the same scope and bucket. */
    control_throughput: Quantiles,
  })
  .openapi('SeriesPoint');

const SeriesResponse = z
  .object({
    scope: ScopeKey,
    target: z.string(),
    /** The foreign control the throughput is compared with; null when the catalogue names none. */
    control: z.string().nullable(),
    bucket: Granularity,
    points: z.array(SeriesPointSchema),
  })
  .openapi('SeriesResponse');

/**
 * Each grain's whole retention fits (90 days of hours = 2160, 48 h of 5 minutes, 3 years of days):
 * a year of hourly buckets cost an anonymous caller's request 1.5-2.3 s, and held no data beyond 90 d.
 */
export const MAX_SERIES_POINTS = 2200;

const SERIES_COLUMNS = [
  'bucket',
  'start',
  'runs',
  'agents',
  ...VerdictStatus.options.map((status) => `share_${status}`),
  'throughput_p10',
  'throughput_p50',
  'throughput_p90',
  'control_throughput_p50',
];

function flatten(point: z.infer<typeof SeriesPointSchema>): Record<string, unknown> {
  const row: Record<string, unknown> = { ...point };
  for (const status of VerdictStatus.options) row[`share_${status}`] = point.shares[status] ?? 0;
  row.throughput_p10 = point.throughput.p10;
  row.throughput_p50 = point.throughput.p50;
  row.throughput_p90 = point.throughput.p90;
  row.control_throughput_p50 = point.control_throughput.p50;
  return row;
}

export function registerSeriesRoute(app: ApiApp, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/v1/series',
    summary: 'Verdict shares and throughput quantiles of a (scope, target) over time, with its control',
    middleware: [deps.requireRead] as const,
    request: {
      query: z.object({
        scope: ScopeKey,
        target: TargetId,
        from: InstantParam,
        to: InstantParam,
        bucket: Granularity.default('1h'),
        /** Overrides the control the catalogue names. */
        control: TargetId.optional(),
        source: SourcesParam,
        format: FormatParam,
      }),
    },
    responses: {
      200: {
        description: 'One point per bucket, oldest first',
        content: { 'application/json': { schema: SeriesResponse }, 'text/csv': { schema: z.string() } },
      },
      ...READ_ERRORS,
    },
  });
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const toMs = query.to ?? deps.now();
    const fromMs = query.from ?? Math.max(0, toMs - 24 * 3_600_000);
    if (fromMs >= toMs) throw new HttpError(400, 'invalid_request', '`from` must be before `to`');
    if ((toMs - fromMs) / GRANULARITY_MS[query.bucket] > MAX_SERIES_POINTS) {
      throw new HttpError(
        400,
        'too_many_points',
        `ask for at most ${MAX_SERIES_POINTS} buckets; use a coarser bucket (1d holds 3 years)`,
      );
    }
    const catalogue = await deps.catalogue();
    const control =
      query.control ??
      catalogue.targets.find((target) => target.id === query.target)?.judged_by.foreign[0] ??
      null;
    const request = {
      scope: query.scope,
      fromMs,
      toMs,
      granularity: query.bucket,
      ...(query.source === undefined ? {} : { sources: query.source }),
    };
    const [points, controlPoints] = await Promise.all([
      readSeries(deps.redis, deps.store, { ...request, target: query.target }),
      control === null
        ? Promise.resolve([] as SeriesPoint[])
        : readSeries(deps.redis, deps.store, { ...request, target: control }),
    ]);
    const none = { p10: null, p50: null, p90: null };
    const merged = points.map((point, index) => ({
      ...point,
      control_throughput: controlPoints[index]?.throughput ?? none,
    }));
    if (wantsCsv(c)) return csvResponse(c, SERIES_COLUMNS, merged.map(flatten));
    return c.json(
      { scope: query.scope, target: query.target, control, bucket: query.bucket, points: merged },
      200,
    );
  });
}
