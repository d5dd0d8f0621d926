import { BlockList, isIP } from 'node:net';
import type { Catalogue } from '@reachmap/targets';
import { catalogueAddresses } from '@reachmap/targets';
import type { CensorAction, CensorRule } from '../scenario/censor-rule.ts';
import { matchesHostGlob } from './host-glob.ts';

/**
 * A censor rule with the catalogue looked up: what both the kernel and the user-space censor apply.
 * `destinations` null means any destination.
 */
export interface ResolvedRule {
  /** 1-based position in the region's rule list; the first matching rule decides a flow. */
  id: number;
  action: CensorAction;
  /** IPv4 addresses or CIDRs the flow's destination must be in. */
  destinations: string[] | null;
  /** Lab hostnames the rule names (DNS questions and HTTP hosts it applies to); null: any. */
  hostnames: string[] | null;
  /** SNI glob checked on the ClientHello; null: no SNI condition. */
  sni: string | null;
  proto: 'tcp' | 'udp' | null;
  port: number | null;
  /** Percentage (1-100) of flows hit. */
  sharePercent: number;
  /** Agent indices hit; null: every agent of the region. */
  agents: number[] | null;
}

export class RuleResolutionError extends Error {
  override readonly name = 'RuleResolutionError';
}

interface TargetEndpoints {
  hostnames: Set<string>;
  ips: Set<string>;
}

/**
 * Every hostname and address a target's suite names (its harmless control SNIs excluded). Transfers
 * from the shared reflector carry the target's SNI but the reflector's address: only `sni` selects them.
 */
function targetEndpoints(catalogue: Catalogue, targetId: string): TargetEndpoints {
  const index = catalogue.targets.findIndex((target) => target.id === targetId);
  if (index === -1) throw new RuleResolutionError(`unknown target "${targetId}" in the lab catalogue`);
  const prefix = `/targets/${index}/suite/`;
  const endpoints: TargetEndpoints = { hostnames: new Set(), ips: new Set() };
  for (const address of catalogueAddresses(catalogue)) {
    if (!address.path.startsWith(prefix) || address.path.includes('control_sni')) continue;
    if (address.kind === 'hostname') endpoints.hostnames.add(address.value);
    if (address.kind === 'ip') endpoints.ips.add(address.value);
  }
  for (const record of catalogue.dns_zone) {
    if (endpoints.hostnames.has(record.hostname)) for (const ip of record.addresses) endpoints.ips.add(ip);
  }
  return endpoints;
}

function inCidr(ip: string, cidr: string): boolean {
  const [network = '', bits = '32'] = cidr.split('/');
  const list = new BlockList();
  list.addSubnet(network, Number(bits), 'ipv4');
  return isIP(ip) === 4 && list.check(ip, 'ipv4');
}

function intersect(current: string[] | null, next: string[]): string[] {
  return current === null ? next : current.filter((value) => next.includes(value));
}

/** Looks up a region's rules in the lab catalogue; throws RuleResolutionError on an impossible rule. */
export function resolveRules(rules: readonly CensorRule[], catalogue: Catalogue): ResolvedRule[] {
  return rules.map((rule, index) => {
    const { match } = rule;
    let destinations: string[] | null = null;
    let hostnames: string[] | null = null;
    if (match.target !== undefined) {
      const endpoints = targetEndpoints(catalogue, match.target);
      destinations = [...endpoints.ips];
      hostnames = [...endpoints.hostnames];
    }
    if (match.host !== undefined) {
      const glob = match.host;
      const records = catalogue.dns_zone.filter((record) => matchesHostGlob(glob, record.hostname));
      hostnames = intersect(
        hostnames,
        records.map((record) => record.hostname),
      );
      destinations = intersect(destinations, [...new Set(records.flatMap((record) => record.addresses))]);
    }
    if (match.ip !== undefined) {
      const cidr = match.ip.includes('/') ? match.ip : `${match.ip}/32`;
      destinations = destinations === null ? [cidr] : destinations.filter((ip) => inCidr(ip, cidr));
    }
    if (match.sni !== undefined && match.proto === 'udp') {
      // QUIC Initials are encrypted with keys derived from the connection id; neither nft nor the
      // user-space censor decrypts them, so a UDP rule cannot look at the SNI.
      throw new RuleResolutionError(`rule ${index + 1}: SNI matching of UDP (QUIC) flows is not supported`);
    }
    if (destinations !== null && destinations.length === 0) {
      throw new RuleResolutionError(`rule ${index + 1}: its match selects no lab address`);
    }
    return {
      id: index + 1,
      action: rule.action,
      destinations,
      hostnames,
      sni: match.sni ?? null,
      proto: match.proto ?? null,
      port: match.port ?? null,
      sharePercent: Math.round((match.share ?? 1) * 100),
      agents: match.agents ?? null,
    };
  });
}
