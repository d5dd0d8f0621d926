import type { RedisClient } from '@reachmap/queue';
import { nextOutageState, nextScopeState, type ScopeEventDraft } from '@reachmap/rollup';
import type { ScopeKey } from '@reachmap/schema';
import {
  compareAndSetOutageState,
  compareAndSetScopeState,
  parsePairMember,
  readOutageMachine,
  readOutageSignals,
  readStoredScopeState,
  readWindowSummary,
  storeKeys,
  type TraceCarrier,
} from '@reachmap/store';
import { getTracer, injectTraceContext, type Logger, withSpan } from '@reachmap/telemetry';
import type { AggregatorSettings } from './settings.ts';
import { lastClosedWindowEnd, pendingWindowEnds } from './window-clock.ts';

export interface EvaluationDependencies {
  redis: RedisClient;
  settings: AggregatorSettings;
  logger: Logger;
}

export interface EvaluationResult {
  transitions: number;
  events: ScopeEventDraft[];
}

/** Another writer won every round of compare-and-set: a sign of a hot loop, not of contention. */
export class CompareAndSetExhaustedError extends Error {
  override readonly name = 'CompareAndSetExhaustedError';
}

// Racing writers compute the same transition; losing twice in a row is already unusual.
const MAX_CAS_ROUNDS = 10;

function parseEnd(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}

const tracer = getTracer('aggregator');

/**
 * Writes a transition. One that emits events does it inside an `aggregator.event` span whose W3C
 * context is stored with the events, so their webhook deliveries join that trace; quiet windows make
 * no spans.
 */
async function writeTransition(
  events: readonly ScopeEventDraft[],
  subject: Record<string, string>,
  write: (trace: TraceCarrier) => Promise<boolean>,
): Promise<boolean> {
  if (events.length === 0) return await write({});
  const attributes = { ...subject, 'reachmap.events': events.map((event) => event.type).join(' ') };
  return await withSpan(tracer, 'aggregator.event', attributes, async (span) => {
    const written = await write(injectTraceContext());
    span.setAttribute('reachmap.written', written);
    return written;
  });
}

/** Advances one scope's outage machine by every pending window, one compare-and-set per window. */
async function evaluateOutage(
  deps: EvaluationDependencies,
  scope: ScopeKey,
  closedEnd: number,
  result: EvaluationResult,
) {
  const { redis, settings } = deps;
  let lost = 0;
  for (;;) {
    const previous = await readOutageMachine(redis, settings.store, scope);
    const [end] = pendingWindowEnds(
      parseEnd(previous.last_window_end),
      closedEnd,
      settings.windowMs,
      settings.catchUpWindows,
    );
    if (end === undefined) return;
    const span = { startMs: end - settings.windowMs, endMs: end };
    const signals = await readOutageSignals(redis, settings.store, settings.rollup, scope, span);
    const transition = nextOutageState(previous, signals, settings.rollup);
    const written = await writeTransition(transition.events, { 'reachmap.scope': scope }, (trace) =>
      compareAndSetOutageState(
        redis,
        settings.store,
        previous.version,
        transition.state,
        transition.events,
        signals.heartbeats.agents_heard,
        trace,
      ),
    );
    if (written) {
      result.transitions += 1;
      result.events.push(...transition.events);
      lost = 0;
    } else if (++lost >= MAX_CAS_ROUNDS) {
      throw new CompareAndSetExhaustedError(`outage state of ${scope} kept changing under the evaluator`);
    }
  }
}

/** Advances one (region or ASN, target) machine by every pending window, one compare-and-set per window. */
async function evaluatePair(
  deps: EvaluationDependencies,
  scope: ScopeKey,
  target: string,
  closedEnd: number,
  result: EvaluationResult,
) {
  const { redis, settings } = deps;
  let lost = 0;
  for (;;) {
    const previous = await readStoredScopeState(redis, settings.store, scope, target);
    const [end] = pendingWindowEnds(
      parseEnd(previous.machine.last_window_end),
      closedEnd,
      settings.windowMs,
      settings.catchUpWindows,
    );
    if (end === undefined) return;
    const span = { startMs: end - settings.windowMs, endMs: end };
    const [summary, signals] = await Promise.all([
      readWindowSummary(redis, settings.store, scope, target, span),
      readOutageSignals(redis, settings.store, settings.rollup, scope, span),
    ]);
    const transition = nextScopeState(previous.machine, summary, signals, settings.rollup);
    const next = {
      version: transition.state.version,
      machine: transition.state,
      last_window: { agents: summary.agents.total, all_simulated: summary.all_simulated },
    };
    const written = await writeTransition(
      transition.events,
      { 'reachmap.scope': scope, 'reachmap.target': target },
      (trace) =>
        compareAndSetScopeState(redis, settings.store, previous.version, next, transition.events, trace),
    );
    if (written) {
      result.transitions += 1;
      result.events.push(...transition.events);
      lost = 0;
    } else if (++lost >= MAX_CAS_ROUNDS) {
      throw new CompareAndSetExhaustedError(`state of ${scope}/${target} kept changing under the evaluator`);
    }
  }
}

/**
 * Evaluates every closed window of one partition: outage machines of all its scopes, then the
 * (region or ASN, target) machines. Runs whether or not measurements arrived, because silence is a
 * signal too. Safe to run in several processes at once: compare-and-set decides who writes.
 */
export async function evaluatePartition(
  deps: EvaluationDependencies,
  partition: number,
  nowMs: number,
): Promise<EvaluationResult> {
  const keys = storeKeys(partition);
  const closedEnd = lastClosedWindowEnd(nowMs, deps.settings.windowMs, deps.settings.graceMs);
  const [scopes, pairs] = await Promise.all([
    deps.redis.smembers(keys.scopes),
    deps.redis.smembers(keys.pairs),
  ]);
  const result: EvaluationResult = { transitions: 0, events: [] };
  for (const scope of scopes.sort()) await evaluateOutage(deps, scope, closedEnd, result);
  for (const member of pairs.sort()) {
    const { scope, target } = parsePairMember(member);
    await evaluatePair(deps, scope, target, closedEnd, result);
  }
  for (const event of result.events) {
    deps.logger.info(
      {
        type: event.type,
        scope: event.scope,
        target: event.target,
        method: event.method,
        agents: event.agents,
      },
      'scope event',
    );
  }
  return result;
}
