import { MeasurementId, Method, ScopeKey, TargetId, VerdictStatus } from '@reachmap/schema';
import { z } from 'zod';
import { agentRuns, type WindowRun } from './window-run.ts';

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

/** Which window of which (scope, target) pair: the key every window's summary and slices carry. */
export interface WindowKey {
  scope: ScopeKey;
  target: TargetId;
  window_start: string;
  window_end: string;
}

/** Folds the runs of one (scope, target, window) into its summary. */
export function summarizeWindow(key: WindowKey, runs: readonly WindowRun[]): WindowSummary {
  const counts: WindowSummary['counts'] = {};
  const methods: WindowSummary['methods'] = {};
  const agentsByStatus = new Map<VerdictStatus, Set<string>>();
  const agents = new Set<string>();
  const witnessIds = new Map<VerdictStatus, string[]>();

  for (const { agent_id, verdict } of runs) {
    const { status, method, measurement_id } = verdict;
    counts[status] = (counts[status] ?? 0) + 1;
    if (method !== null) {
      const perMethod = methods[status] ?? {};
      perMethod[method] = (perMethod[method] ?? 0) + 1;
      methods[status] = perMethod;
    }
    agents.add(agent_id);
    agentsByStatus.set(status, (agentsByStatus.get(status) ?? new Set()).add(agent_id));
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
  const perAgent = agentRuns(runs);
  const testifying: Partial<Record<VerdictStatus, number>> = {};
  for (const { valid, healthyByStatus } of perAgent.values()) {
    for (const [status, healthy] of healthyByStatus) {
      if (2 * healthy > valid) testifying[status] = (testifying[status] ?? 0) + 1;
    }
  }

  return {
    ...key,
    counts,
    methods,
    agents: {
      total: agents.size,
      with_valid_runs: perAgent.size,
      by_status: sizes(agentsByStatus),
      testifying_by_status: testifying,
    },
    witnesses,
    all_simulated: runs.length > 0 && runs.every((run) => run.simulated),
  };
}
