import type { ScopeState } from '@reachmap/schema';
import { element } from './element.ts';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * Why a state reads as it does, in words, when the API says more than the state's name
 * (docs/api.md, `/v1/map`): an `outage` that is the target's own and not the network's, agents left out
 * for contradicting their peers, a country state resting on part of its regions and networks. Null
 * when the name says it all. The maps put it in their labels and the tables under the state.
 */
export function stateNote(state: ScopeState): string | null {
  const notes: string[] = [];
  const down = state.target_outage;
  if (down !== undefined) {
    notes.push(
      `the service itself is down, not censored: failing in ${down.regions_failing} of ${plural(down.regions_evidenced, 'region', 'regions')} measured, across ${plural(down.countries_failing, 'country', 'countries')}`,
    );
  }
  const { discounted, coverage } = state;
  if (discounted !== undefined) {
    const [reason, ...others] = discounted.reasons;
    const more = others.length === 0 ? '' : ` (and ${others.length} more)`;
    notes.push(
      `${plural(discounted.agents, 'agent', 'agents')} left out for contradicting their peers${reason === undefined ? '' : `: ${reason}${more}`}`,
    );
  }
  // A country whose networks all show the target's outage rests on all of them, not on none.
  if (coverage !== undefined && coverage.live < coverage.children && down === undefined) {
    notes.push(
      `evidence from ${coverage.live} of ${plural(coverage.children, 'region and network', 'regions and networks')}`,
    );
  }
  return notes.length === 0 ? null : notes.join('; ');
}

/** The note as the tables and the open-states list show it, under or beside the state. */
export function stateNoteElement(state: ScopeState): HTMLElement | null {
  const note = stateNote(state);
  return note === null ? null : element('small', { class: 'state-note' }, note);
}
