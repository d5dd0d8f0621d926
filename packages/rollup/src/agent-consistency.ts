import type { VerdictStatus } from '@reachmap/schema';
import { z } from 'zod';
import type { RollupConfig } from './config.ts';
import { type AgentRuns, agentRuns, type WindowRun } from './window-run.ts';

/**
 * How one agent has stood against its peers of an ASN for one target, window after window.
 * `discounted` is set while its runs are left out of the ASN's windows.
 */
export const AgentStanding = z.object({
  contradicting: z.number().int().min(0),
  agreeing: z.number().int().min(0),
  discounted: z.object({ since: z.iso.datetime(), reason: z.string().max(500) }).nullable(),
});
export type AgentStanding = z.infer<typeof AgentStanding>;
export const AgentStandings = z.record(z.string(), AgentStanding);
export type AgentStandings = z.infer<typeof AgentStandings>;

/** The interference status most of an agent's valid runs show with healthy controls (at least `share`). */
function interference(agent: AgentRuns, share: number): { status: VerdictStatus; runs: number } | null {
  const [top] = [...agent.healthyByStatus].filter(([status]) => status !== 'ok').sort((a, b) => b[1] - a[1]);
  return top !== undefined && top[1] >= share * agent.valid ? { status: top[0], runs: top[1] } : null;
}

/**
 * The agents of one ASN window whose runs contradict their peers: most of the agent's valid runs show
 * an interference, with its own round controls healthy (its network works), while at least
 * `consistency.minPeers` other agents of the same ASN and the same region, behind the same censor,
 * reach the target (each with an ok share at or above the quorum share). Peers in other regions do not
 * count: a national ISP's boxes may block in one region only, which is partial blocking, not a lie
 * (region-slices). Returns, per agent with valid runs, the contradiction's description or null when it
 * agrees.
 */
export function judgeAgents(runs: readonly WindowRun[], config: RollupConfig): Map<string, string | null> {
  const share = config.quorum.share;
  const agents = agentRuns(runs);
  const reaching = [...agents].filter(([, window]) => window.ok >= share * window.valid);
  const judged = new Map<string, string | null>();
  for (const [agent, window] of agents) {
    const peers = reaching.filter(
      ([peer, peerWindow]) => peer !== agent && peerWindow.region === window.region,
    );
    const reported = interference(window, share);
    judged.set(
      agent,
      reported !== null && peers.length >= config.consistency.minPeers
        ? `reported ${reported.status} in ${reported.runs} of ${window.valid} runs with its controls working, while ${peers.length} peers in the same ASN${window.region === '' ? '' : ` and region`} reached the target`
        : null,
    );
  }
  return judged;
}

/**
 * Standings after one window. An agent is discounted after `consistency.windows` consecutive
 * contradicting windows and counts again after as many agreeing ones; agents without valid runs in the
 * window keep their standing. Agents with nothing to remember are dropped, so the record stays as small
 * as the ASN's set of agents.
 */
export function nextStandings(
  previous: AgentStandings,
  runs: readonly WindowRun[],
  windowEnd: string,
  config: RollupConfig,
): AgentStandings {
  const next: AgentStandings = { ...previous };
  const needed = config.consistency.windows;
  for (const [agent, contradiction] of judgeAgents(runs, config)) {
    const before = previous[agent] ?? { contradicting: 0, agreeing: 0, discounted: null };
    const standing: AgentStanding =
      contradiction === null
        ? { contradicting: 0, agreeing: before.agreeing + 1, discounted: before.discounted }
        : { contradicting: before.contradicting + 1, agreeing: 0, discounted: before.discounted };
    if (contradiction !== null && standing.contradicting >= needed && standing.discounted === null) {
      standing.discounted = {
        since: windowEnd,
        reason: `${standing.contradicting} consecutive windows: ${contradiction}`.slice(0, 500),
      };
    }
    if (contradiction === null && standing.agreeing >= needed) standing.discounted = null;
    if (standing.discounted === null && standing.contradicting === 0) delete next[agent];
    else next[agent] = standing;
  }
  return next;
}

/** The runs that count: those of agents not discounted. */
export function countedRuns(runs: readonly WindowRun[], standings: AgentStandings): WindowRun[] {
  return runs.filter((run) => standings[run.agent_id]?.discounted == null);
}

/** The ASNs a region's runs were measured from: whose standings judge the region's agents. */
export function asnsOfRuns(runs: readonly WindowRun[]): string[] {
  return [...new Set(runs.flatMap((run) => (run.asn === undefined ? [] : [run.asn])))];
}

/**
 * A region's view of its agents: the standings of those its ASNs' peers discount, each taken from the
 * ASN the agent measured from. A region cannot judge its agents itself (disagreement across a region's
 * ISPs is what partial blocking looks like), but it should not pool runs the agent's own ISP peers
 * refuted. Returned in the ASN's form so that the map and `countedRuns` read it the same way.
 */
export function borrowedStandings(
  runs: readonly WindowRun[],
  standingsByAsn: ReadonlyMap<string, AgentStandings>,
): AgentStandings {
  const borrowed: AgentStandings = {};
  for (const run of runs) {
    if (run.asn === undefined) continue;
    const standing = standingsByAsn.get(run.asn)?.[run.agent_id];
    if (standing?.discounted != null) borrowed[run.agent_id] = standing;
  }
  return borrowed;
}
