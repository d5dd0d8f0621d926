import {
  MeasurementId,
  Method,
  ScopeKey,
  ScopeStateName,
  TargetId,
  TargetOutage,
  VerdictStatus,
} from '@reachmap/schema';
import { z } from 'zod';
import type { RollupConfig } from './config.ts';
import { InputMismatchError } from './errors.ts';
import type { ScopeEventDraft } from './event-draft.ts';
import { assessOutage, type OutageSignals } from './outage-signals.ts';
import { assessWindow, InterferenceStatus, type WindowAssessment } from './window-assessment.ts';
import { MAX_WITNESSES, type WindowSummary } from './window-summary.ts';

const Count = z.number().int().min(0);
const Confidence = z.number().min(0).max(1);

/**
 * What a region's or ASN's machine holds for a target. `partial` is derived on reading, never held: for a
 * country from its regions and ASNs, for a region from its ASNs (`deriveCountryState`, store scope-states).
 */
export const ScopeMachineStateName = ScopeStateName.exclude(['partial']);
export type ScopeMachineStateName = z.infer<typeof ScopeMachineStateName>;

/** A block, throttle or stall that has started and not ended; kept through outages and thin evidence. */
export const OpenInterference = z.object({
  status: InterferenceStatus,
  method: Method.nullable(),
  /** Start of the window that opened it. */
  since: z.iso.datetime(),
  /** Evidence of the latest window that confirmed it. */
  confidence: Confidence,
  agents: Count,
  counts: z.partialRecord(VerdictStatus, Count),
  witnesses: z.array(MeasurementId).max(MAX_WITNESSES),
  /** Consecutive clean windows seen since the last confirming one. */
  clean_windows: Count,
  /** Any simulated (lab) agent contributed: its end must not reach real subscribers as real. */
  simulated: z.boolean(),
});
export type OpenInterference = z.infer<typeof OpenInterference>;

export const ScopeMachineState = z
  .object({
    scope: ScopeKey,
    target: TargetId,
    /** +1 per applied window: the aggregator's compare-and-set token. */
    version: Count,
    /** What the map shows now. */
    state: ScopeMachineStateName,
    /** When `state` began; null before the first window. */
    since: z.iso.datetime().nullable(),
    interference: OpenInterference.nullable(),
    /** End of the last applied window; a window ending no later is a replay and changes nothing. */
    last_window_end: z.iso.datetime().nullable(),
    /** Set while the state is `outage` because the target itself was down across countries. */
    target_outage: TargetOutage.optional(),
  })
  .refine(
    (machine) =>
      !InterferenceStatus.safeParse(machine.state).success || machine.interference?.status === machine.state,
    {
      message: 'a blocked, throttled or stalled state needs the matching open interference',
      path: ['state'],
    },
  );
export type ScopeMachineState = z.infer<typeof ScopeMachineState>;

export type ScopeTransition = { state: ScopeMachineState; events: ScopeEventDraft[] };

export function initialScopeState(scope: ScopeKey, target: TargetId): ScopeMachineState {
  return {
    scope,
    target,
    version: 0,
    state: 'insufficient',
    since: null,
    interference: null,
    last_window_end: null,
  };
}

const EVENT_NOUN: Readonly<Record<InterferenceStatus, 'block' | 'throttle' | 'stall'>> = {
  blocked: 'block',
  throttled: 'throttle',
  stalled: 'stall',
};

type Agreement = Extract<WindowAssessment, { kind: 'interference' }>;
type Clearance = Extract<WindowAssessment, { kind: 'clean' | 'interference' }>;

function interferenceFrom(window: WindowSummary, agreement: Agreement, since: string, simulated: boolean) {
  return {
    status: agreement.status,
    method: agreement.method,
    since,
    confidence: agreement.share,
    agents: agreement.agents,
    counts: window.counts,
    witnesses: window.witnesses[agreement.status] ?? [],
    clean_windows: 0,
    simulated,
  } satisfies OpenInterference;
}

function startedEvent(window: WindowSummary, opened: OpenInterference): ScopeEventDraft {
  return {
    type: `${EVENT_NOUN[opened.status]}.started`,
    scope: window.scope,
    target: window.target,
    method: opened.method,
    since: opened.since,
    at: window.window_end,
    confidence: opened.confidence,
    counts: opened.counts,
    agents: opened.agents,
    witnesses: opened.witnesses,
    simulated: opened.simulated,
  };
}

/** The window that ends a state is its evidence: the runs that reached the target, or that show the new state. */
function endedEvent(window: WindowSummary, ended: OpenInterference, clearance: Clearance): ScopeEventDraft {
  const witnessStatus = clearance.kind === 'clean' ? 'ok' : clearance.status;
  return {
    type: `${EVENT_NOUN[ended.status]}.ended`,
    scope: window.scope,
    target: window.target,
    method: ended.method,
    since: ended.since,
    at: window.window_end,
    confidence: clearance.share,
    counts: window.counts,
    agents: clearance.agents,
    witnesses: window.witnesses[witnessStatus] ?? [],
    simulated: ended.simulated || window.all_simulated,
  };
}

function assertSameInput(previous: ScopeMachineState, window: WindowSummary, outage: OutageSignals): void {
  const expected = `${previous.scope}/${previous.target}`;
  if (window.scope !== previous.scope || window.target !== previous.target) {
    throw new InputMismatchError('window summary', expected, `${window.scope}/${window.target}`);
  }
  if (outage.scope !== previous.scope)
    throw new InputMismatchError('outage signals', previous.scope, outage.scope);
  const windowSpan = `${window.window_start}..${window.window_end}`;
  const outageSpan = `${outage.window_start}..${outage.window_end}`;
  if (
    Date.parse(outage.window_start) !== Date.parse(window.window_start) ||
    Date.parse(outage.window_end) !== Date.parse(window.window_end)
  ) {
    throw new InputMismatchError('outage signals window', windowSpan, outageSpan);
  }
}

/**
 * Advances one (region or ASN, target) by one evaluation window. Deterministic: the same inputs give
 * the same output, so the aggregator may retry it under compare-and-set on `version`. The rules and
 * their sources are in docs/state-machine.md.
 */
export function nextScopeState(
  previous: ScopeMachineState,
  window: WindowSummary,
  outage: OutageSignals,
  config: RollupConfig,
  targetOutage: TargetOutage | null = null,
): ScopeTransition {
  assertSameInput(previous, window, outage);
  if (
    previous.last_window_end !== null &&
    Date.parse(window.window_end) <= Date.parse(previous.last_window_end)
  ) {
    return { state: previous, events: [] };
  }

  const advance = (
    state: ScopeMachineStateName,
    interference: OpenInterference | null,
    events: ScopeEventDraft[] = [],
    frozenBy: TargetOutage | null = null,
  ): ScopeTransition => {
    let since = window.window_start;
    if (interference !== null && state === interference.status) since = interference.since;
    else if (state === previous.state && previous.since !== null) since = previous.since;
    const { target_outage: _previousCause, ...kept } = previous;
    return {
      state: {
        ...kept,
        version: previous.version + 1,
        state,
        since,
        interference,
        last_window_end: window.window_end,
        ...(frozenBy === null ? {} : { target_outage: frozenBy }),
      },
      events,
    };
  };
  const open = previous.interference;

  // Outage freeze: when the network itself fails, target failures say nothing about censorship.
  // Nothing opens or closes, and the clean streak restarts: windows either side of an outage are not
  // consecutive evidence.
  if (assessOutage(outage, config).cause !== null) {
    return advance('outage', open === null ? null : { ...open, clean_windows: 0 });
  }

  const assessment = assessWindow(window, config);
  // Target freeze: the target fails almost everywhere at once, so this network's failure says nothing
  // about censorship either (its server is down). A network that still reaches it is judged as usual.
  // The caller passes the target's outage only for a window whose own runs testify to it
  // (`regionTestimony`), which need not reach a verdict: a network too thin to judge alone shows the
  // target's outage rather than `insufficient`. A clean window is applied as usual.
  if (targetOutage !== null && assessment.kind !== 'clean') {
    return advance('outage', open === null ? null : { ...open, clean_windows: 0 }, [], targetOutage);
  }
  if (open === null) {
    switch (assessment.kind) {
      case 'interference': {
        const opened = interferenceFrom(window, assessment, window.window_start, window.all_simulated);
        return advance(opened.status, opened, [startedEvent(window, opened)]);
      }
      case 'clean':
        return advance('accessible', null);
      // No quorum either way: an accessible target stays accessible, anything else has not earned it.
      case 'mixed':
        return advance(previous.state === 'accessible' ? 'accessible' : 'insufficient', null);
      case 'insufficient':
        return advance('insufficient', null);
    }
  }

  switch (assessment.kind) {
    case 'interference': {
      if (assessment.status === open.status) {
        const simulated = open.simulated || window.all_simulated;
        const confirmed = interferenceFrom(window, assessment, open.since, simulated);
        return advance(open.status, { ...confirmed, method: confirmed.method ?? open.method });
      }
      // Another kind reached quorum (say a block became a throttle): the old state ends and the new
      // one starts in the same window, one event for each transition.
      const replacement = interferenceFrom(window, assessment, window.window_start, window.all_simulated);
      return advance(replacement.status, replacement, [
        endedEvent(window, open, assessment),
        startedEvent(window, replacement),
      ]);
    }
    case 'clean': {
      const cleanWindows = open.clean_windows + 1;
      if (cleanWindows >= config.cleanWindowsToClose) {
        return advance('accessible', null, [endedEvent(window, open, assessment)]);
      }
      return advance(open.status, { ...open, clean_windows: cleanWindows });
    }
    case 'mixed':
      return advance(open.status, { ...open, clean_windows: 0 });
    // Thin evidence cannot show the state ended: say so on the map, keep the state open underneath.
    case 'insufficient':
      return advance('insufficient', { ...open, clean_windows: 0 });
  }
}
