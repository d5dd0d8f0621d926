import { classifyMeasurement, type TargetExpectations } from '@reachmap/classifier';
import type { Measurement, Verdict, VerdictStatus } from '@reachmap/schema';

export type Agreement = 'agree' | 'reachmap-only' | 'ooni-only' | 'undecided';

/** Statuses that claim interference, the counterpart of OONI's anomaly. `down` is "not censored". */
const INTERFERENCE: ReadonlySet<VerdictStatus> = new Set(['blocked', 'throttled', 'stalled']);
const NO_VERDICT: ReadonlySet<VerdictStatus> = new Set(['insufficient', 'error']);

/**
 * reachmap's verdict against OONI's flags. OONI counts `confirmed` as an anomaly too; its `failure`
 * (the probe or the control broke) and a missing anomaly flag are no verdict, like our insufficient/error.
 */
export function agreementOf(measurement: Measurement, verdict: Verdict): Agreement {
  const ooni = measurement.source.ooni;
  if (ooni === null || ooni.failure === true || ooni.anomaly === null || NO_VERDICT.has(verdict.status)) {
    return 'undecided';
  }
  const ooniSays = ooni.anomaly || ooni.confirmed === true;
  const weSay = INTERFERENCE.has(verdict.status);
  if (ooniSays === weSay) return 'agree';
  return weSay ? 'reachmap-only' : 'ooni-only';
}

/**
 * Classifies an imported measurement on its own evidence. OONI publishes no separate control
 * measurements, so `controls` is empty: rules that need a round control (TCP blocking, outage and
 * allowlist) cannot fire, and only in-measurement comparisons decide, with what the record says about
 * the target (`expectationsOf`: its test helper's fetch, a messenger's published names; docs/ooni.md).
 */
export function classifyImported(measurement: Measurement, expectations: TargetExpectations = {}): Verdict {
  return classifyMeasurement({ measurement, controls: [], expectations });
}

export interface AgreementRow {
  test_name: string;
  measurements: number;
  agree: number;
  reachmap_only: number;
  ooni_only: number;
  undecided: number;
}

export interface ComparedMeasurement {
  measurement: Measurement;
  verdict: Verdict;
  agreement: Agreement;
}

const COLUMN: Readonly<Record<Agreement, 'agree' | 'reachmap_only' | 'ooni_only' | 'undecided'>> = {
  agree: 'agree',
  'reachmap-only': 'reachmap_only',
  'ooni-only': 'ooni_only',
  undecided: 'undecided',
};

/** Counts agreement per OONI test name as measurements are imported. */
export class AgreementTally {
  readonly #rows = new Map<string, AgreementRow>();

  add(measurement: Measurement, expectations: TargetExpectations = {}): ComparedMeasurement {
    const verdict = classifyImported(measurement, expectations);
    const agreement = agreementOf(measurement, verdict);
    const testName = measurement.source.ooni?.test_name ?? measurement.test.name;
    const row = this.#rows.get(testName) ?? {
      test_name: testName,
      measurements: 0,
      agree: 0,
      reachmap_only: 0,
      ooni_only: 0,
      undecided: 0,
    };
    row.measurements += 1;
    row[COLUMN[agreement]] += 1;
    this.#rows.set(testName, row);
    return { measurement, verdict, agreement };
  }

  rows(): AgreementRow[] {
    return [...this.#rows.values()].sort((a, b) => a.test_name.localeCompare(b.test_name));
  }
}

export function formatAgreementTable(rows: readonly AgreementRow[]): string {
  const lines = [
    '| test | measurements | agree | reachmap-only | OONI-only | undecided |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.test_name} | ${row.measurements} | ${row.agree} | ${row.reachmap_only} | ${row.ooni_only} | ${row.undecided} |`,
    ),
  ];
  return lines.join('\n');
}
