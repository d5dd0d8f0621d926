import { type Method, type ScopeStateName, scopeLevelOf, type TargetOutage } from '@reachmap/schema';
import { InputMismatchError } from './errors.ts';
import type { ScopeMachineState } from './scope-machine.ts';
import { InterferenceStatus, majorityMethod } from './window-assessment.ts';

/** How much of the country a derived state rests on: children with evidence, of all evaluated ones. */
export type CountryCoverage = { live: number; children: number };

export type CountryState = {
  state: ScopeStateName;
  method: Method | null;
  coverage: CountryCoverage;
  /** Set when the country shows `outage` because the target itself is down (docs/state-machine.md). */
  targetOutage?: TargetOutage;
};

const WITH_EVIDENCE: ReadonlySet<ScopeStateName> = new Set(['accessible', 'blocked', 'throttled', 'stalled']);

/**
 * A country's state for one target, from the states of its regions and ASNs for that target (see
 * docs/state-machine.md). Only *live* children (with evidence: accessible or an interference) vote;
 * `insufficient` and `outage` children do not. An outage is contained: the country is `outage` only
 * when no child is live and, when `ownOutage` is given, its own outage machine (contained: no child
 * heard without collapsing) says so too, since a child thin on evidence for one target may be up. A
 * region that is down never makes the country `outage` or `blocked` on its own: with a child in
 * outage, live children that all interfere give `partial`, not their state. The state names its
 * coverage (live children of all).
 */
export function deriveCountryState(
  children: readonly ScopeMachineState[],
  ownOutage?: boolean,
): CountryState {
  const target = children[0]?.target;
  for (const child of children) {
    if (child.target !== target)
      throw new InputMismatchError('country children target', String(target), child.target);
    const level = scopeLevelOf(child.scope);
    if (level === 'country')
      throw new InputMismatchError('country child scope', 'a region or ASN', child.scope);
  }

  const live = children.filter((child) => WITH_EVIDENCE.has(child.state));
  const coverage = { live: live.length, children: children.length };
  const inOutage = children.filter((child) => child.state === 'outage').length;
  if (live.length === 0) {
    const targetOutage = targetOutageOfAll(children);
    if (targetOutage !== null) return { state: 'outage', method: 'outage', coverage, targetOutage };
    return inOutage > 0 && ownOutage !== false
      ? { state: 'outage', method: 'outage', coverage }
      : { state: 'insufficient', method: null, coverage };
  }

  const interfering = live.filter((child) => InterferenceStatus.safeParse(child.state).success);
  if (interfering.length === 0) return { state: 'accessible', method: null, coverage };

  const methodVotes: Partial<Record<Method, number>> = {};
  for (const child of interfering) {
    const method = child.interference?.method;
    if (method) methodVotes[method] = (methodVotes[method] ?? 0) + 1;
  }
  const method = majorityMethod(methodVotes);
  const firstState = interfering[0]?.state ?? 'partial';
  const allAgree =
    inOutage === 0 && interfering.length === live.length && interfering.every((c) => c.state === firstState);
  return { state: allAgree ? firstState : 'partial', method, coverage };
}

/**
 * The target-wide outage that every child in outage was frozen by, the latest window's; null when a
 * child is down for its own network's sake (or none is down). The country's networks are up and the
 * target is down, so the country shows the target's outage rather than `insufficient`.
 */
function targetOutageOfAll(children: readonly ScopeMachineState[]): TargetOutage | null {
  const down = children
    .filter((child) => child.state === 'outage')
    .sort((a, b) => (a.last_window_end ?? '').localeCompare(b.last_window_end ?? ''));
  if (down.length === 0 || down.some((child) => child.target_outage === undefined)) return null;
  return down.at(-1)?.target_outage ?? null;
}
