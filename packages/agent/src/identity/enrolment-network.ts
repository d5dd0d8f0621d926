import {
  type AgentNetwork,
  AgentNetwork as AgentNetworkSchema,
  type NetworkProposal,
  type NetworkView,
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
 * sees) the operator confirms it by leaving country, ASN and region out or repeating them, or
 * overrides it with a reason; without one, the operator's declaration stands, as before detection
 * existed. When the agent's own view (its address as a control endpoint saw it) places it elsewhere
 * than the connecting address, detection cannot choose: the operator declares, with a reason.
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
  const own = proposed?.agent_view ?? null;
  const viewsDiffer = proposed !== null && own !== null && contradicts(own, proposed);
  const declaredAll = declared.country !== null && declared.asn !== null;
  if (viewsDiffer && (!declaredAll || declared.overrideReason === null)) {
    return {
      ok: false,
      message: `the collector sees this agent at ${describeView(proposed)} but a control endpoint sees it at ${describeView(own)}: declare the network this machine measures from with --country, --asn and --override-reason "why" (uploads through a VPN or tunnel, a wrong database entry)`,
    };
  }
  const differs =
    proposed !== null &&
    ((declared.country !== null && declared.country !== proposed.country) ||
      (declared.asn !== null && declared.asn !== proposed.asn) ||
      (declared.region !== null && proposed.region !== null && declared.region !== proposed.region));
  if (differs && declared.overrideReason === null) {
    return {
      ok: false,
      message: `the collector sees this agent at ${describeView(proposed)}; you declared ${declared.country ?? proposed.country}${declared.region === null ? '' : ` / ${declared.region}`} AS${declared.asn ?? proposed.asn}. Leave --country, --asn and --region out to take the collector's, or keep yours with --override-reason "why" (a VPN or tunnel exit, a wrong database entry)`,
    };
  }
  const country = declared.country ?? proposed?.country;
  // The detected region belongs to the detected country only.
  const region =
    declared.region ?? (proposed !== null && country === proposed.country ? proposed.region : null);
  const parsed = AgentNetworkSchema.safeParse({
    country,
    region,
    asn: declared.asn ?? proposed?.asn,
    network_type: declared.networkType,
  });
  if (!parsed.success) return { ok: false, message: `invalid location: ${z.prettifyError(parsed.error)}` };
  const overridden = differs || viewsDiffer;
  const basis: NetworkBasis =
    proposed === null ? 'declared' : overridden ? 'overridden' : declaredAll ? 'confirmed' : 'detected';
  return {
    ok: true,
    network: parsed.data,
    basis,
    overrideReason: overridden ? declared.overrideReason : null,
  };
}

/** Two views contradict when the database places them in another country or ASN (unknowns never do). */
function contradicts(a: NetworkView, b: NetworkView): boolean {
  const differ = (x: string | number | null, y: string | number | null) =>
    x !== null && y !== null && x !== y;
  return differ(a.country, b.country) || differ(a.asn, b.asn);
}

/** `203.0.113.5, in RU / RU-MOW AS12389`. */
export function describeView(view: NetworkView): string {
  const region = view.region === null ? '' : ` / ${view.region}`;
  return `${view.address}, in ${view.country ?? '??'}${region} AS${view.asn ?? '?'}`;
}
