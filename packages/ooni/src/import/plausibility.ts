import type { Measurement } from '@reachmap/schema';
import type { SkipReason } from '../skip-reason.ts';

/** Probe clocks drift; a start this far ahead of our clock is still taken as now-ish, beyond it refused. */
const FUTURE_TOLERANCE_MS = 60 * 60_000;

/**
 * ISO 3166-1 codes that name no country: user-assigned AA, QM-QZ, XA-XZ but XK (Kosovo, in common use), ZZ (OONI writes ZZ when
 * it could not place the probe) and the reserved EU/UN groupings.
 */
const NOT_A_COUNTRY = /^(AA|Q[M-Z]|X[A-JL-Z]|ZZ|EU|EZ|UN)$/;
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

const assigned = new Map<string, boolean>();

/** Whether ICU knows the code as a region: unassigned codes come back unchanged. Cached: ICU is slow. */
export function isAssignedCountry(code: string): boolean {
  let known = assigned.get(code);
  if (known === undefined) {
    known = !NOT_A_COUNTRY.test(code) && regionNames.of(code) !== code;
    // At most 26 × 26 two-letter codes; anything else is answered without being kept.
    if (/^[A-Z]{2}$/.test(code)) assigned.set(code, known);
  }
  return known;
}

/** A reason to refuse a mapped measurement that cannot be true of the world, or null. */
export function implausibility(measurement: Measurement, now: number): SkipReason | null {
  if (Date.parse(measurement.start_time) > now + FUTURE_TOLERANCE_MS) {
    return { kind: 'future_date', start_time: measurement.start_time };
  }
  const { country } = measurement.network;
  if (!isAssignedCountry(country)) return { kind: 'not_a_country', probe_cc: country };
  return null;
}
