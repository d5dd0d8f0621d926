import type { NetworkProposal } from '@reachmap/schema';
import type { GeoIpLookup } from '../geoip/geoip-lookup.ts';

/**
 * Where the collector places an enrolling agent: the connecting address looked up in the GeoIP
 * database. Without a database it proposes nothing and the operator's declaration stands.
 */
export function proposeNetwork(lookup: GeoIpLookup | null, address: string): NetworkProposal {
  const answer = lookup?.(address) ?? null;
  return {
    address,
    country: answer?.country ?? null,
    asn: answer?.asn ?? null,
    source: answer === null ? 'none' : 'geoip',
  };
}
