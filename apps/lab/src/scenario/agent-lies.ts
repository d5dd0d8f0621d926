import type { LieStatus } from '../lies/lie-status.ts';
import type { CensorRule } from './censor-rule.ts';

/** One target an agent reports fabricated results for (the lab agent's `--lie <target>=<status>`, lab-agent-cli.ts). */
export interface AgentLie {
  target: string;
  status: LieStatus;
}

/**
 * What agent `agentIndex` of a region lies about: per target, the first lie rule that selects the agent
 * (`agents` absent: every agent). Lie rules have no network effect, so they take no part in "the first
 * matching rule decides a flow": a lie never shadows a later network rule, nor the other way round.
 */
export function agentLies(rules: readonly CensorRule[], agentIndex: number): AgentLie[] {
  const lies = new Map<string, LieStatus>();
  for (const { match, action } of rules) {
    if (action.kind !== 'lie' || match.target === undefined || lies.has(match.target)) continue;
    if (match.agents !== undefined && !match.agents.includes(agentIndex)) continue;
    lies.set(match.target, action.status);
  }
  return [...lies].map(([target, status]) => ({ target, status }));
}

/** The agent's command-line arguments for its lies. */
export function lieArguments(lies: readonly AgentLie[]): string[] {
  return lies.flatMap(({ target, status }) => ['--lie', `${target}=${status}`]);
}

/** Whether two rule lists give every one of `agents` agents the same lies, in any rule order. */
export function sameLies(a: readonly CensorRule[], b: readonly CensorRule[], agents: number): boolean {
  const key = (rules: readonly CensorRule[], agent: number) =>
    lieArguments(agentLies(rules, agent).sort((x, y) => x.target.localeCompare(y.target))).join(' ');
  return Array.from({ length: agents }, (_, agent) => key(a, agent) === key(b, agent)).every(Boolean);
}
