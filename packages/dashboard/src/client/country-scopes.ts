import { fetchMap } from './api-client.ts';
import type { MapEntry } from './api-types.ts';

export interface CountryScopes {
  regions: MapEntry[];
  networks: MapEntry[];
}

/**
 * A country's regions and networks for a target, each from the map endpoint narrowed to the country
 * (`country=`): the API reads the country's own sets of regions and ASNs, so the cost follows the
 * country, and no raw measurement is read.
 */
export async function fetchCountryScopes(request: {
  country: string;
  target: string;
  at: string | undefined;
}): Promise<CountryScopes> {
  const { country, target, at } = request;
  const [regions, networks] = await Promise.all([
    fetchMap({ target, level: 'region', country, at }),
    fetchMap({ target, level: 'asn', country, at }),
  ]);
  return { regions: regions.scopes, networks: networks.scopes };
}
