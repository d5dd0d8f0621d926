import { createRoute, z } from '@hono/zod-openapi';
import { CountryCode, MeasurementId, TargetId, VerdictStatus } from '@reachmap/schema';
import { HttpError } from '@reachmap/server-kit';
import { ClassifiedMeasurement } from '@reachmap/store';
import { csvResponse, wantsCsv } from '../http/csv.ts';
import { errorResponses, READ_ERRORS } from '../http/error-schema.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';
import { FormatParam, InstantParam, SourcesParam } from './shared-schemas.ts';

// Named in the OpenAPI document by the response that carries it; the store's schema predates zod-openapi's extension.
const MeasurementRecord = ClassifiedMeasurement;

const MeasurementsResponse = z
  .object({
    measurements: z.array(MeasurementRecord),
    /** Pass as `before` for the next (older) page; null when this page was the last. */
    next_before: z.iso.datetime().nullable(),
  })
  .openapi('MeasurementsResponse');

const MEASUREMENT_COLUMNS = [
  'id',
  'start_time',
  'country',
  'region',
  'asn',
  'network_type',
  'source',
  'target',
  'test',
  'status',
  'layer',
  'method',
  'confidence',
  'controls',
];

function row(record: ClassifiedMeasurement): Record<string, unknown> {
  const { measurement, verdict } = record;
  return {
    id: measurement.id,
    start_time: measurement.start_time,
    country: measurement.network.country,
    region: measurement.network.region,
    asn: measurement.network.asn,
    network_type: measurement.network.network_type,
    source: measurement.source.kind,
    target: measurement.target.id,
    test: measurement.test.name,
    status: verdict.status,
    layer: verdict.layer,
    method: verdict.method,
    confidence: verdict.confidence,
    controls: record.controls,
  };
}

/**
 * JSON bytes of measurements in one page; the page ends early (with `next_before`) past it. A page
 * of 500 large measurements once made an anonymous request return 58 MB in 9.5 s.
 */
export const MAX_PAGE_BYTES = 4 * 1024 ** 2;

/** The longest prefix of `records` within the byte budget (always at least one record). */
function withinBudget<T>(records: readonly T[], budget: number): T[] {
  let bytes = 0;
  const kept: T[] = [];
  for (const record of records) {
    bytes += JSON.stringify(record).length;
    if (kept.length > 0 && bytes > budget) break;
    kept.push(record);
  }
  return kept;
}

export function registerMeasurementRoutes(app: ApiApp, deps: RouteDeps): void {
  const list = createRoute({
    method: 'get',
    path: '/v1/measurements',
    summary:
      'Recent measurements with their verdicts, newest first (the evidence store keeps them REACHMAP_RECENT_TTL, 48 h by default)',
    middleware: [deps.requireRead] as const,
    request: {
      query: z.object({
        country: CountryCode.optional(),
        target: TargetId.optional(),
        status: VerdictStatus.optional(),
        source: SourcesParam,
        before: InstantParam,
        limit: z.coerce.number().int().min(1).max(500).default(100),
        format: FormatParam,
      }),
    },
    responses: {
      200: {
        description: 'A page of measurements',
        content: { 'application/json': { schema: MeasurementsResponse }, 'text/csv': { schema: z.string() } },
      },
      ...READ_ERRORS,
    },
  });
  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    const found = deps.evidence.list({
      limit: query.limit,
      ...(query.country === undefined ? {} : { country: query.country }),
      ...(query.target === undefined ? {} : { target: query.target }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.source === undefined ? {} : { sources: query.source }),
      ...(query.before === undefined ? {} : { beforeMs: query.before }),
    });
    const measurements = withinBudget(found, MAX_PAGE_BYTES);
    if (wantsCsv(c)) return csvResponse(c, MEASUREMENT_COLUMNS, measurements.map(row));
    const last = measurements.at(-1);
    const full = measurements.length === query.limit || measurements.length < found.length;
    const nextBefore = full && last !== undefined ? last.measurement.start_time : null;
    return c.json(
      { measurements, next_before: nextBefore === null ? null : new Date(nextBefore).toISOString() },
      200,
    );
  });

  const get = createRoute({
    method: 'get',
    path: '/v1/measurements/{id}',
    summary: 'One recent measurement: its raw observations and the verdict with its evidence',
    middleware: [deps.requireRead] as const,
    request: { params: z.object({ id: MeasurementId }) },
    responses: {
      200: { description: 'The measurement', content: { 'application/json': { schema: MeasurementRecord } } },
      ...READ_ERRORS,
      ...errorResponses({ 404: 'Unknown, or older than the evidence store keeps' }),
    },
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const record = deps.evidence.get(id);
    if (record === null) {
      throw new HttpError(
        404,
        'measurement_not_found',
        `no recent measurement ${id}; the evidence store keeps measurements for REACHMAP_RECENT_TTL (48 h by default)`,
      );
    }
    return c.json(record, 200);
  });
}
