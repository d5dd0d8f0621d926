import type { OpenState } from './api-types.ts';

/**
 * Shared by at least this many scopes, one condition is listed once: a service down everywhere, or a
 * nationwide block, opens a state in every country, region and network that measured it, and the
 * list of what is open now would be that one fact forty times over.
 */
export const GROUP_FROM = 3;

export type OpenEntry =
  | { kind: 'single'; state: OpenState }
  | {
      kind: 'group';
      target: string;
      state: OpenState['state'];
      method: OpenState['method'];
      /** Countries first, then regions, then networks; each in the API's order. */
      members: OpenState[];
      /** How many members are countries (the dashboard cannot bundle the schema's scope parser). */
      countries: number;
      /** The earliest `since` of the members. */
      since: string;
    };

/** The condition a state shares with others: the same target, state and method, and the same kind of outage. */
function conditionOf(state: OpenState): string {
  return JSON.stringify([state.target, state.state, state.method, state.target_outage !== undefined]);
}

function scopeRank(scope: string): number {
  if (/^[A-Z]{2}$/.test(scope)) return 0;
  return scope.startsWith('AS') ? 2 : 1;
}

/**
 * The open states as the panel lists them: a condition shared by `GROUP_FROM` scopes or more becomes one
 * entry, in the place of its first member; the rest stay as they are. Pure, so a test can read it.
 */
export function groupOpenStates(open: readonly OpenState[], from = GROUP_FROM): OpenEntry[] {
  const byCondition = new Map<string, OpenState[]>();
  for (const state of open) {
    const key = conditionOf(state);
    const members = byCondition.get(key);
    if (members === undefined) byCondition.set(key, [state]);
    else members.push(state);
  }
  const entries: OpenEntry[] = [];
  const listed = new Set<string>();
  for (const state of open) {
    const key = conditionOf(state);
    const members = byCondition.get(key) ?? [state];
    if (members.length < from) {
      entries.push({ kind: 'single', state });
      continue;
    }
    if (listed.has(key)) continue;
    listed.add(key);
    entries.push({
      kind: 'group',
      target: state.target,
      state: state.state,
      method: state.method,
      members: [...members].sort((a, b) => scopeRank(a.scope) - scopeRank(b.scope)),
      countries: members.filter((member) => scopeRank(member.scope) === 0).length,
      since: members.map((member) => member.since).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a)),
    });
  }
  return entries;
}
