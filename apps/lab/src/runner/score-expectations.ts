import { EVENT_TYPES, type EventType, type Layer, type Method, type ScopeStateName } from '@reachmap/schema';
import type { Expectation } from '../scenario/scenario-schema.ts';

/** A (scope, target) state the runner saw, `atMs` after the scenario started. */
export interface StateSample {
  atMs: number;
  scope: string;
  target: string;
  state: ScopeStateName;
  method: Method | null;
}

/** An event the runner read from the store, `atMs` after the scenario started. */
export interface EventSample {
  atMs: number;
  type: EventType;
  scope: string;
  target: string | null;
  method: Method | null;
}

export interface ObservedTimeline {
  states: StateSample[];
  events: EventSample[];
}

export interface ExpectationScore {
  /** Position in the scenario's `expect`. */
  index: number;
  /** One line naming the expectation, for tables and logs. */
  label: string;
  pass: boolean;
  /** From the window's start (the scenario's start or `after`) to the first match; null when none. */
  timeToDetectMs: number | null;
  detail: string;
}

/**
 * The layer a method belongs to, as the classifier assigns them (docs/methodology.md): the map shows
 * methods only, so a scenario's `layer` is checked through this table.
 */
export const LAYER_OF_METHOD: Readonly<Record<Method, Layer | null>> = {
  nxdomain: 'dns',
  servfail: 'dns',
  bogon: 'dns',
  'dns-mismatch': 'dns',
  reset: 'tcp',
  timeout: 'tcp',
  refused: 'tcp',
  unreachable: 'tcp',
  'sni-reset': 'tls',
  'sni-timeout': 'tls',
  blockpage: 'http',
  'http-diff': 'http',
  'http-failure': 'http',
  'quic-blocked': 'quic',
  'rate-cap': 'throughput',
  stall: 'throughput',
  allowlist: null,
  outage: null,
};

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

export function expectationLabel(expectation: Expectation): string {
  const qualifiers = [
    'layer' in expectation && expectation.layer !== undefined ? `layer ${expectation.layer}` : null,
    !('method' in expectation) || expectation.method === undefined ? null : `method ${expectation.method}`,
    expectation.after === undefined ? null : `after ${seconds(expectation.after)}`,
    expectation.within === undefined ? null : `within ${seconds(expectation.within)}`,
  ].filter((part) => part !== null);
  const forTarget = expectation.target === undefined ? '' : ` for ${expectation.target}`;
  const what =
    'noEvent' in expectation
      ? `no ${expectation.noEvent} in ${expectation.scope}${forTarget}`
      : 'noState' in expectation
        ? `never ${expectation.noState} in ${expectation.scope}${forTarget}`
        : 'event' in expectation
          ? `${expectation.event} in ${expectation.scope}${forTarget}`
          : `${expectation.scope} ${expectation.target} ${expectation.state}`;
  return qualifiers.length === 0 ? what : `${what} (${qualifiers.join(', ')})`;
}

/** The scenario's networks: each region with its ASN, to know which scopes lie inside a country. */
export type ScenarioNetworks = ReadonlyArray<{ id: string; asn: number }>;

/** Events of a (scope, target) machine: regions and ASNs have them, a country's state is only derived. */
const PAIR_EVENTS: ReadonlySet<EventType> = new Set(
  EVENT_TYPES.filter((type) => !type.startsWith('outage.')),
);

/**
 * The scopes whose events an expectation on `scope` is about. A country has no block, throttle or
 * stall events of its own, so for those a country stands for its regions and their ASNs: "no
 * block.started in RU" held vacuously before (found 2026-12-04 in `clean` and `lying-agent`). Outage
 * events exist for countries and keep their exact scope: a region's outage is not its country's.
 */
export function eventScopesOf(
  scope: string,
  type: EventType,
  networks: ScenarioNetworks,
): ReadonlySet<string> {
  if (!/^[A-Z]{2}$/.test(scope) || !PAIR_EVENTS.has(type)) return new Set([scope]);
  const inside = networks.filter((network) => network.id.startsWith(`${scope}-`));
  return new Set([
    scope,
    ...inside.map((network) => network.id),
    ...inside.map((network) => `AS${network.asn}`),
  ]);
}

/**
 * Scores one expectation against what was observed during a run of `durationMs`. A state or event
 * must first show in [after, after + within] (defaults: the start and the end of the run); a
 * `noEvent` holds when no such event appeared in that window.
 */
export function scoreExpectation(
  expectation: Expectation,
  index: number,
  observed: ObservedTimeline,
  durationMs: number,
  networks: ScenarioNetworks = [],
): ExpectationScore {
  const label = expectationLabel(expectation);
  const from = expectation.after ?? 0;
  const until = expectation.within === undefined ? durationMs : from + expectation.within;
  const inWindow = (atMs: number) => atMs >= from && atMs <= until;
  if ('noEvent' in expectation) {
    const scopes = eventScopesOf(expectation.scope, expectation.noEvent, networks);
    const offending = observed.events.find(
      (event) =>
        inWindow(event.atMs) &&
        event.type === expectation.noEvent &&
        scopes.has(event.scope) &&
        (expectation.target === undefined || event.target === expectation.target),
    );
    return {
      index,
      label,
      pass: offending === undefined,
      timeToDetectMs: null,
      detail:
        offending === undefined
          ? 'no such event'
          : `${offending.type} in ${offending.scope} for ${offending.target ?? 'the scope'} at ${seconds(offending.atMs)}`,
    };
  }
  if ('noState' in expectation) {
    // Samples are changes: a state is shown from its sample until the next one for the same target.
    const shownUntil = (sample: StateSample) =>
      observed.states.find(
        (later) => later.scope === sample.scope && later.target === sample.target && later.atMs > sample.atMs,
      )?.atMs ?? Number.POSITIVE_INFINITY;
    const offending = observed.states.find(
      (sample) =>
        sample.state === expectation.noState &&
        sample.scope === expectation.scope &&
        (expectation.target === undefined || sample.target === expectation.target) &&
        sample.atMs <= until &&
        shownUntil(sample) > from,
    );
    return {
      index,
      label,
      pass: offending === undefined,
      timeToDetectMs: null,
      detail:
        offending === undefined
          ? 'never shown'
          : `${offending.state} for ${offending.target} at ${seconds(offending.atMs)}`,
    };
  }
  const methodMatches = (method: Method | null) =>
    (expectation.method === undefined || method === expectation.method) &&
    (!('layer' in expectation) ||
      expectation.layer === undefined ||
      (method !== null && LAYER_OF_METHOD[method] === expectation.layer));

  if ('event' in expectation) {
    const found = observed.events.find(
      (event) =>
        event.type === expectation.event &&
        event.scope === expectation.scope &&
        (expectation.target === undefined || event.target === expectation.target) &&
        inWindow(event.atMs) &&
        (expectation.method === undefined || event.method === expectation.method),
    );
    const seen = observed.events.filter(
      (event) => event.scope === expectation.scope && event.type === expectation.event,
    );
    return {
      index,
      label,
      pass: found !== undefined,
      timeToDetectMs: found === undefined ? null : found.atMs - from,
      detail:
        found !== undefined
          ? `${found.type} at ${seconds(found.atMs)}`
          : seen.length === 0
            ? 'no such event'
            : `only outside the window or with another method: ${seen.map((event) => `${event.method ?? '-'} at ${seconds(event.atMs)}`).join(', ')}`,
    };
  }

  const samples = observed.states.filter(
    (sample) => sample.scope === expectation.scope && sample.target === expectation.target,
  );
  const found = samples.find(
    (sample) => sample.state === expectation.state && methodMatches(sample.method) && inWindow(sample.atMs),
  );
  const last = samples.at(-1);
  return {
    index,
    label,
    pass: found !== undefined,
    timeToDetectMs: found === undefined ? null : found.atMs - from,
    detail:
      found !== undefined
        ? `${found.state}${found.method === null ? '' : `/${found.method}`} at ${seconds(found.atMs)}`
        : last === undefined
          ? 'never observed'
          : `last seen ${last.state}${last.method === null ? '' : `/${last.method}`} at ${seconds(last.atMs)}`,
  };
}

export interface ConfusionRow {
  scope: string;
  target: string;
  expected: ScopeStateName;
  /** The state the map showed at the end of the expectation's window; null when never observed. */
  observed: ScopeStateName | null;
}

export interface ConfusionTable {
  rows: ConfusionRow[];
  /** counts[expected][observed or "unobserved"] */
  counts: Record<string, Record<string, number>>;
}

/**
 * Expected against observed state, one row per `state` expectation: the observed state is the last
 * one shown in the expectation's window, so a detection that came and went still counts as what the
 * map finally said.
 */
export function confusionTable(
  expectations: readonly Expectation[],
  observed: ObservedTimeline,
  durationMs: number,
): ConfusionTable {
  const rows: ConfusionRow[] = [];
  const counts: Record<string, Record<string, number>> = {};
  for (const expectation of expectations) {
    if ('noEvent' in expectation || 'noState' in expectation || 'event' in expectation) continue;
    const until = (expectation.after ?? 0) + (expectation.within ?? durationMs);
    const shown = observed.states
      .filter(
        (sample) =>
          sample.scope === expectation.scope && sample.target === expectation.target && sample.atMs <= until,
      )
      .at(-1);
    const row: ConfusionRow = {
      scope: expectation.scope,
      target: expectation.target,
      expected: expectation.state,
      observed: shown?.state ?? null,
    };
    rows.push(row);
    const byObserved = counts[row.expected] ?? {};
    const key = row.observed ?? 'unobserved';
    byObserved[key] = (byObserved[key] ?? 0) + 1;
    counts[row.expected] = byObserved;
  }
  return { rows, counts };
}
