import { EventType, type TargetOutage } from '@reachmap/schema';
import { z } from 'zod';
import type { RollupConfig } from './config.ts';
import type { OutageSignals } from './outage-signals.ts';
import { nextScopeState, ScopeMachineState, type ScopeTransition } from './scope-machine.ts';
import type { WindowSummary } from './window-summary.ts';

/**
 * What the last applied window left behind so it can be judged again when late runs arrive: the
 * machine before it, how many runs it was judged on, and the events it emitted. Runs are attributed by
 * start time, so a round that starts late in a window and arrives after its evaluation still lands in
 * it; with this record the window is re-assessed instead of staying below the evidence floor.
 */
export const LastAssessment = z.object({
  previous: ScopeMachineState,
  runs: z.number().int().min(0),
  /** Every run stored for the window when it was judged (discounted ones too): a cheap "anything new?". */
  members: z.number().int().min(0).optional(),
  events: z.array(EventType),
});
export type LastAssessment = z.infer<typeof LastAssessment>;

export function runsIn(window: WindowSummary): number {
  return Object.values(window.counts).reduce((sum, count) => sum + (count ?? 0), 0);
}

/**
 * Judges the last applied window again with the runs that arrived since (`window`, read anew), from
 * the machine it was applied to. Returns the replacement transition, whose events are only those the
 * first judgement did not already emit, or null when there is nothing to change:
 *
 * - no new run since the first judgement;
 * - the first judgement's events are not the start of the new ones: an emitted event is never
 *   retracted silently or repeated, so the first judgement stands (the next windows correct it, with
 *   their own events).
 *
 * The caller bounds how late a window may be re-assessed (its watermark).
 */
export function reassessLastWindow(
  current: ScopeMachineState,
  record: LastAssessment,
  window: WindowSummary,
  outage: OutageSignals,
  config: RollupConfig,
  targetOutage: TargetOutage | null = null,
): ScopeTransition | null {
  if (current.last_window_end !== window.window_end) return null;
  if (runsIn(window) <= record.runs) return null;
  const again = nextScopeState(record.previous, window, outage, config, targetOutage);
  const types = again.events.map((event) => event.type);
  if (!record.events.every((type, index) => types[index] === type)) return null;
  return {
    state: { ...again.state, version: current.version + 1 },
    events: again.events.slice(record.events.length),
  };
}
