import { fetchMap, fetchRecentMeasurements } from './api-client.ts';
import type { MapEntry } from './api-types.ts';

// How many recent measurements are read to learn which networks a country has.
const RECENT_SAMPLE = 500;

export interface CountryScopes {
  regions: MapEntry[];
  networks: MapEntry[];
}

/**
 * A country's regions (ISO 3166-2 keys start with the country code) and networks for a target. The
 * map's ASN level does not say which country an ASN is in, so the networks are those seen in the
 * country's recent measurements (the API keeps 48 h).
 */
export async function fetchCountryScopes(request: {
  country: string;
  target: string;
  at: string | undefined;
}): Promise<CountryScopes> {
  const { country, target, at } = request;
  const [regions, asns, recent] = await Promise.all([
    fetchMap({ target, level: 'region', at }),
    fetchMap({ target, level: 'asn', at }),
    fetchRecentMeasurements({ country, limit: RECENT_SAMPLE }),
  ]);
  const seen = new Set(recent.measurements.map((record) => `AS${record.measurement.network.asn}`));
  return {
    regions: regions.scopes.filter((entry) => entry.scope.startsWith(`${country}-`)),
    networks: asns.scopes.filter((entry) => seen.has(entry.scope)),
  };
}
