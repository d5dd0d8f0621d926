import type { ScopeState } from '@reachmap/schema';
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { svgElement } from './element.ts';
import { stateNote } from './state-note.ts';
import { type MapFill, STATE_COLOURS, STATE_LABELS } from './state-style.ts';

const WIDTH = 960;
const HEIGHT = 500;

interface CountryShape {
  code: string | null;
  name: string;
  path: SVGPathElement;
}

export interface WorldMap {
  /** Recolours every country from the states of one target; countries without a state show "no data". */
  showStates(states: readonly ScopeState[]): void;
  select(code: string | null): void;
}

function describe(shape: CountryShape, state: ScopeState | undefined): string {
  const fill: MapFill = state?.state ?? 'nodata';
  const label = `${shape.name}: ${STATE_LABELS[fill]}${state?.simulated ? ' (simulated)' : ''}`;
  const note = state === undefined ? null : stateNote(state);
  return note === null ? label : `${label}: ${note}`;
}

/**
 * An SVG choropleth of world-atlas's 1:110m countries. Each country with an ISO code is a focusable
 * button (Enter or Space drills in, like a click); the geometry is drawn once and only recoloured.
 */
export function createWorldMap(
  container: HTMLElement,
  topology: Topology<{ countries: GeometryCollection<{ name: string }> }>,
  onSelect: (code: string) => void,
): WorldMap {
  const countries = feature(topology, topology.objects.countries);
  const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], countries);
  const draw = geoPath(projection);
  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'world-map choropleth',
    role: 'group',
    'aria-label': 'World map of reachability',
  });
  const shapes: CountryShape[] = [];
  for (const country of countries.features) {
    const code = typeof country.id === 'string' ? country.id : null;
    const path = svgElement('path', {
      d: draw(country) ?? '',
      class: 'country-shape',
      fill: STATE_COLOURS.nodata,
    });
    const shape: CountryShape = { code, name: country.properties.name, path };
    if (code !== null) {
      path.dataset.country = code;
      path.setAttribute('tabindex', '0');
      path.setAttribute('role', 'button');
      path.addEventListener('click', () => onSelect(code));
      path.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        onSelect(code);
      });
    }
    path.setAttribute('aria-label', describe(shape, undefined));
    path.append(svgElement('title'));
    shapes.push(shape);
    svg.append(path);
  }
  container.replaceChildren(svg);

  return {
    showStates(states) {
      const byCountry = new Map(states.map((state) => [state.scope, state]));
      for (const shape of shapes) {
        const state = shape.code === null ? undefined : byCountry.get(shape.code);
        const label = describe(shape, state);
        shape.path.setAttribute('fill', STATE_COLOURS[state?.state ?? 'nodata']);
        shape.path.dataset.state = state?.state ?? 'nodata';
        shape.path.classList.toggle('simulated', state?.simulated === true);
        shape.path.setAttribute('aria-label', label);
        const title = shape.path.firstElementChild;
        if (title !== null) title.textContent = label;
      }
    },
    select(code) {
      for (const shape of shapes)
        shape.path.classList.toggle('selected', shape.code !== null && shape.code === code);
    },
  };
}
