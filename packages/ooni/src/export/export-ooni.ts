import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Measurement, MeasurementId, Verdict } from '@reachmap/schema';
import { toOoniMeasurement } from './to-ooni.ts';

export interface MeasurementWithVerdict {
  measurement: Measurement;
  verdict: Verdict | null;
}

export interface ExportSummary {
  exported: number;
  skipped: { measurement_id: MeasurementId; reason: string }[];
}

/** Writes one OONI JSON document per line (JSONL), waiting for the stream to drain under backpressure. */
export async function exportOoni(
  items: Iterable<MeasurementWithVerdict> | AsyncIterable<MeasurementWithVerdict>,
  writable: Writable,
): Promise<ExportSummary> {
  const summary: ExportSummary = { exported: 0, skipped: [] };
  for await (const { measurement, verdict } of items) {
    const result = toOoniMeasurement(measurement, verdict);
    if (!result.ok) {
      summary.skipped.push({ measurement_id: measurement.id, reason: result.reason });
      continue;
    }
    if (!writable.write(`${JSON.stringify(result.ooni)}\n`)) await once(writable, 'drain');
    summary.exported += 1;
  }
  return summary;
}
