import type { MapEntry } from './api-types.ts';
import { element } from './element.ts';
import { formatConfidence, formatTime } from './format.ts';
import { stateNoteElement } from './state-note.ts';
import { STATE_COLOURS } from './state-style.ts';

type Column = 'scope' | 'state' | 'method' | 'agents' | 'coverage' | 'confidence' | 'since';

const COLUMNS: readonly { key: Column; label: string }[] = [
  { key: 'scope', label: 'Scope' },
  { key: 'state', label: 'State' },
  { key: 'method', label: 'Method' },
  { key: 'agents', label: 'Agents' },
  { key: 'coverage', label: 'Coverage' },
  { key: 'confidence', label: 'Confidence' },
  { key: 'since', label: 'Since' },
];

// A country can have thousands of ASNs; draw a page at a time and let the reader ask for more.
const PAGE_ROWS = 100;

// Coverage is the scope's share of the table's agents; it sorts as the agents do.
function sortValue(entry: MapEntry, column: Column): string | number | null {
  return column === 'coverage' ? entry.agents : entry[column];
}

function compare(a: MapEntry, b: MapEntry, column: Column): number {
  const left = sortValue(a, column) ?? '';
  const right = sortValue(b, column) ?? '';
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left).localeCompare(String(right));
}

/**
 * A table of scopes (regions or ASNs) sortable by any column through its header buttons, with a
 * button per row that opens the scope's timeline.
 */
export function renderScopeTable(
  caption: string,
  states: readonly MapEntry[],
  onOpenScope: (scope: string) => void,
): HTMLElement {
  let sortBy: Column = 'scope';
  let descending = false;
  let shown = PAGE_ROWS;
  const wrapper = element('section', { class: 'scope-table' });

  // A country's regions, and its networks, each split its agents: the share says how much of the
  // country's vantage this row speaks for.
  const totalAgents = states.reduce((sum, state) => sum + state.agents, 0);
  const coverage = (state: MapEntry) =>
    totalAgents === 0 ? '–' : `${Math.round((state.agents / totalAgents) * 100)} % of agents`;
  const render = () => {
    const sorted = [...states].sort((a, b) => compare(a, b, sortBy) * (descending ? -1 : 1));
    const header = COLUMNS.map(({ key, label }) =>
      element(
        'th',
        {
          scope: 'col',
          'aria-sort': key === sortBy ? (descending ? 'descending' : 'ascending') : 'none',
        },
        element(
          'button',
          {
            type: 'button',
            class: 'sort',
            onclick: () => {
              descending = key === sortBy ? !descending : false;
              sortBy = key;
              render();
            },
          },
          label,
          key === sortBy ? (descending ? ' ▼' : ' ▲') : '',
        ),
      ),
    );
    const rows = sorted.slice(0, shown).map((state) =>
      element(
        'tr',
        { 'data-scope': state.scope },
        element(
          'th',
          { scope: 'row' },
          element(
            'button',
            { type: 'button', class: 'link', onclick: () => onOpenScope(state.scope) },
            state.scope,
          ),
          state.simulated ? element('span', { class: 'badge simulated-badge' }, 'simulated') : null,
        ),
        element(
          'td',
          { class: 'state-cell' },
          element('span', {
            class: 'swatch',
            style: `background:${STATE_COLOURS[state.state]}`,
            'aria-hidden': 'true',
          }),
          state.state,
          stateNoteElement(state),
        ),
        element('td', {}, state.method ?? '–'),
        element('td', { class: 'number' }, String(state.agents)),
        element('td', { class: 'number coverage' }, coverage(state)),
        element('td', { class: 'number' }, formatConfidence(state.confidence)),
        element('td', {}, formatTime(state.since)),
      ),
    );
    const more =
      sorted.length > shown
        ? element(
            'button',
            {
              type: 'button',
              onclick: () => {
                shown += PAGE_ROWS;
                render();
              },
            },
            `Show ${Math.min(PAGE_ROWS, sorted.length - shown)} more of ${sorted.length - shown}`,
          )
        : null;
    wrapper.replaceChildren(
      element(
        'table',
        {},
        element('caption', {}, `${caption} (${states.length})`),
        element('thead', {}, element('tr', {}, header)),
        element(
          'tbody',
          {},
          rows.length > 0 ? rows : element('tr', {}, element('td', { colspan: COLUMNS.length }, 'none seen')),
        ),
      ),
    );
    if (more !== null) wrapper.append(more);
  };
  render();
  return wrapper;
}
