import { Method } from '@reachmap/schema';
import { z } from 'zod';
import { MIN_QUORUM_AGENTS, type RollupConfig } from './config.ts';
import { VALID_STATUSES } from './window-run.ts';
import type { WindowSummary } from './window-summary.ts';

/** The verdict statuses that open a state, in the order they win should a low quorum share let two qualify. */
export const InterferenceStatus = z.enum(['blocked', 'stalled', 'throttled']);
export type InterferenceStatus = z.infer<typeof InterferenceStatus>;

/** What one window says on its own, before hysteresis. */
export type WindowAssessment =
  | { kind: 'insufficient' }
  /** A quorum of healthy agents, each showing it in most of its runs, agrees on an interference status. */
  | { kind: 'interference'; status: InterferenceStatus; method: Method | null; share: number; agents: number }
  /** A quorum of agents reaches the target. */
  | { kind: 'clean'; share: number; agents: number }
  /** Enough evidence, but no quorum either way. */
  | { kind: 'mixed' };

function validRunsOf(window: WindowSummary): number {
  let total = 0;
  for (const status of VALID_STATUSES) total += window.counts[status] ?? 0;
  return total;
}

/** Most runs wins; a tie goes to the method listed first in the schema, so the result is deterministic. */
export function majorityMethod(methodCounts: Partial<Record<Method, number>> | undefined): Method | null {
  let best: Method | null = null;
  let bestCount = 0;
  for (const method of Method.options) {
    const count = methodCounts?.[method] ?? 0;
    if (count > bestCount) {
      best = method;
      bestCount = count;
    }
  }
  return best;
}

export function assessWindow(window: WindowSummary, config: RollupConfig): WindowAssessment {
  const validRuns = validRunsOf(window);
  if (window.agents.with_valid_runs < config.evidence.minAgents || validRuns < config.evidence.minValidRuns) {
    return { kind: 'insufficient' };
  }
  // The schema already refuses a smaller quorum; this also holds for a config built without parsing.
  const quorumAgents = Math.max(MIN_QUORUM_AGENTS, config.quorum.agents);
  for (const status of InterferenceStatus.options) {
    const share = (window.counts[status] ?? 0) / validRuns;
    // docs/techniques.md: only agents whose controls were healthy count towards a quorum; and each of
    // them must show S in most of its own runs (docs/state-machine.md rule 2).
    const agents = window.agents.testifying_by_status[status] ?? 0;
    if (agents >= quorumAgents && share >= config.quorum.share) {
      return { kind: 'interference', status, method: majorityMethod(window.methods[status]), share, agents };
    }
  }
  const okShare = (window.counts.ok ?? 0) / validRuns;
  const okAgents = window.agents.by_status.ok ?? 0;
  if (okAgents >= quorumAgents && okShare >= config.quorum.share) {
    return { kind: 'clean', share: okShare, agents: okAgents };
  }
  return { kind: 'mixed' };
}
