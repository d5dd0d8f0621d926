import { MeasurementId, ScopeKey } from '@reachmap/schema';
import { z } from 'zod';
import type { RollupConfig } from './config.ts';
import { InputMismatchError } from './errors.ts';
import type { ScopeEventDraft } from './event-draft.ts';
import { assessOutage, HeartbeatLevel, OutageCause, type OutageSignals } from './outage-signals.ts';
import { MAX_WITNESSES } from './window-summary.ts';

export const OutageStateName = z.enum(['normal', 'outage']);
export type OutageStateName = z.infer<typeof OutageStateName>;

export const OutageMachineState = z.object({
  scope: ScopeKey,
  /** +1 per applied window: the aggregator's compare-and-set token. */
  version: z.number().int().min(0),
  state: OutageStateName,
  /** When the current outage began; null while normal. */
  since: z.iso.datetime().nullable(),
  cause: OutageCause.nullable(),
  /** IODA-style heartbeat level of the latest window, for display (a `warning` is not yet an outage). */
  heartbeat_level: HeartbeatLevel,
  /** Consecutive windows without collapse since the outage's last collapsed window. */
  clean_windows: z.number().int().min(0),
  witnesses: z.array(MeasurementId).max(MAX_WITNESSES),
  simulated: z.boolean(),
  last_window_end: z.iso.datetime().nullable(),
});
export type OutageMachineState = z.infer<typeof OutageMachineState>;

export type OutageTransition = { state: OutageMachineState; events: ScopeEventDraft[] };

export function initialOutageState(scope: ScopeKey): OutageMachineState {
  return {
    scope,
    version: 0,
    state: 'normal',
    since: null,
    cause: null,
    heartbeat_level: 'unknown',
    clean_windows: 0,
    witnesses: [],
    simulated: false,
    last_window_end: null,
  };
}

function outageEvent(
  type: 'outage.started' | 'outage.ended',
  signals: OutageSignals,
  since: string,
  confidence: number,
  simulated: boolean,
): ScopeEventDraft {
  const { runs, runs_failed } = signals.controls;
  return {
    type,
    scope: signals.scope,
    target: null,
    method: 'outage',
    since,
    at: signals.window_end,
    confidence,
    counts: { ok: runs - runs_failed, down: runs_failed },
    agents: signals.heartbeats.agents_heard,
    witnesses: signals.witnesses,
    simulated,
  };
}

/**
 * Advances one scope's outage state by one window. An outage opens in the first collapsed window, so
 * target states freeze at once, and ends after `outage.cleanWindowsToClose` windows without collapse.
 */
export function nextOutageState(
  previous: OutageMachineState,
  signals: OutageSignals,
  config: RollupConfig,
  /**
   * Countries: how many of its regions and ASNs were heard in the window without collapsing. A
   * country is down only when none is left: one region (or ISP) going down must not turn its country
   * into an outage because it holds most of the country's agents (docs/state-machine.md).
   */
  liveChildren = 0,
): OutageTransition {
  if (signals.scope !== previous.scope)
    throw new InputMismatchError('outage signals', previous.scope, signals.scope);
  if (
    previous.last_window_end !== null &&
    Date.parse(signals.window_end) <= Date.parse(previous.last_window_end)
  ) {
    return { state: previous, events: [] };
  }
  const assessed = assessOutage(signals, config);
  const { heartbeatLevel, severity } = assessed;
  const cause = liveChildren > 0 ? null : assessed.cause;
  const next: OutageMachineState = {
    ...previous,
    version: previous.version + 1,
    heartbeat_level: heartbeatLevel,
    last_window_end: signals.window_end,
  };

  if (cause !== null) {
    if (previous.state === 'outage') {
      return { state: { ...next, cause, clean_windows: 0, witnesses: signals.witnesses }, events: [] };
    }
    const state: OutageMachineState = {
      ...next,
      state: 'outage',
      since: signals.window_start,
      cause,
      clean_windows: 0,
      witnesses: signals.witnesses,
      simulated: signals.all_simulated,
    };
    return {
      state,
      events: [outageEvent('outage.started', signals, signals.window_start, severity, signals.all_simulated)],
    };
  }

  if (previous.state === 'normal' || previous.since === null) return { state: next, events: [] };
  const cleanWindows = previous.clean_windows + 1;
  if (cleanWindows < config.outage.cleanWindowsToClose) {
    return { state: { ...next, clean_windows: cleanWindows }, events: [] };
  }
  const simulated = previous.simulated || signals.all_simulated;
  return {
    state: {
      ...next,
      state: 'normal',
      since: null,
      cause: null,
      clean_windows: 0,
      witnesses: [],
      simulated: false,
    },
    events: [outageEvent('outage.ended', signals, previous.since, 1 - severity, simulated)],
  };
}
