import { BlockList } from 'node:net';
import { matchesHostGlob } from '../censor/host-glob.ts';
import type { ResolvedRule } from '../censor/resolve-rules.ts';
import { type FlowRole, flowRoleOf } from '../censor/rule-role.ts';

export interface Flow {
  /** The destination's lab address (198.18.a.b), whatever loopback twin carried it. */
  labIp: string;
  /** The destination's lab port (before the loopback port shift). */
  port: number;
  proto: 'tcp' | 'udp';
  agentIndex: number | null;
}

function inPrefixes(ip: string, prefixes: readonly string[]): boolean {
  const list = new BlockList();
  for (const prefix of prefixes) {
    const [network = '', bits = '32'] = prefix.split('/');
    list.addSubnet(network, Number(bits), 'ipv4');
  }
  return list.check(ip, 'ipv4');
}

function matchesTuple(rule: ResolvedRule, flow: Flow): boolean {
  if (rule.agents !== null && (flow.agentIndex === null || !rule.agents.includes(flow.agentIndex)))
    return false;
  if (rule.destinations !== null && !inPrefixes(flow.labIp, rule.destinations)) return false;
  if (rule.proto !== null && rule.proto !== flow.proto) return false;
  if (rule.port !== null && rule.port !== flow.port) return false;
  if (rule.action.kind === 'allowlist' && inPrefixes(flow.labIp, rule.action.prefixes)) return false;
  return true;
}

/** A rule of `role` that can act on the flow when it opens: no SNI to wait for, and its tuple matches. */
function decidesAtOpen(rule: ResolvedRule, flow: Flow, role: FlowRole = 'filter'): boolean {
  return flowRoleOf(rule) === role && rule.sni === null && matchesTuple(rule, flow);
}

/**
 * The rule of `role` that acts on a flow when it opens: the first non-SNI rule whose tuple matches and
 * whose `share` draw hits. Same order as the kernel censor (compile-kernel-censor.ts).
 */
export function ruleAtOpen(
  rules: readonly ResolvedRule[],
  flow: Flow,
  random: () => number,
  role: FlowRole = 'filter',
): ResolvedRule | null {
  for (const rule of rules) {
    if (decidesAtOpen(rule, flow, role) && random() * 100 < rule.sharePercent) return rule;
  }
  return null;
}

/** An SNI rule of `role` that outranks `current` once the ClientHello names `serverName`, else `current`. */
export function ruleAfterClientHello(
  rules: readonly ResolvedRule[],
  flow: Flow,
  serverName: string,
  current: ResolvedRule | null,
  random: () => number,
  role: FlowRole = 'filter',
): ResolvedRule | null {
  for (const rule of rules) {
    if (current !== null && rule.id >= current.id) break;
    if (flowRoleOf(rule) !== role || rule.sni === null || !matchesTuple(rule, flow)) continue;
    if (!matchesHostGlob(rule.sni, serverName)) continue;
    if (random() * 100 < rule.sharePercent) return rule;
  }
  return current;
}

/**
 * The loss a datagram of this flow meets: every matching lossy rule drops its share independently,
 * as stacked lossy links do (loss inside a TCP stream has no meaning for a relay).
 */
export function lossPercentOf(rules: readonly ResolvedRule[], flow: Flow, serverName: string | null): number {
  let delivered = 1;
  for (const rule of rules) {
    if (rule.action.kind !== 'netem' || rule.action.lossPercent <= 0 || !matchesTuple(rule, flow)) continue;
    if (rule.sni !== null && (serverName === null || !matchesHostGlob(rule.sni, serverName))) continue;
    delivered *= 1 - (rule.action.lossPercent / 100) * (rule.sharePercent / 100);
  }
  return (1 - delivered) * 100;
}

/**
 * The rule that decides, at open, every flow of the region's agents to this destination whatever the
 * share draw: null when none does, or when the decision depends on the agent or on the draw.
 */
export function ruleForEveryAgent(
  rules: readonly ResolvedRule[],
  destination: Omit<Flow, 'agentIndex'>,
  agents: number,
): ResolvedRule | null {
  let deciding: ResolvedRule | null = null;
  for (let agentIndex = 0; agentIndex < agents; agentIndex++) {
    const flow = { ...destination, agentIndex };
    const first = rules.find((rule) => decidesAtOpen(rule, flow));
    if (first === undefined || first.sharePercent < 100) return null;
    if (deciding !== null && deciding !== first) return null;
    deciding = first;
  }
  return deciding;
}
