import { MeasurementId, ScopeKey } from '@reachmap/schema';
import { z } from 'zod';
import type { RollupConfig } from './config.ts';
import { MAX_WITNESSES } from './window-summary.ts';

const Count = z.number().int().min(0);

/**
 * What one scope (no target) showed over one window about its connectivity as a whole: are the
 * agents still heard, and do their controls still work? An outage is not censorship (docs/techniques.md), and
 * while it lasts no (scope, target) state may open or close.
 */
export const OutageSignals = z
  .object({
    scope: ScopeKey,
    window_start: z.iso.datetime(),
    window_end: z.iso.datetime(),
    heartbeats: z.object({
      /** Distinct agents of the scope heard (heartbeat or submission) in the window. */
      agents_heard: Count,
      /** Median of `agents_heard` over recent windows (`heartbeatBaseline`); null without history. */
      baseline: z.number().min(0).nullable(),
    }),
    controls: z.object({
      /** Distinct agents that ran control measurements in the window. */
      agents: Count,
      /** Of those, agents with at least one round where a control worked. */
      agents_healthy: Count,
      /** Control rounds run, and rounds where both domestic and foreign controls failed. */
      runs: Count,
      runs_failed: Count,
    }),
    /** Failed control measurements, newest first. */
    witnesses: z.array(MeasurementId).max(MAX_WITNESSES),
    all_simulated: z.boolean(),
  })
  .refine((signals) => Date.parse(signals.window_end) > Date.parse(signals.window_start), {
    message: 'window_end must be after window_start',
    path: ['window_end'],
  })
  .refine((signals) => signals.controls.agents_healthy <= signals.controls.agents, {
    message: 'more healthy agents than agents',
    path: ['controls', 'agents_healthy'],
  })
  .refine((signals) => signals.controls.runs_failed <= signals.controls.runs, {
    message: 'more failed runs than runs',
    path: ['controls', 'runs_failed'],
  });
export type OutageSignals = z.infer<typeof OutageSignals>;

/**
 * IODA's baseline: the median of the signal over a sliding window (7 days for active probing), robust
 * to the outages inside it. `recentAgentsHeard` is oldest first, one entry per past window. Windows
 * before the scope was first heard are not part of it: the evaluator meets a new scope one window
 * before its first agent's, and that empty window would halve a young scope's baseline.
 */
export function heartbeatBaseline(recentAgentsHeard: readonly number[], config: RollupConfig): number | null {
  const windows = Math.ceil(config.outage.baselineMs / config.windowMs);
  const firstHeard = recentAgentsHeard.findIndex((heard) => heard > 0);
  const sinceFirstHeard = firstHeard === -1 ? [] : recentAgentsHeard.slice(firstHeard);
  const recent = [...sinceFirstHeard.slice(-windows)].sort((a, b) => a - b);
  if (recent.length === 0) return null;
  const middle = Math.floor(recent.length / 2);
  const upper = recent[middle] ?? 0;
  return recent.length % 2 === 1 ? upper : ((recent[middle - 1] ?? 0) + upper) / 2;
}

export const HeartbeatLevel = z.enum(['unknown', 'normal', 'warning', 'critical']);
export type HeartbeatLevel = z.infer<typeof HeartbeatLevel>;

export const OutageCause = z.enum(['controls', 'heartbeats', 'controls-and-heartbeats']);
export type OutageCause = z.infer<typeof OutageCause>;

export type OutageAssessment = {
  /** Null when the window is not an outage. */
  cause: OutageCause | null;
  heartbeatLevel: HeartbeatLevel;
  /** 0..1: how far the worse signal has fallen (failing agents' share, heartbeats' shortfall). */
  severity: number;
};

export function assessOutage(signals: OutageSignals, config: RollupConfig): OutageAssessment {
  const { minAgents, controlFailureShare, heartbeatWarningRatio, heartbeatCriticalRatio } = config.outage;
  const { agents, agents_healthy } = signals.controls;
  const failingShare = agents === 0 ? 0 : (agents - agents_healthy) / agents;
  const controlsCollapsed = agents >= minAgents && failingShare > controlFailureShare;

  const { agents_heard, baseline } = signals.heartbeats;
  const heartbeatKnown = baseline !== null && baseline >= minAgents;
  const ratio = heartbeatKnown ? agents_heard / baseline : 1;
  let heartbeatLevel: HeartbeatLevel = 'unknown';
  if (heartbeatKnown) {
    if (ratio < heartbeatCriticalRatio) heartbeatLevel = 'critical';
    else if (ratio < heartbeatWarningRatio) heartbeatLevel = 'warning';
    else heartbeatLevel = 'normal';
  }
  const heartbeatsCollapsed = heartbeatLevel === 'critical';

  let cause: OutageCause | null = null;
  if (controlsCollapsed && heartbeatsCollapsed) cause = 'controls-and-heartbeats';
  else if (controlsCollapsed) cause = 'controls';
  else if (heartbeatsCollapsed) cause = 'heartbeats';
  const severity = Math.max(failingShare, 1 - Math.min(1, ratio));
  return { cause, heartbeatLevel, severity };
}
