import { type Method, type ScopeStateName, scopeLevelOf } from '@reachmap/schema';
import { InputMismatchError } from './errors.ts';
import type { ScopeMachineState } from './scope-machine.ts';
import { InterferenceStatus, majorityMethod } from './window-assessment.ts';

export type CountryState = { state: ScopeStateName; method: Method | null };

const WITH_EVIDENCE: ReadonlySet<ScopeStateName> = new Set(['accessible', 'blocked', 'throttled', 'stalled']);

/**
 * A country's state for one target, from the states of its regions and ASNs for that target (see
 * docs/state-machine.md). Children without evidence (`insufficient`) do not vote; `outage` wins when at
 * least as many children are in outage as have evidence (openstatus: act when half agree); otherwise
 * the children with evidence decide: all the same interference → that state, all accessible →
 * `accessible`, anything else → `partial`.
 */
export function deriveCountryState(children: readonly ScopeMachineState[]): CountryState {
  const target = children[0]?.target;
  for (const child of children) {
    if (child.target !== target)
      throw new InputMismatchError('country children target', String(target), child.target);
    const level = scopeLevelOf(child.scope);
    if (level === 'country')
      throw new InputMismatchError('country child scope', 'a region or ASN', child.scope);
  }

  const withEvidence = children.filter((child) => WITH_EVIDENCE.has(child.state));
  const inOutage = children.filter((child) => child.state === 'outage').length;
  if (inOutage > 0 && inOutage >= withEvidence.length) return { state: 'outage', method: 'outage' };
  if (withEvidence.length === 0) return { state: 'insufficient', method: null };

  const interfering = withEvidence.filter((child) => InterferenceStatus.safeParse(child.state).success);
  if (interfering.length === 0) return { state: 'accessible', method: null };

  const methodVotes: Partial<Record<Method, number>> = {};
  for (const child of interfering) {
    const method = child.interference?.method;
    if (method) methodVotes[method] = (methodVotes[method] ?? 0) + 1;
  }
  const method = majorityMethod(methodVotes);
  const firstState = interfering[0]?.state ?? 'partial';
  const allAgree =
    interfering.length === withEvidence.length && interfering.every((c) => c.state === firstState);
  return { state: allAgree ? firstState : 'partial', method };
}
