import { readOoniDocument } from '../ooni-document.ts';
import type { RecordOrigin } from '../read/read-ooni-source.ts';
import type { SkipReason } from '../skip-reason.ts';
import { type MappedMeasurement, mapOoniMeasurement } from './map-measurement.ts';
import { implausibility } from './plausibility.ts';

/** One record to map: a parsed JSON document, a JSONL line still to parse, or one the reader refused. */
export type RawRecord =
  | { origin: RecordOrigin; value: unknown }
  | { origin: RecordOrigin; text: string }
  | { origin: RecordOrigin; reason: SkipReason };

export type RecordOutcome =
  | { origin: RecordOrigin; mapped: MappedMeasurement }
  | { origin: RecordOrigin; reason: SkipReason };

/**
 * Everything the import does to one record that needs no state: parse, take OONI's envelopes off, map
 * to v1, validate and check plausibility against `now`. Pure, so it can run in a worker thread.
 */
export function mapRecord(record: RawRecord, now: number): RecordOutcome {
  const { origin } = record;
  if ('reason' in record) return record;
  let value: unknown;
  if ('text' in record) {
    try {
      value = JSON.parse(record.text);
    } catch (error) {
      return { origin, reason: { kind: 'malformed_json', message: (error as Error).message } };
    }
  } else value = record.value;
  const document = readOoniDocument(value);
  if (document.kind === 'aggregation') {
    return {
      origin,
      reason: {
        kind: 'not_a_measurement',
        what: 'an /api/v1/aggregation response (counts, not measurements)',
      },
    };
  }
  if (document.kind !== 'measurement') return { origin, reason: document };
  const mapped = mapOoniMeasurement(document.raw, document.meta, document.pointer);
  if (!mapped.ok) return { origin, reason: mapped.reason };
  const refusal = implausibility(mapped.measurement, now);
  return refusal === null ? { origin, mapped } : { origin, reason: refusal };
}
