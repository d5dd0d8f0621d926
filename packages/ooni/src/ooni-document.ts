import { OoniAggregationResponse } from './aggregation.ts';
import { OoniMeasurementMeta, RecordedApiResponse } from './ooni-format.ts';
import type { SkipReason } from './skip-reason.ts';

/** What one JSON document (a file, or a line of JSONL) holds once OONI's envelopes are taken off. */
export type OoniDocument =
  | {
      kind: 'measurement';
      raw: unknown;
      meta: OoniMeasurementMeta | null;
      /** JSON pointer of the raw measurement inside the document, for error messages. */
      pointer: string;
    }
  | { kind: 'aggregation'; response: OoniAggregationResponse };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEmbeddedJson(text: string, pointer: string): { value: unknown } | SkipReason {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { kind: 'invalid_field', path: pointer, message: `not JSON: ${(error as Error).message}` };
  }
}

/**
 * Recognises a raw df-000 measurement, a `measurement_meta` API body (raw measurement as a JSON
 * string in `raw_measurement`), a recorded API response `{status, contentType, body}` around either,
 * and an `/api/v1/aggregation` body.
 */
export function readOoniDocument(value: unknown, pointer = ''): OoniDocument | SkipReason {
  if (!isObject(value)) return { kind: 'not_a_measurement', what: 'expected a JSON object' };

  if ('body' in value && 'status' in value) {
    const response = RecordedApiResponse.safeParse(value);
    if (!response.success)
      return { kind: 'invalid_field', path: `${pointer}/status`, message: 'expected a number' };
    if (response.data.status !== 200) {
      return { kind: 'not_a_measurement', what: `an API response with HTTP status ${response.data.status}` };
    }
    const { body } = response.data;
    if (typeof body !== 'string') return readOoniDocument(body, `${pointer}/body`);
    const parsed = parseEmbeddedJson(body, `${pointer}/body`);
    return 'value' in parsed ? readOoniDocument(parsed.value, `${pointer}/body`) : parsed;
  }

  if ('raw_measurement' in value) {
    const meta = OoniMeasurementMeta.safeParse(value);
    if (!meta.success) {
      const issue = meta.error.issues[0];
      return {
        kind: 'invalid_field',
        path: `${pointer}/${issue?.path.join('/') ?? ''}`,
        message: issue?.message ?? 'invalid measurement_meta',
      };
    }
    const rawPointer = `${pointer}/raw_measurement`;
    const { raw_measurement: raw } = meta.data;
    if (typeof raw !== 'string') return { kind: 'measurement', raw, meta: meta.data, pointer: rawPointer };
    const parsed = parseEmbeddedJson(raw, rawPointer);
    return 'value' in parsed
      ? { kind: 'measurement', raw: parsed.value, meta: meta.data, pointer: rawPointer }
      : parsed;
  }

  if ('test_keys' in value || 'report_id' in value)
    return { kind: 'measurement', raw: value, meta: null, pointer };

  const aggregation = OoniAggregationResponse.safeParse(value);
  if (aggregation.success) return { kind: 'aggregation', response: aggregation.data };
  return {
    kind: 'not_a_measurement',
    what: 'neither an OONI measurement, a measurement_meta response nor an aggregation response',
  };
}
