import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { fetchEvents, fetchMap, fetchMeasurement, fetchSeries, fetchTargets } from './api-client.ts';
import type { MapEntry, TargetSummary } from './api-types.ts';
import { fetchCountryScopes } from './country-scopes.ts';
import { element } from './element.ts';
import { startEventFeed } from './event-feed.ts';
import { renderEvidence } from './evidence-view.ts';
import { renderLegend } from './legend.ts';
import { createRegionMap, type RegionTopology } from './region-map.ts';
import { renderScopeTable } from './scope-table.ts';
import { renderTimeline } from './timeline.ts';
import {
  formatUrlState,
  parseUrlState,
  TIMELINE_RANGES,
  type TimelineRange,
  type UrlState,
} from './url-state.ts';
import { createWorldMap, type WorldMap } from './world-map.ts';

const RANGE_MS: Record<TimelineRange, number> = {
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '365d': 365 * 86_400_000,
};

// At most ~400 points per chart: 5-minute buckets for a day, hourly up to a week, daily beyond.
function bucketFor(range: TimelineRange): '5m' | '1h' | '1d' {
  if (range === '24h') return '5m';
  return range === '7d' ? '1h' : '1d';
}

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const ui = {
  target: byId<HTMLSelectElement>('target'),
  at: byId<HTMLInputElement>('at'),
  now: byId<HTMLButtonElement>('now'),
  status: byId('status'),
  banner: byId('simulated-banner'),
  map: byId('map'),
  legend: byId('legend'),
  feed: byId('feed'),
  country: byId('country-section'),
  timeline: byId('timeline-section'),
  evidence: byId('evidence-section'),
};

let targets: TargetSummary[] = [];
let worldMap: WorldMap | null = null;
/** Inputs each view was last drawn from, so a hash change redraws only what it affects. */
const drawn = { map: '', country: '', timeline: '', evidence: '' };

function current(): UrlState {
  return parseUrlState(location.hash);
}

function navigate(change: Partial<UrlState>): void {
  location.hash = formatUrlState({ ...current(), ...change });
}

function showError(error: unknown): void {
  ui.status.textContent = error instanceof Error ? error.message : String(error);
  ui.status.classList.add('error');
}

function countryOf(scope: string | null): string | null {
  if (scope === null || scope.startsWith('AS')) return null;
  return scope.slice(0, 2);
}

async function drawMap(state: UrlState, target: string): Promise<void> {
  const key = `${target}|${state.at}`;
  if (worldMap === null || drawn.map === key) return;
  drawn.map = key;
  const map = await fetchMap({ target, level: 'country', at: state.at ?? undefined });
  worldMap.showStates(map.scopes);
  const simulated = map.scopes.filter((scope) => scope.simulated).map((scope) => scope.scope);
  ui.banner.hidden = simulated.length === 0;
  ui.banner.textContent = `Simulated data: ${simulated.join(', ')} show states from the demo network or lab, not real measurements.`;
}

/** User Timing entry of each region map drawn (docs/benchmarks.md). */
const REGION_MAP_MEASURE = 'reachmap:region-map';

/** A country's region geometry (built per country), or null when Natural Earth has none for it. */
async function loadRegionTopology(country: string): Promise<RegionTopology | null> {
  const prefix = document.querySelector<HTMLMetaElement>('meta[name="reachmap-regions"]')?.content ?? '';
  const response = await fetch(`${prefix}${country}.json`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`region geometry of ${country}: ${response.status}`);
  return await response.json();
}

/** The region map, and the regions with a state but no geometry listed under it (never dropped). */
function regionMapSection(
  country: string,
  topology: RegionTopology | null,
  regions: readonly MapEntry[],
  openScope: (scope: string) => void,
): HTMLElement {
  const frame = element('div', { class: 'map region-map-frame' });
  let unmapped: readonly MapEntry[] = regions;
  if (topology === null)
    frame.replaceChildren(element('p', { class: 'muted' }, `No region geometry for ${country}.`));
  else {
    const started = performance.now();
    unmapped = createRegionMap(frame, country, topology, openScope).showStates(regions);
    // Read by the dashboard benchmark: decoding, projecting and drawing the regions.
    performance.measure(REGION_MAP_MEASURE, { start: started });
  }
  const list =
    unmapped.length === 0
      ? null
      : element(
          'p',
          { class: 'unmapped-regions' },
          'Not on the map (no geometry for these codes): ',
          unmapped.map((entry) =>
            element(
              'button',
              {
                type: 'button',
                class: 'link',
                'data-unmapped': entry.scope,
                onclick: () => openScope(entry.scope),
              },
              `${entry.scope} (${entry.state})`,
            ),
          ),
        );
  return element(
    'section',
    { class: 'region-map-section', 'aria-label': `Regions of ${country}` },
    frame,
    list,
  );
}

async function drawCountry(state: UrlState, target: string): Promise<void> {
  const country = countryOf(state.scope);
  worldMap?.select(country);
  const key = `${country}|${target}|${state.at}`;
  if (drawn.country === key) return;
  drawn.country = key;
  ui.country.hidden = country === null;
  if (country === null) return;
  const [{ regions, networks }, topology] = await Promise.all([
    fetchCountryScopes({ country, target, at: state.at ?? undefined }),
    loadRegionTopology(country),
  ]);
  const openScope = (scope: string) => navigate({ scope });
  const heading = element('h2', { tabindex: -1 }, `${country}: regions and networks for ${target}`);
  ui.country.replaceChildren(
    heading,
    element('button', { type: 'button', onclick: () => openScope(country) }, `Timeline of ${country}`),
    regionMapSection(country, topology, regions, openScope),
    renderScopeTable('Regions (ISO 3166-2)', regions, openScope),
    renderScopeTable('Networks (ASNs)', networks, openScope),
  );
  heading.focus();
}

async function drawTimeline(state: UrlState, target: string): Promise<void> {
  const key = `${state.scope}|${target}|${state.at}|${state.range}`;
  if (drawn.timeline === key) return;
  drawn.timeline = key;
  ui.timeline.hidden = state.scope === null;
  if (state.scope === null) return;
  const scope = state.scope;
  const to = state.at === null ? new Date() : new Date(state.at);
  const from = new Date(to.getTime() - RANGE_MS[state.range]);
  const bucket = bucketFor(state.range);
  const [series, events] = await Promise.all([
    fetchSeries({ scope, target, from: from.toISOString(), to: to.toISOString(), bucket }),
    // The scope's own transitions and its sub-scopes' (a country's regions and networks).
    fetchEvents({ within: scope, target, from: from.toISOString(), to: to.toISOString(), limit: 500 }),
  ]);
  const chartArea = element('div', { class: 'charts' });
  ui.timeline.replaceChildren(
    element('h2', {}, `Timeline: ${scope}, ${target}`),
    element(
      'div',
      { class: 'ranges', role: 'group', 'aria-label': 'Time range' },
      TIMELINE_RANGES.map((range) =>
        element(
          'button',
          {
            type: 'button',
            'aria-pressed': String(range === state.range),
            onclick: () => navigate({ range }),
          },
          range,
        ),
      ),
    ),
    chartArea,
  );
  renderTimeline(
    chartArea,
    {
      scope,
      target,
      controlTarget: series.control,
      points: series.points,
      events: events.events,
    },
    (measurement) => navigate({ measurement }),
  );
}

async function drawEvidence(state: UrlState): Promise<void> {
  if (drawn.evidence === (state.measurement ?? '')) return;
  drawn.evidence = state.measurement ?? '';
  ui.evidence.hidden = state.measurement === null;
  if (state.measurement === null) return;
  const record = await fetchMeasurement(state.measurement);
  renderEvidence(ui.evidence, record, () => navigate({ measurement: null }));
  ui.evidence.querySelector('h2')?.focus();
}

async function drawAll(): Promise<void> {
  const state = current();
  const target = state.target ?? targets.find((candidate) => candidate.kind === 'service')?.id ?? null;
  if (target === null) {
    ui.status.textContent = 'No targets in the catalogue yet.';
    return;
  }
  ui.target.value = target;
  ui.at.value = state.at === null ? '' : state.at.slice(0, 16);
  ui.status.classList.remove('error');
  ui.status.textContent =
    state.at === null ? 'Showing the current state.' : `Showing the state as of ${state.at}.`;
  const results = await Promise.allSettled([
    drawMap(state, target),
    drawCountry(state, target),
    drawTimeline(state, target),
    drawEvidence(state),
  ]);
  for (const result of results) if (result.status === 'rejected') showError(result.reason);
}

async function loadTopology(): Promise<Topology<{ countries: GeometryCollection<{ name: string }> }>> {
  const url = document.querySelector<HTMLMetaElement>('meta[name="reachmap-countries"]')?.content ?? '';
  const response = await fetch(url);
  if (!response.ok) throw new Error(`country geometry ${url}: ${response.status}`);
  return await response.json();
}

function wireControls(): void {
  ui.target.addEventListener('change', () => navigate({ target: ui.target.value }));
  ui.at.addEventListener('change', () => {
    // The control shows UTC (its label says so); datetime-local has no zone, so append one.
    const at = ui.at.value === '' ? null : new Date(`${ui.at.value}:00Z`).toISOString();
    navigate({ at });
  });
  ui.now.addEventListener('click', () => navigate({ at: null }));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && current().measurement !== null) navigate({ measurement: null });
  });
  window.addEventListener('hashchange', () => void drawAll());
}

function onLiveEvent(): void {
  // A state change moves the map only when it shows the present.
  if (current().at !== null) return;
  drawn.map = '';
  drawn.country = '';
  void drawAll();
}

async function start(): Promise<void> {
  renderLegend(ui.legend);
  wireControls();
  startEventFeed(ui.feed, {
    openScope: (scope, target) => navigate({ scope, target: target ?? current().target }),
    openMeasurement: (measurement) => navigate({ measurement }),
    onEvent: onLiveEvent,
  });
  const [topology, loadedTargets] = await Promise.all([loadTopology(), fetchTargets()]);
  targets = loadedTargets;
  ui.target.replaceChildren(
    ...targets.map((target) =>
      element(
        'option',
        { value: target.id },
        target.kind === 'control' ? `${target.name} (control)` : target.name,
      ),
    ),
  );
  worldMap = createWorldMap(ui.map, topology, (country) => navigate({ scope: country }));
  await drawAll();
}

start().catch(showError);
