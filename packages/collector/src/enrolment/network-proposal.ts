import type { NetworkProposal, NetworkView } from '@reachmap/schema';
import type { AgentOwnView } from '../agents/agent-store.ts';
import { type GeoIpLookup, unmappedAddress } from '../geoip/geoip-lookup.ts';

/** One address as the collector's database places it; nulls without a database or an answer. */
export function viewOf(lookup: GeoIpLookup | null, address: string): NetworkView {
  const answer = lookup?.(address) ?? null;
  return {
    address,
    country: answer?.country ?? null,
    region: answer?.region ?? null,
    asn: answer?.asn ?? null,
  };
}

/**
 * Where the collector places an enrolling agent: the connecting address looked up in the GeoIP
 * database and, when the agent says what a control endpoint saw (`agentAddress`), that address too.
 * Without a database it proposes nothing and the operator's declaration stands.
 */
export function proposeNetwork(
  lookup: GeoIpLookup | null,
  address: string,
  agentAddress: string | null,
  addressEchoUrl: string | null,
): NetworkProposal {
  const seen = viewOf(lookup, address);
  const known = seen.country !== null || seen.asn !== null;
  return {
    ...seen,
    source: known ? 'geoip' : 'none',
    agent_view: agentAddress === null ? null : viewOf(lookup, agentAddress),
    address_echo_url: addressEchoUrl,
  };
}

/**
 * The agent's own view beside the connecting address's: they agree when they are the same address or
 * the database places both in the same country and ASN (a field it does not know never disagrees).
 */
export function compareOwnView(
  lookup: GeoIpLookup | null,
  connectingAddress: string,
  agentAddress: string,
): AgentOwnView {
  const own = viewOf(lookup, agentAddress);
  const seen = viewOf(lookup, connectingAddress);
  const differs = (a: string | number | null, b: string | number | null) =>
    a !== null && b !== null && a !== b;
  const agrees =
    unmappedAddress(agentAddress) === unmappedAddress(connectingAddress) ||
    !(differs(own.country, seen.country) || differs(own.asn, seen.asn));
  return { ...own, agrees };
}
