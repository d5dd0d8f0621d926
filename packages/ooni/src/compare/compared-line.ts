import type { RecordOrigin } from '../read/read-ooni-source.ts';
import type { ComparedMeasurement } from './agreement.ts';

/** OONI's flags in words: confirmed, anomaly, failure, ok, or unknown when it gave none. */
export function ooniVerdictText(compared: ComparedMeasurement): string {
  const ooni = compared.measurement.source.ooni;
  if (ooni === null) return 'unknown';
  if (ooni.confirmed === true) return 'confirmed';
  if (ooni.failure === true) return 'failure';
  if (ooni.anomaly === null) return 'unknown';
  return ooni.anomaly ? 'anomaly' : 'ok';
}

/** One `--compare` row: which file (and line) got which verdict from each side. */
export function formatComparedLine(compared: ComparedMeasurement, origin: RecordOrigin): string {
  const where = origin.line === null ? origin.file : `${origin.file}:${origin.line}`;
  const { status, method } = compared.verdict;
  const ours = method === null ? status : `${status} (${method})`;
  return `| ${where} | ${ooniVerdictText(compared)} | ${ours} | ${compared.agreement} |`;
}
