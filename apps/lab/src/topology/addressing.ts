/**
 * Addresses of the lab's own plumbing, kept in 198.19.0.0/16 (the upper half of RFC 2544's
 * 198.18.0.0/15), while lab targets and services use 198.18.0.0/16 (docs/catalogue.md). Regions are
 * numbered by their position in the scenario, agents by their position in the region.
 */
export const MAX_REGIONS = 50;
export const MAX_AGENTS_PER_REGION = 60;

/** The agents' system resolver (the "ISP resolver"): served in the world by the runner from the lab zone. */
export const LAB_SYSTEM_RESOLVER_IP = '198.18.0.2';
/** Where the lab's blockpage server lives in the world (a stub answer for `dns: { a: … }`). */
export const LAB_BLOCKPAGE_IP = '198.18.0.80';

export interface AgentAddress {
  agentIp: string;
  routerIp: string;
}

/** Agent `agent` of region `region`: a /30 between the agent and its censor router. */
export function agentLink(region: number, agent: number): AgentAddress {
  const base = agent * 4;
  return { agentIp: `198.19.${region}.${base + 2}`, routerIp: `198.19.${region}.${base + 1}` };
}

/** The agents' subnet of a region, routed by the world towards its router. */
export function regionAgentsPrefix(region: number): string {
  return `198.19.${region}.0/24`;
}

/** The /30 between the world and a region's router. */
export function uplink(region: number): { worldIp: string; routerIp: string } {
  const base = region * 4;
  return { worldIp: `198.19.252.${base + 1}`, routerIp: `198.19.252.${base + 2}` };
}

/** The /30 between the host (root namespace) and the world; `slot` keeps parallel runs apart. */
export function hostLink(slot: number): { hostIp: string; worldIp: string; prefix: string } {
  const base = slot * 4;
  return {
    hostIp: `198.19.254.${base + 1}`,
    worldIp: `198.19.254.${base + 2}`,
    prefix: `198.19.254.${base}/30`,
  };
}
export const HOST_LINK_SLOTS = 64;
export const HOST_LINKS_PREFIX = '198.19.254.0/24';
