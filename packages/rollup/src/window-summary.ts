import { AgentId, MeasurementId, Method, ScopeKey, TargetId, Verdict, VerdictStatus } from '@reachmap/schema';
import { z } from 'zod';

/** Witness ids kept per status, the same cap as on events. */
export const MAX_WITNESSES = 50;

const Count = z.number().int().min(0);

/**
 * What one (scope, target) showed over one evaluation window. Every field is a counter the aggregator
 * can keep in Redis while verdicts stream in (HINCRBY for runs, PFADD/SADD for agents, LPUSH+LTRIM for
 * witnesses); `summarizeWindow` is the reference fold those counters must agree with.
 */
export const WindowSummary = z
  .object({
    scope: ScopeKey,
    target: TargetId,
    window_start: z.iso.datetime(),
    window_end: z.iso.datetime(),
    /** Runs (verdicts) per status. */
    counts: z.partialRecord(VerdictStatus, Count),
    /** Runs per method, per status: the method of a block is the majority among its blocked runs. */
    methods: z.partialRecord(VerdictStatus, z.partialRecord(Method, Count)),
    agents: z.object({
      /** Distinct agents with any verdict for this target in this scope and window. */
      total: Count,
      /** Distinct agents with at least one ok, blocked, throttled or stalled verdict. */
      with_valid_runs: Count,
      /** Distinct agents with at least one verdict of each status. */
      by_status: z.partialRecord(VerdictStatus, Count),
      /**
       * Distinct agents that testify to each valid status: more than half of the agent's valid runs in
       * the window show it, from rounds whose controls worked (not network-down). A quorum is made of
       * these, not of every agent with one such run: an agent's one odd run beside a liar's flood of
       * fabricated ones is not a second witness (fuzz world 41208040, docs/state-machine.md rule 2).
       */
      testifying_by_status: z.partialRecord(VerdictStatus, Count),
    }),
    /** The most recent measurement ids per status (newest first). */
    witnesses: z.partialRecord(VerdictStatus, z.array(MeasurementId).max(MAX_WITNESSES)),
    /** True when every run came from a simulated (lab) agent; false for an empty window. */
    all_simulated: z.boolean(),
  })
  .superRefine((summary, context) => {
    if (Date.parse(summary.window_end) <= Date.parse(summary.window_start)) {
      context.addIssue({
        code: 'custom',
        message: 'window_end must be after window_start',
        path: ['window_end'],
      });
    }
    const { total, with_valid_runs, by_status, testifying_by_status } = summary.agents;
    if (with_valid_runs > total) {
      context.addIssue({
        code: 'custom',
        message: 'more agents than agents.total',
        path: ['agents', 'with_valid_runs'],
      });
    }
    for (const status of VerdictStatus.options) {
      const agents = by_status[status] ?? 0;
      if (agents > total) {
        context.addIssue({
          code: 'custom',
          message: 'more agents than agents.total',
          path: ['agents', 'by_status', status],
        });
      }
      if ((testifying_by_status[status] ?? 0) > agents) {
        context.addIssue({
          code: 'custom',
          message: 'more testifying agents than agents with this status',
          path: ['agents', 'testifying_by_status', status],
        });
      }
    }
  });
export type WindowSummary = z.infer<typeof WindowSummary>;

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

/** Folds the runs of one (scope, target, window) into its summary. */
/** Which window of which (scope, target) pair: the key every window's summary and slices carry. */
export interface WindowKey {
  scope: ScopeKey;
  target: TargetId;
  window_start: string;
  window_end: string;
}

export function summarizeWindow(key: WindowKey, runs: readonly WindowRun[]): WindowSummary {
  const counts: WindowSummary['counts'] = {};
  const methods: WindowSummary['methods'] = {};
  const agentsByStatus = new Map<VerdictStatus, Set<string>>();
  const agents = new Set<string>();
  const validRunsByAgent = new Map<string, number>();
  const healthyRunsByAgent = new Map<VerdictStatus, Map<string, number>>();
  const witnessIds = new Map<VerdictStatus, string[]>();

  for (const { agent_id, verdict, controls_healthy } of runs) {
    const { status, method, measurement_id } = verdict;
    counts[status] = (counts[status] ?? 0) + 1;
    if (method !== null) {
      const perMethod = methods[status] ?? {};
      perMethod[method] = (perMethod[method] ?? 0) + 1;
      methods[status] = perMethod;
    }
    agents.add(agent_id);
    agentsByStatus.set(status, (agentsByStatus.get(status) ?? new Set()).add(agent_id));
    if (VALID_STATUSES.has(status)) {
      validRunsByAgent.set(agent_id, (validRunsByAgent.get(agent_id) ?? 0) + 1);
      if (controls_healthy) {
        const perAgent = healthyRunsByAgent.get(status) ?? new Map<string, number>();
        perAgent.set(agent_id, (perAgent.get(agent_id) ?? 0) + 1);
        healthyRunsByAgent.set(status, perAgent);
      }
    }
    witnessIds.set(status, [...(witnessIds.get(status) ?? []), measurement_id]);
  }

  // UUIDv7 ids sort by time, so the newest witnesses are the greatest ids.
  const witnesses: WindowSummary['witnesses'] = {};
  for (const [status, ids] of witnessIds) {
    witnesses[status] = [...ids].sort().reverse().slice(0, MAX_WITNESSES);
  }
  const sizes = (sets: Map<VerdictStatus, Set<string>>) => {
    const sized: Partial<Record<VerdictStatus, number>> = {};
    for (const [status, ids] of sets) sized[status] = ids.size;
    return sized;
  };
  const testifying: Partial<Record<VerdictStatus, number>> = {};
  for (const [status, perAgent] of healthyRunsByAgent) {
    const testifiers = [...perAgent].filter(([agent, runs]) => 2 * runs > (validRunsByAgent.get(agent) ?? 0));
    if (testifiers.length > 0) testifying[status] = testifiers.length;
  }

  return {
    ...key,
    counts,
    methods,
    agents: {
      total: agents.size,
      with_valid_runs: validRunsByAgent.size,
      by_status: sizes(agentsByStatus),
      testifying_by_status: testifying,
    },
    witnesses,
    all_simulated: runs.length > 0 && runs.every((run) => run.simulated),
  };
}
