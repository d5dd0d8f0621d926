import type { TargetExpectations } from '@reachmap/classifier';
import { CountryCode, type Measurement, type Observations, validateMeasurement } from '@reachmap/schema';
import { z } from 'zod';
import { deterministicMeasurementId, ooniAgentId, ooniRoundId } from '../deterministic-ids.ts';
import { OoniMeasurement, type OoniMeasurementMeta } from '../ooni-format.ts';
import { parseOoniTime } from '../ooni-time.ts';
import { ReachmapExtension, X_REACHMAP } from '../reachmap-extension.ts';
import type { SkipReason } from '../skip-reason.ts';
import type { ControlDns } from './dns.ts';
import { expectationsOf } from './expectations.ts';
import { type DroppedEntry, mapObservations } from './observations.ts';
import { ooniBlockingType, ooniFlags } from './ooni-flags.ts';
import { isAssignedCountry } from './plausibility.ts';
import { ooniTarget } from './target.ts';

export type MappedMeasurement = {
  ok: true;
  measurement: Measurement;
  /** reachmap's verdict carried in `x_reachmap` by our own export; null for OONI's measurements. */
  carriedVerdict: ReachmapExtension['verdict'];
  /** What the OONI record says the target should look like (its test helper's view), for the classifier. */
  expectations: TargetExpectations;
  dropped: DroppedEntry[];
};
export type MappingResult = MappedMeasurement | { ok: false; reason: SkipReason };

const SEMVER = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const FALLBACK_VERSION = '0.0.0';

/** OONI versions are mostly semver; "0.2" style ones are padded, anything else becomes 0.0.0. */
function semver(version: string | null | undefined): string {
  if (!version) return FALLBACK_VERSION;
  if (SEMVER.test(version)) return version;
  const short = /^(\d+)\.(\d+)$/.exec(version);
  return short ? `${short[1]}.${short[2]}.0` : FALLBACK_VERSION;
}

function softwareName(name: string | null | undefined): string {
  const slug = (name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
  return slug === '' ? 'ooniprobe' : slug;
}

function baseKeyReason(raw: unknown, error: z.ZodError, pointer: string): SkipReason {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  let value: unknown = raw;
  for (const segment of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
  const at = path.length === 0 ? pointer : `${pointer}/${path.join('/')}`;
  return value === undefined
    ? { kind: 'missing_field', path: at }
    : { kind: 'invalid_field', path: at, message: issue?.message ?? 'invalid' };
}

const WebConnectivityControl = z.object({
  control: z.object({
    dns: z.object({ failure: z.string().nullish(), addrs: z.array(z.string()).nullish() }),
  }),
});
const TestHelpers = z.object({ test_helpers: z.object({ backend: z.object({ address: z.string() }) }) });

function controlDnsOf(
  raw: unknown,
  testKeys: Record<string, unknown>,
  host: string | null,
): ControlDns | null {
  const control = WebConnectivityControl.safeParse(testKeys);
  if (host === null || !control.success) return null;
  const helpers = TestHelpers.safeParse(raw);
  return {
    hostname: host,
    helper: helpers.success ? helpers.data.test_helpers.backend.address : null,
    failure: control.data.control.dns.failure,
    addrs: control.data.control.dns.addrs ?? [],
  };
}

function lastObservationSeconds(observations: Observations): number {
  const { dns, tcp, tls, http, network_events } = observations;
  return Math.max(0, ...[...dns, ...tcp, ...tls, ...http, ...network_events].map((entry) => entry.t));
}

/** The unchecked attempt; an entry odd enough to make the mapping throw leaves it to the checked one. */
function fastObservations(
  testKeys: Record<string, unknown>,
  pointer: string,
  controlDns: ControlDns | null,
): ReturnType<typeof mapObservations> {
  try {
    return mapObservations(testKeys, pointer, controlDns, false);
  } catch {
    return mapObservations(testKeys, pointer, controlDns, true);
  }
}

/**
 * One OONI measurement (df-000 + test_keys) → a v1 Measurement. Pure. A measurement we cannot map
 * gives a typed reason; a single entry we cannot map is dropped and listed in `dropped`.
 */
export function mapOoniMeasurement(
  raw: unknown,
  meta: OoniMeasurementMeta | null,
  pointer = '',
): MappingResult {
  const parsed = OoniMeasurement.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: baseKeyReason(raw, parsed.error, pointer) };
  const ooni = parsed.data;

  const target = ooniTarget(ooni.test_name, ooni.input, pointer);
  if ('kind' in target) return { ok: false, reason: target };
  const countryCode = ooni.probe_cc.toUpperCase();
  // A well-formed code that names no country (ZZ, XX) gets its precise reason here: the schema refuses
  // unassigned codes (XX) too, but only as a malformed field.
  if (/^[A-Z]{2}$/.test(countryCode) && !isAssignedCountry(countryCode)) {
    return { ok: false, reason: { kind: 'not_a_country', probe_cc: countryCode } };
  }
  const country = CountryCode.safeParse(countryCode);
  if (!country.success) {
    return {
      ok: false,
      reason: { kind: 'invalid_field', path: `${pointer}/probe_cc`, message: 'expected a country code' },
    };
  }
  const asnMatch = /^AS(\d+)$/i.exec(ooni.probe_asn);
  const asn = asnMatch ? Number(asnMatch[1]) : 0;
  if (asn < 1 || asn > 4_294_967_295) {
    // OONI writes AS0 when the probe could not look its network up: no network to place it in.
    return {
      ok: false,
      reason: {
        kind: 'invalid_field',
        path: `${pointer}/probe_asn`,
        message: 'expected "AS<number>" above 0',
      },
    };
  }
  const startMillis = parseOoniTime(ooni.measurement_start_time);
  if (startMillis === null) {
    return {
      ok: false,
      reason: {
        kind: 'invalid_field',
        path: `${pointer}/measurement_start_time`,
        message: 'expected "YYYY-MM-DD HH:MM:SS"',
      },
    };
  }

  // Some probes sent `test_keys: null` (fastpath discards those): nothing observed, still a record.
  const testKeys = ooni.test_keys ?? {};
  const controlDns = controlDnsOf(raw, testKeys, target.host);
  // Fast path: map every entry unchecked and validate the whole measurement once. Only when that
  // fails are the entries checked one by one, so that a bad one is dropped rather than the measurement.
  let { observations, dropped } = fastObservations(testKeys, pointer, controlDns);
  const carried = (raw as Record<string, unknown>)[X_REACHMAP];
  const extensionResult = carried === undefined ? null : ReachmapExtension.safeParse(carried);
  if (extensionResult?.success === false)
    dropped.push({ path: `${pointer}/${X_REACHMAP}`, reason: 'not a valid reachmap extension' });
  const extension = extensionResult?.success ? extensionResult.data : null;

  const runtimeMillis =
    typeof ooni.test_runtime === 'number' && ooni.test_runtime >= 0
      ? ooni.test_runtime * 1000
      : lastObservationSeconds(observations) * 1000;
  const measurement = {
    // Identity without measurement_uid: the raw archive has none, and the same measurement read from
    // the archive or from the API must get the same id.
    id:
      extension?.measurement_id ??
      deterministicMeasurementId(startMillis, [ooni.report_id, ooni.input ?? '', String(startMillis)]),
    schema_version: 1,
    agent: {
      id: extension?.agent_id ?? ooniAgentId(country.data, asn, ooni.report_id),
      software: { name: softwareName(ooni.software_name), version: semver(ooni.software_version) },
    },
    network: {
      country: country.data,
      region: extension?.network.region ?? null,
      asn,
      network_type: extension?.network.network_type ?? 'unknown',
    },
    source: {
      kind: 'ooni',
      ooni: {
        report_id: ooni.report_id,
        measurement_uid: meta?.measurement_uid ?? null,
        test_name: ooni.test_name,
        ...ooniFlags(ooni, meta),
        category_code: meta?.category_code || null,
        blocking_type: ooniBlockingType(ooni.test_keys, meta),
      },
    },
    target: {
      id: extension?.target.id ?? target.id,
      kind: extension?.target.kind ?? 'service',
      control: extension?.target.control ?? null,
      input: target.input,
      catalogue_version: extension?.target.catalogue_version ?? 'ooni',
    },
    test: { name: extension?.test_name ?? ooni.test_name, version: semver(ooni.test_version) },
    round: extension?.round ?? { id: ooniRoundId(ooni.report_id), controls: [] },
    start_time: new Date(startMillis).toISOString(),
    end_time: new Date(startMillis + Math.round(runtimeMillis)).toISOString(),
    observations,
  };
  let validated = validateMeasurement(measurement, pointer);
  if (!validated.ok) {
    ({ observations, dropped } = mapObservations(testKeys, pointer, controlDns, true));
    if (extensionResult?.success === false)
      dropped.push({ path: `${pointer}/${X_REACHMAP}`, reason: 'not a valid reachmap extension' });
    validated = validateMeasurement({ ...measurement, observations }, pointer);
  }
  if (!validated.ok) return { ok: false, reason: { kind: 'invalid_measurement', issues: validated.issues } };
  return {
    ok: true,
    measurement: validated.value,
    carriedVerdict: extension?.verdict ?? null,
    expectations: expectationsOf(ooni.test_name, target.input, testKeys, validated.value.observations),
    dropped,
  };
}
