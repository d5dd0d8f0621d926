import type { OoniCountClass } from '@reachmap/store';

/** The counts OONI's `/api/v1/aggregation` reports for each group of measurements. */
export interface OoniCounts {
  anomaly_count: number;
  confirmed_count: number;
  failure_count: number;
  ok_count: number;
  measurement_count: number;
}

export function emptyOoniCounts(): OoniCounts {
  return { anomaly_count: 0, confirmed_count: 0, failure_count: 0, ok_count: 0, measurement_count: 0 };
}

const COLUMN: Readonly<Record<OoniCountClass, keyof OoniCounts>> = {
  ok: 'ok_count',
  anomaly: 'anomaly_count',
  confirmed: 'confirmed_count',
  failure: 'failure_count',
};

/** Adds measurements of one count class: the four classes are disjoint, as in OONI. */
export function addToOoniCounts(into: OoniCounts, klass: OoniCountClass, measurements: number): OoniCounts {
  into[COLUMN[klass]] += measurements;
  into.measurement_count += measurements;
  return into;
}
