import type { Measurement, MeasurementSource, Verdict, VerdictStatus } from '@reachmap/schema';
import type { ClassifiedMeasurement } from './classified-measurement.ts';

/**
 * OONI's four disjoint counts (its `/api/v1/aggregation`): a measurement is exactly one of them, so
 * measurement_count = ok + anomaly + confirmed + failure.
 */
export const OONI_COUNT_CLASSES = ['ok', 'anomaly', 'confirmed', 'failure'] as const;
export type OoniCountClass = (typeof OONI_COUNT_CLASSES)[number];

/** Whose verdict a count class comes from: reachmap's classifier, or OONI's own flags (imports only). */
export type OoniIndexBasis = 'reachmap' | 'ooni';

/** One group of the OONI index: every axis OONI's aggregation offers besides time and domain. */
export interface OoniIndexEntry {
  basis: OoniIndexBasis;
  source: MeasurementSource;
  class: OoniCountClass;
  probe_cc: string;
  probe_asn: number;
  test_name: string;
  /** The URL for web_connectivity; null for the messenger tests. The domain is its host. */
  input: string | null;
  category_code: string | null;
  blocking_type: string | null;
}

/**
 * Where each reachmap verdict lands among OONI's counts (docs/api.md, "OONI mapping"): interference is
 * an anomaly, confirmed when a blockpage fingerprint matched (the only evidence OONI calls confirmed);
 * a vantage point without network (down), an error or too little evidence is a failure, as OONI counts
 * measurements its analysis cannot decide.
 */
export const OONI_CLASS_OF_STATUS: Readonly<Record<VerdictStatus, OoniCountClass>> = {
  ok: 'ok',
  blocked: 'anomaly',
  throttled: 'anomaly',
  stalled: 'anomaly',
  down: 'failure',
  error: 'failure',
  insufficient: 'failure',
};

export function reachmapClassOf(verdict: Pick<Verdict, 'status' | 'method'>): OoniCountClass {
  if (verdict.status === 'blocked' && verdict.method === 'blockpage') return 'confirmed';
  return OONI_CLASS_OF_STATUS[verdict.status];
}

/** OONI's aggregation formulas on its flags: failure first, then confirmed, then anomaly. */
export function ooniClassOf(flags: {
  anomaly: boolean | null;
  confirmed: boolean | null;
  failure: boolean | null;
}): OoniCountClass {
  if (flags.failure === true) return 'failure';
  if (flags.confirmed === true) return 'confirmed';
  return flags.anomaly === true ? 'anomaly' : 'ok';
}

/** OONI's blocking types for reachmap's verdict layers (web_connectivity's vocabulary). */
function reachmapBlockingType(verdict: Pick<Verdict, 'status' | 'method' | 'layer'>): string | null {
  const klass = reachmapClassOf(verdict);
  if (klass !== 'anomaly' && klass !== 'confirmed') return null;
  switch (verdict.layer) {
    case 'dns':
      return 'dns';
    case 'tcp':
      return 'tcp_ip';
    case 'tls':
      return 'http-failure';
    case 'http':
      return verdict.method === 'http-diff' || verdict.method === 'blockpage' ? 'http-diff' : 'http-failure';
    default:
      return null;
  }
}

/**
 * OONI's own tests for reachmap's messenger targets; every other service target is a web input. A Map,
 * because target ids come from agents, and a plain object answers `constructor` from its prototype.
 */
const OONI_TEST_OF_TARGET: ReadonlyMap<string, string> = new Map([
  ['whatsapp', 'whatsapp'],
  ['telegram', 'telegram'],
  ['signal', 'signal'],
  ['facebook-messenger', 'facebook_messenger'],
]);

export function ooniTestNameOf(measurement: Measurement): string {
  return (
    measurement.source.ooni?.test_name ?? OONI_TEST_OF_TARGET.get(measurement.target.id) ?? 'web_connectivity'
  );
}

/** The index entries of one classified measurement: reachmap's verdict, and OONI's flags for an import. */
export function ooniIndexEntries(classified: ClassifiedMeasurement): OoniIndexEntry[] {
  const { measurement, verdict } = classified;
  if (measurement.target.kind === 'control') return [];
  const ooni = measurement.source.ooni;
  const common = {
    source: measurement.source.kind,
    probe_cc: measurement.network.country,
    probe_asn: measurement.network.asn,
    test_name: ooniTestNameOf(measurement),
    input: measurement.target.input,
    category_code: ooni?.category_code ?? null,
  };
  const entries: OoniIndexEntry[] = [
    {
      ...common,
      basis: 'reachmap',
      class: reachmapClassOf(verdict),
      blocking_type: reachmapBlockingType(verdict),
    },
  ];
  if (ooni !== null) {
    entries.push({
      ...common,
      basis: 'ooni',
      class: ooniClassOf(ooni),
      blocking_type: ooni.blocking_type ?? null,
    });
  }
  return entries;
}

const SEPARATOR = '\t';
const clean = (value: string | null) => (value ?? '').replaceAll(SEPARATOR, ' ');

/** The hash field of an entry: its parts joined by tabs, which URLs and codes never contain. */
export function encodeOoniIndexField(entry: OoniIndexEntry): string {
  return [
    entry.basis,
    entry.source,
    entry.class,
    entry.probe_cc,
    String(entry.probe_asn),
    clean(entry.test_name),
    clean(entry.input),
    clean(entry.category_code),
    clean(entry.blocking_type),
  ].join(SEPARATOR);
}

export function decodeOoniIndexField(field: string): OoniIndexEntry | null {
  const parts = field.split(SEPARATOR);
  if (parts.length !== 9) return null;
  const [basis, source, klass, cc, asn, test, input, category, blocking] = parts as [
    OoniIndexBasis,
    MeasurementSource,
    OoniCountClass,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    basis,
    source,
    class: klass,
    probe_cc: cc,
    probe_asn: Number(asn),
    test_name: test,
    input: input === '' ? null : input,
    category_code: category === '' ? null : category,
    blocking_type: blocking === '' ? null : blocking,
  };
}
