import { type Measurement, REGION_CODES } from '@reachmap/schema';
import type { SkipReason } from '../skip-reason.ts';

/** Probe clocks drift; a start this far ahead of our clock is still taken as now-ish, beyond it refused. */
const FUTURE_TOLERANCE_MS = 60 * 60_000;

/**
 * ISO 3166-1 codes that name no country: user-assigned AA, QM-QZ, XA-XZ but XK (Kosovo, in common use), ZZ (OONI writes ZZ when
 * it could not place the probe) and the reserved EU/UN groupings.
 */
const NOT_A_COUNTRY = /^(AA|Q[M-Z]|X[A-JL-Z]|ZZ|EU|EZ|UN)$/;

/** Whether the code names a country: one ICU knows as a region (`REGION_CODES`), none of the groups above. */
export function isAssignedCountry(code: string): boolean {
  return !NOT_A_COUNTRY.test(code) && REGION_CODES.has(code);
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
