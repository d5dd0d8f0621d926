import type { RedisClient } from '@reachmap/queue';
import {
  type AgentStandings,
  asnsOfRuns,
  assessOutage,
  assessWindow,
  borrowedStandings,
  countedRuns,
  nextOutageState,
  nextRegionSlices,
  nextScopeState,
  nextStandings,
  type OutageSignals,
  type RegionSlices,
  reassessLastWindow,
  regionTestimony,
  runsIn,
  type ScopeEventDraft,
  summarizeWindow,
  type WindowKey,
  type WindowRun,
  type WindowSummary,
} from '@reachmap/rollup';
import { type ScopeKey, scopeLevelOf } from '@reachmap/schema';
import {
  compareAndSetOutageState,
  compareAndSetScopeState,
  countWindowRuns,
  isoSpan,
  parsePairMember,
  partitionOf,
  readOutageMachine,
  readOutageSignals,
  readScopeTraces,
  readStoredScopeState,
  readWindowRuns,
  type StoredScopeState,
  storeKeys,
  type TraceCarrier,
  type WindowSpan,
} from '@reachmap/store';
import { getTracer, injectTraceContext, type Logger, withSpanCausedBy } from '@reachmap/telemetry';
import pMap from 'p-map';
import type { AggregatorSettings } from './settings.ts';
import { type TargetOutageOf, targetOutageReader } from './target-outage-reader.ts';
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

/** Scopes or pairs judged at once in a pass: enough to keep Redis busy, few enough to bound memory. */
const EVALUATION_CONCURRENCY = 16;

// Racing writers compute the same transition; losing twice in a row is already unusual.
const MAX_CAS_ROUNDS = 10;

function parseEnd(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}

const tracer = getTracer('aggregator');

/**
 * Writes a transition. One that emits events does it inside an `aggregator.event` span whose W3C
 * context is stored with the events, so their webhook deliveries join that trace; quiet windows make
 * no spans. The span continues the trace of the newest ingest that counted into the scope and links
 * the few before it (`readScopeTraces`): agent → collector → aggregator → event → webhook is one trace.
 */
async function writeTransition(
  deps: EvaluationDependencies,
  events: readonly ScopeEventDraft[],
  subject: { 'reachmap.scope': ScopeKey; 'reachmap.target'?: string },
  write: (trace: TraceCarrier) => Promise<boolean>,
): Promise<boolean> {
  if (events.length === 0) return await write({});
  const causes = await readScopeTraces(deps.redis, deps.settings.store, subject['reachmap.scope']);
  const attributes = { ...subject, 'reachmap.events': events.map((event) => event.type).join(' ') };
  return await withSpanCausedBy(tracer, 'aggregator.event', attributes, causes, async (span) => {
    const written = await write(injectTraceContext());
    span.setAttribute('reachmap.written', written);
    return written;
  });
}

/**
 * A country's regions and ASNs heard in the window without collapsing: while one is left, the country
 * is not down, however many of its agents sit in the part that is (docs/state-machine.md, outages).
 */
async function liveChildrenOf(
  deps: EvaluationDependencies,
  scope: ScopeKey,
  span: WindowSpan,
): Promise<number> {
  if (scopeLevelOf(scope) !== 'country') return 0;
  const { redis, settings } = deps;
  const keys = storeKeys(partitionOf(scope, settings.store.partitions));
  const [regions, asns] = await Promise.all([
    redis.smembers(keys.countryRegions(scope)),
    redis.smembers(keys.countryAsns(scope)),
  ]);
  const children = await Promise.all(
    [...regions, ...asns].map((child) =>
      readOutageSignals(redis, settings.store, settings.rollup, child, span),
    ),
  );
  return children.filter(
    (child) => child.heartbeats.agents_heard > 0 && assessOutage(child, settings.rollup).cause === null,
  ).length;
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
    const [signals, liveChildren] = await Promise.all([
      readOutageSignals(redis, settings.store, settings.rollup, scope, span),
      liveChildrenOf(deps, scope, span),
    ]);
    const transition = nextOutageState(previous, signals, settings.rollup, liveChildren);
    const written = await writeTransition(deps, transition.events, { 'reachmap.scope': scope }, (trace) =>
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

/**
 * A window's summary from the runs that count. In an ASN, agents behind one censor should agree: the
 * standings are advanced by this window (`advance`; a re-judged window does not advance them twice) and
 * the runs of discounted agents are left out; a region leaves out the runs its ASNs discount
 * (docs/methodology.md, agent consistency).
 */
async function judgedWindow(
  deps: EvaluationDependencies,
  scope: ScopeKey,
  target: string,
  span: WindowSpan,
  previous: AgentStandings,
  advance: boolean,
): Promise<{
  key: WindowKey;
  summary: WindowSummary;
  counted: WindowRun[];
  standings: AgentStandings;
  members: number;
}> {
  const { redis, settings } = deps;
  const runs = await readWindowRuns(redis, settings.store, scope, target, span);
  const key: WindowKey = { scope, target, ...isoSpan(span) };
  const members = runs.length;
  const standings =
    scopeLevelOf(scope) === 'region'
      ? await regionStandings(deps, runs, target)
      : advance
        ? nextStandings(previous, runs, key.window_end, settings.rollup)
        : previous;
  const counted = countedRuns(runs, standings);
  return { key, summary: summarizeWindow(key, counted), counted, standings, members };
}

/**
 * A region's agents as the peers of their own ASNs judge them (`borrowedStandings`): one read per ASN
 * the window's runs came from. ASNs are judged in the same pass, so a discount reaches the region from
 * the ASN's window it was decided in or the one after.
 */
async function regionStandings(
  deps: EvaluationDependencies,
  runs: readonly WindowRun[],
  target: string,
): Promise<AgentStandings> {
  const asns = asnsOfRuns(runs);
  const states = await Promise.all(
    asns.map((asn) => readStoredScopeState(deps.redis, deps.settings.store, asn, target)),
  );
  return borrowedStandings(runs, new Map(asns.map((asn, i) => [asn, states[i]?.agent_standings ?? {}])));
}

/**
 * An ASN's slices after the window (`nextRegionSlices`); a window judged again for late runs leaves
 * them as they were, as it does the standings.
 */
function regionSlicesOf(
  scope: ScopeKey,
  previous: StoredScopeState,
  late: boolean,
  counted: readonly WindowRun[],
  key: WindowKey,
  signals: OutageSignals,
  settings: AggregatorSettings,
): { region_slices?: RegionSlices } {
  if (scopeLevelOf(scope) !== 'asn') return {};
  const slices = late
    ? (previous.region_slices ?? {})
    : nextRegionSlices(previous.region_slices ?? {}, counted, key, signals, settings.rollup);
  return Object.keys(slices).length === 0 ? {} : { region_slices: slices };
}

/**
 * Advances one (region or ASN, target) machine by every pending window, one compare-and-set per window;
 * with none pending, judges the last window again if late runs arrived before its watermark
 * (window end + grace + lateness).
 */
async function evaluatePair(
  deps: EvaluationDependencies,
  scope: ScopeKey,
  target: string,
  closedEnd: number,
  nowMs: number,
  result: EvaluationResult,
  targetOutageOf: TargetOutageOf,
) {
  const { redis, settings } = deps;
  let lost = 0;
  for (;;) {
    const previous = await readStoredScopeState(redis, settings.store, scope, target);
    const lastEnd = parseEnd(previous.machine.last_window_end);
    const [end] = pendingWindowEnds(lastEnd, closedEnd, settings.windowMs, settings.catchUpWindows);
    const record = previous.last_assessment;
    const late = end === undefined && lastEnd !== null && record !== undefined;
    if (!late && end === undefined) return;
    if (late && nowMs > lastEnd + settings.graceMs + settings.latenessMs) return;
    const windowEnd = end ?? (lastEnd as number);
    const span = { startMs: windowEnd - settings.windowMs, endMs: windowEnd };
    // Evaluated every few seconds: a window without new runs costs one count, not a full read.
    if (late && (await countWindowRuns(redis, settings.store, scope, target, span)) === record?.members)
      return;
    const [{ key, summary, counted, standings, members }, signals] = await Promise.all([
      judgedWindow(deps, scope, target, span, previous.agent_standings ?? {}, !late),
      readOutageSignals(redis, settings.store, settings.rollup, scope, span),
    ]);
    // Only a window whose own runs testify to a failing target needs the target-wide view
    // (docs/state-machine.md, "Target outages").
    const view =
      regionTestimony(counted, settings.rollup) === 'failing' ? await targetOutageOf(target, span) : null;
    const targetOutage = view?.outage ?? null;
    // A new block waits for the window's watermark while regions whose rounds are not in yet could
    // make it the target's outage; after it, the window is judged on what arrived.
    if (
      view?.pending === true &&
      previous.machine.interference === null &&
      assessWindow(summary, settings.rollup).kind === 'interference' &&
      nowMs <= windowEnd + settings.graceMs + settings.latenessMs
    )
      return;
    const transition =
      late && record !== undefined
        ? reassessLastWindow(previous.machine, record, summary, signals, settings.rollup, targetOutage)
        : nextScopeState(previous.machine, summary, signals, settings.rollup, targetOutage);
    if (transition === null) return;
    const types = transition.events.map((event) => event.type);
    const next = {
      version: transition.state.version,
      machine: transition.state,
      last_window: { agents: summary.agents.total, all_simulated: summary.all_simulated },
      // A region's standings are borrowed from its ASNs, kept so the map can say whom it left out.
      ...(scopeLevelOf(scope) === 'asn' || Object.keys(standings).length > 0
        ? { agent_standings: standings }
        : {}),
      ...regionSlicesOf(scope, previous, late, counted, key, signals, settings),
      last_assessment:
        late && record !== undefined
          ? {
              previous: record.previous,
              runs: runsIn(summary),
              members,
              events: [...record.events, ...types],
            }
          : { previous: previous.machine, runs: runsIn(summary), members, events: types },
    };
    const written = await writeTransition(
      deps,
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
 * Evaluates every closed window of one partition, up to `closedEnd` (by default every window due at
 * `nowMs`; the aggregator passes the end its ingest has caught up with, `WindowHold`): outage
 * machines of all its scopes, then the (region or ASN, target) machines. Runs whether or not
 * measurements arrived, because silence is a signal too. Safe to run in several processes at once:
 * compare-and-set decides who writes.
 */
export async function evaluatePartition(
  deps: EvaluationDependencies,
  partition: number,
  nowMs: number,
  closedEnd = lastClosedWindowEnd(nowMs, deps.settings.windowMs, deps.settings.graceMs),
): Promise<EvaluationResult> {
  const keys = storeKeys(partition);
  const [scopes, pairs] = await Promise.all([
    deps.redis.smembers(keys.scopes),
    deps.redis.smembers(keys.pairs),
  ]);
  const result: EvaluationResult = { transitions: 0, events: [] };
  // Scopes and pairs are independent (each is its own compare-and-set), so they are judged side by
  // side: one after another, each waiting on its Redis round trips, a lab pass under load reached
  // RU-MOW 12 s after AS64500 with the same runs, since pairs go in name order (ASNs first).
  await pMap(scopes.sort(), (scope) => evaluateOutage(deps, scope, closedEnd, result), {
    concurrency: EVALUATION_CONCURRENCY,
  });
  const targetOutageOf = targetOutageReader(deps.redis, deps.settings);
  await pMap(
    pairs.sort(),
    (member) => {
      const { scope, target } = parsePairMember(member);
      return evaluatePair(deps, scope, target, closedEnd, nowMs, result, targetOutageOf);
    },
    { concurrency: EVALUATION_CONCURRENCY },
  );
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
