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

const BLOCKING_TYPES = new Set(['dns', 'tcp_ip', 'http-diff', 'http-failure']);

function parsedScores(scores: unknown): unknown {
  if (typeof scores !== 'string') return scores;
  try {
    return JSON.parse(scores);
  } catch {
    return null;
  }
}

/**
 * OONI's blocking type (an axis of its aggregation API): fastpath's `scores.analysis.blocking_type`
 * when the API envelope has it, else web_connectivity's own `blocking` key; null otherwise.
 */
export function ooniBlockingType(
  testKeys: Record<string, unknown> | null,
  meta: OoniMeasurementMeta | null,
): string | null {
  const scores = parsedScores(meta?.scores) as { analysis?: { blocking_type?: unknown } } | null;
  const fromScores = scores?.analysis?.blocking_type;
  if (typeof fromScores === 'string' && BLOCKING_TYPES.has(fromScores)) return fromScores;
  const blocking = testKeys?.blocking;
  return typeof blocking === 'string' && BLOCKING_TYPES.has(blocking) ? blocking : null;
}
