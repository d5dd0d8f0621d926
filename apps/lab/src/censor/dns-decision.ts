import type { ZoneRecord } from '@reachmap/targets';
import { matchesHostGlob } from './host-glob.ts';
import type { ResolvedRule } from './resolve-rules.ts';

export type DnsAnswer = { rcode: 'NOERROR'; addresses: string[] } | { rcode: 'NXDOMAIN' | 'SERVFAIL' };

function ruleCoversName(rule: ResolvedRule, name: string): boolean {
  if (rule.sni !== null && !matchesHostGlob(rule.sni, name)) return false;
  return rule.hostnames === null || rule.hostnames.includes(name);
}

/**
 * How the region's (lying) system resolver answers `name` for agent `agentIndex`: the first DNS rule
 * that covers the name decides, otherwise the lab zone answers honestly (unknown names: NXDOMAIN).
 */
export function answerForName(
  name: string,
  agentIndex: number | null,
  rules: readonly ResolvedRule[],
  zone: readonly ZoneRecord[],
  random: () => number = Math.random,
): DnsAnswer {
  const lowered = name.toLowerCase().replace(/\.$/, '');
  for (const rule of rules) {
    if (rule.action.kind !== 'dns') continue;
    if (rule.agents !== null && (agentIndex === null || !rule.agents.includes(agentIndex))) continue;
    if (!ruleCoversName(rule, lowered)) continue;
    if (random() * 100 >= rule.sharePercent) continue;
    const { answer } = rule.action;
    if (answer === 'nxdomain') return { rcode: 'NXDOMAIN' };
    if (answer === 'servfail') return { rcode: 'SERVFAIL' };
    return { rcode: 'NOERROR', addresses: [answer.a] };
  }
  const record = zone.find((entry) => entry.hostname === lowered);
  return record === undefined ? { rcode: 'NXDOMAIN' } : { rcode: 'NOERROR', addresses: record.addresses };
}
