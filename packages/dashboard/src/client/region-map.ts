import type { ScopeState } from '@reachmap/schema';
import { geoArea, geoAzimuthalEqualArea, geoCentroid, geoPath } from 'd3-geo';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { svgElement } from './element.ts';
import { stateNote } from './state-note.ts';
import { type MapFill, STATE_COLOURS, STATE_LABELS } from './state-style.ts';

const WIDTH = 760;
const HEIGHT = 480;

export type RegionTopology = Topology<{ regions: GeometryCollection<{ name: string }> }>;

interface RegionShape {
  code: string;
  name: string;
  path: SVGPathElement;
}

export interface RegionMap {
  /**
   * Recolours every region from the states of one target. Returns the states whose region has no
   * geometry (a code Natural Earth does not carry), so the page can list them instead of dropping them.
   */
  showStates<State extends ScopeState>(states: readonly State[]): State[];
}

function describe(shape: RegionShape, state: ScopeState | undefined): string {
  const fill: MapFill = state?.state ?? 'nodata';
  const label = `${shape.name} (${shape.code}): ${STATE_LABELS[fill]}${state?.simulated ? ' (simulated)' : ''}`;
  const note = state === undefined ? null : stateNote(state);
  return note === null ? label : `${label}: ${note}`;
}

type RegionFeature = Feature<Polygon | MultiPolygon, { name: string }>;

/**
 * An SVG choropleth of one country's ISO 3166-2 regions (the build's per-country TopoJSON), in an
 * equal-area projection centred on the country so no country is cut by the antimeridian. Each region
 * with a code is a focusable button labelled with its name, code and state, like the world map.
 */
export function createRegionMap(
  container: HTMLElement,
  country: string,
  topology: RegionTopology,
  onSelect: (code: string) => void,
): RegionMap {
  const collection = feature(topology, topology.objects.regions);
  // A ring the build could not orient (one across the antimeridian) would paint the whole globe.
  const regions = (collection.features as RegionFeature[]).filter((region) => geoArea(region) < 2 * Math.PI);
  const drawable = { type: 'FeatureCollection' as const, features: regions };
  const [longitude, latitude] = geoCentroid(drawable);
  const projection = geoAzimuthalEqualArea()
    .rotate([-longitude, -latitude])
    .fitExtent(
      [
        [4, 4],
        [WIDTH - 4, HEIGHT - 4],
      ],
      drawable,
    );
  const draw = geoPath(projection);
  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'region-map choropleth',
    role: 'group',
    'aria-label': `Map of the regions of ${country}`,
  });
  const shapes: RegionShape[] = [];
  for (const region of regions) {
    const path = svgElement('path', { d: draw(region) ?? '', class: 'country-shape' });
    svg.append(path);
    if (typeof region.id !== 'string') {
      // Natural Earth units without an ISO 3166-2 code: drawn for context, not selectable.
      path.classList.add('uncoded');
      path.setAttribute('aria-hidden', 'true');
      continue;
    }
    const code = region.id;
    const shape: RegionShape = { code, name: region.properties.name, path };
    path.dataset.region = code;
    path.setAttribute('tabindex', '0');
    path.setAttribute('role', 'button');
    path.setAttribute('fill', STATE_COLOURS.nodata);
    path.addEventListener('click', () => onSelect(code));
    path.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      onSelect(code);
    });
    path.append(svgElement('title'));
    shapes.push(shape);
  }
  container.replaceChildren(svg);

  const map: RegionMap = {
    showStates(states) {
      const byRegion = new Map(states.map((state) => [state.scope, state]));
      for (const shape of shapes) {
        const state = byRegion.get(shape.code);
        const label = describe(shape, state);
        shape.path.setAttribute('fill', STATE_COLOURS[state?.state ?? 'nodata']);
        shape.path.dataset.state = state?.state ?? 'nodata';
        shape.path.classList.toggle('simulated', state?.simulated === true);
        shape.path.setAttribute('aria-label', label);
        const title = shape.path.firstElementChild;
        if (title !== null) title.textContent = label;
      }
      const drawn = new Set(shapes.map((shape) => shape.code));
      return states.filter((state) => !drawn.has(state.scope));
    },
  };
  map.showStates([]);
  return map;
}
