import { element } from './element.ts';
import { LEGEND_ORDER, STATE_COLOURS, STATE_LABELS } from './state-style.ts';

export function renderLegend(container: HTMLElement): void {
  container.replaceChildren(
    element(
      'ul',
      { class: 'legend', 'aria-label': 'Map legend' },
      LEGEND_ORDER.map((fill) =>
        element(
          'li',
          {},
          element('span', {
            class: 'swatch',
            style: `background:${STATE_COLOURS[fill]}`,
            'aria-hidden': 'true',
          }),
          STATE_LABELS[fill],
        ),
      ),
      element(
        'li',
        {},
        element('span', { class: 'swatch simulated-swatch', 'aria-hidden': 'true' }),
        'simulated (dashed outline)',
      ),
    ),
  );
}
