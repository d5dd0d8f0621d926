import { AgentId, ScopeKey, Verdict, type VerdictStatus } from '@reachmap/schema';
import { z } from 'zod';

/** One classified run as the aggregator sees it: the verdict, who made it, and its round's controls. */
export const WindowRun = z.object({
  agent_id: AgentId,
  verdict: Verdict.pick({ measurement_id: true, status: true, method: true }),
  /** The round's controls were not network-down (at least one of domestic and foreign worked). */
  controls_healthy: z.boolean(),
  simulated: z.boolean(),
  /** Region runs: the ASN the agent measured from, whose peers judge its consistency (agent-consistency). */
  asn: ScopeKey.optional(),
  /** ASN runs: the region the agent measured from, the ASN's slice it counts in (region-slices). */
  region: ScopeKey.optional(),
});
export type WindowRun = z.infer<typeof WindowRun>;

/** Statuses that say something about the target; down, error and insufficient runs do not. */
export const VALID_STATUSES: ReadonlySet<VerdictStatus> = new Set(['ok', 'blocked', 'throttled', 'stalled']);

/** One agent's valid runs in one window: what the quorum and the consistency check both read. */
export interface AgentRuns {
  /** Where the agent measured from (ASN runs record it); '' when its runs do not say. */
  region: string;
  /** Its runs with a valid status. */
  valid: number;
  /** Its `ok` runs, whatever their controls: the agent reached the target. */
  ok: number;
  /** Its valid runs per status from rounds whose controls worked. */
  healthyByStatus: Map<VerdictStatus, number>;
}

/**
 * Folds a window's runs per agent, leaving out runs without a valid status; agents with none are
 * absent. The one per-agent count behind `summarizeWindow`'s testifying agents and `judgeAgents`, so
 * the two cannot drift apart on which runs an agent has.
 */
export function agentRuns(runs: readonly WindowRun[]): Map<string, AgentRuns> {
  const agents = new Map<string, AgentRuns>();
  for (const { agent_id, verdict, controls_healthy, region } of runs) {
    const { status } = verdict;
    if (!VALID_STATUSES.has(status)) continue;
    let agent = agents.get(agent_id);
    if (agent === undefined) {
      agent = { region: region ?? '', valid: 0, ok: 0, healthyByStatus: new Map() };
      agents.set(agent_id, agent);
    }
    agent.valid += 1;
    if (status === 'ok') agent.ok += 1;
    if (controls_healthy) agent.healthyByStatus.set(status, (agent.healthyByStatus.get(status) ?? 0) + 1);
  }
  return agents;
}
