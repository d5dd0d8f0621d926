import type { OoniFlags, OoniMeasurementMeta } from '../ooni-format.ts';
import { fastpathFlags, type ScoredMeasurement } from './fastpath-score.ts';

/**
 * OONI's verdict on a measurement: the API's measurement_meta carries the published one, which wins;
 * a bare measurement (the archive) is scored with fastpath's rules (fastpath-score.ts).
 */
export function ooniFlags(measurement: ScoredMeasurement, meta: OoniMeasurementMeta | null): OoniFlags {
  if (meta === null) return fastpathFlags(measurement);
  return { anomaly: meta.anomaly ?? null, confirmed: meta.confirmed ?? null, failure: meta.failure ?? null };
}
