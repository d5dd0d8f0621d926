import {
  type AgentNetwork,
  AgentNetwork as AgentNetworkSchema,
  type NetworkProposal,
} from '@reachmap/schema';
import { z } from 'zod';

/** What the operator typed at enrolment; country and ASN may be left to the collector's proposal. */
export interface DeclaredNetwork {
  country: string | null;
  asn: number | null;
  region: string | null;
  networkType: string;
  overrideReason: string | null;
}

export type NetworkBasis = 'detected' | 'confirmed' | 'overridden' | 'declared';

export type ResolvedNetwork =
  | { ok: true; network: AgentNetwork; basis: NetworkBasis; overrideReason: string | null }
  | { ok: false; message: string };

/**
 * The network an agent enrols in. With a proposal (the collector's GeoIP answer for the address it
 * sees) the operator confirms it by leaving country and ASN out or repeating them, or overrides it
 * with a reason; without one, the operator's declaration stands, as before detection existed.
 */
export function resolveEnrolmentNetwork(
  declared: DeclaredNetwork,
  proposal: NetworkProposal | null,
): ResolvedNetwork {
  const proposed = proposal !== null && proposal.country !== null && proposal.asn !== null ? proposal : null;
  if (proposed === null && (declared.country === null || declared.asn === null)) {
    return {
      ok: false,
      message:
        'the collector cannot tell where this agent is (it has no GeoIP database, or none that knows this address): pass --country and --asn',
    };
  }
  const differs =
    proposed !== null &&
    ((declared.country !== null && declared.country !== proposed.country) ||
      (declared.asn !== null && declared.asn !== proposed.asn));
  if (differs && declared.overrideReason === null) {
    return {
      ok: false,
      message: `the collector sees this agent at ${proposed.address}, in ${proposed.country} AS${proposed.asn}; you declared ${declared.country ?? proposed.country} AS${declared.asn ?? proposed.asn}. Leave --country and --asn out to take the collector's, or keep yours with --override-reason "why" (a VPN or tunnel exit, a wrong database entry)`,
    };
  }
  const parsed = AgentNetworkSchema.safeParse({
    country: declared.country ?? proposed?.country,
    region: declared.region,
    asn: declared.asn ?? proposed?.asn,
    network_type: declared.networkType,
  });
  if (!parsed.success) return { ok: false, message: `invalid location: ${z.prettifyError(parsed.error)}` };
  const basis: NetworkBasis =
    proposed === null
      ? 'declared'
      : differs
        ? 'overridden'
        : declared.country === null || declared.asn === null
          ? 'detected'
          : 'confirmed';
  return { ok: true, network: parsed.data, basis, overrideReason: differs ? declared.overrideReason : null };
}
