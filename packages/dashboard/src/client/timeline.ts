import type { ScopeEvent, VerdictStatus } from '@reachmap/schema';
import uPlot from 'uplot';
import type { SeriesPoint } from './api-types.ts';
import { bundleLink } from './bundle-link.ts';
import { element } from './element.ts';
import { formatBitsPerSecond, formatTime } from './format.ts';
import { VERDICT_COLOURS } from './state-style.ts';

// Stacked bottom-up: the healthy share at the bottom, interference above it, noise on top.
const STACK_ORDER: readonly VerdictStatus[] = [
  'ok',
  'blocked',
  'throttled',
  'stalled',
  'down',
  'error',
  'insufficient',
];

export interface TimelineData {
  scope: string;
  target: string;
  /** The foreign control whose throughput is drawn for comparison (the API picks it). */
  controlTarget: string | null;
  points: readonly SeriesPoint[];
  events: readonly ScopeEvent[];
}

function seconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** Vertical lines at each event's decision time: red where a state began, green where it ended. */
function eventMarkers(events: readonly ScopeEvent[]): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (plot) => {
          const { ctx, bbox } = plot;
          ctx.save();
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          for (const event of events) {
            const x = plot.valToPos(seconds(event.at), 'x', true);
            if (x < bbox.left || x > bbox.left + bbox.width) continue;
            ctx.strokeStyle = event.type.endsWith('.started') ? '#b2182b' : '#1a9641';
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
}

// Every other time on the page is UTC; uPlot would otherwise label the axis in the browser's zone.
const utc = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');

function sharesChart(data: TimelineData, width: number): uPlot {
  const xs = data.points.map((point) => seconds(point.start));
  // A bucket without runs is a gap, not a 0 % share of everything.
  let below: (number | null)[] = data.points.map((point) => (point.runs === 0 ? null : 0));
  const stacked: (number | null)[][] = [];
  for (const status of STACK_ORDER) {
    below = data.points.map((point, index) => {
      const base = below[index];
      return base === null || base === undefined ? null : base + (point.shares[status] ?? 0);
    });
    stacked.push(below);
  }
  const options: uPlot.Options = {
    title: 'Verdict shares (UTC)',
    tzDate: utc,
    width,
    height: 220,
    scales: { y: { range: [0, 1] } },
    axes: [{}, { values: (_plot, ticks) => ticks.map((tick) => `${Math.round(tick * 100)} %`) }],
    series: [
      {},
      ...STACK_ORDER.map((status, index) => ({
        label: status,
        stroke: VERDICT_COLOURS[status],
        fill: `${VERDICT_COLOURS[status]}cc`,
        width: 1,
        // The legend shows each status's own share, not the stacked height.
        value: (_plot: uPlot, _value: number, _series: number, row: number | null) => {
          const top = row === null ? null : stacked[index]?.[row];
          if (row === null || top === null || top === undefined) return '–';
          return `${Math.round((top - (stacked[index - 1]?.[row] ?? 0)) * 100)} %`;
        },
      })),
    ],
    bands: STACK_ORDER.slice(1).map((_status, index) => ({
      series: [index + 2, index + 1] as [number, number],
    })),
    plugins: [eventMarkers(data.events)],
  };
  return new uPlot(options, [xs, ...stacked], document.createElement('div'));
}

function throughputChart(data: TimelineData, width: number): uPlot {
  const xs = data.points.map((point) => seconds(point.start));
  const quantile = (key: 'p10' | 'p50' | 'p90') => data.points.map((point) => point.throughput[key]);
  const options: uPlot.Options = {
    title: 'Throughput, goodput quantiles (UTC)',
    tzDate: utc,
    width,
    height: 220,
    axes: [{}, { size: 80, values: (_plot, ticks) => ticks.map((tick) => formatBitsPerSecond(tick)) }],
    series: [
      {},
      { label: `${data.target} p10`, stroke: '#f4a582', width: 1, value: (_p, v) => formatBitsPerSecond(v) },
      { label: `${data.target} p50`, stroke: '#b2182b', width: 2, value: (_p, v) => formatBitsPerSecond(v) },
      { label: `${data.target} p90`, stroke: '#d6604d', width: 1, value: (_p, v) => formatBitsPerSecond(v) },
      {
        label: `control ${data.controlTarget ?? '(none)'} p50`,
        stroke: '#2166ac',
        width: 2,
        dash: [6, 4],
        value: (_p, v) => formatBitsPerSecond(v),
      },
    ],
    plugins: [eventMarkers(data.events)],
  };
  const control = data.points.map((point) => point.control_throughput.p50);
  return new uPlot(
    options,
    [xs, quantile('p10'), quantile('p50'), quantile('p90'), control] as uPlot.AlignedData,
    document.createElement('div'),
  );
}

function eventList(events: readonly ScopeEvent[], onOpenMeasurement: (id: string) => void): HTMLElement {
  if (events.length === 0)
    return element(
      'p',
      { class: 'muted' },
      'No state changes of this scope or its sub-scopes in this period.',
    );
  return element(
    'ol',
    {
      class: 'timeline-events',
      'aria-label': 'State changes of the scope and its sub-scopes in this period',
    },
    events.map((event) =>
      element(
        'li',
        {},
        element('time', { datetime: event.at }, formatTime(event.at)),
        ' ',
        element('span', { class: 'event-scope' }, event.scope),
        ` ${event.type}${event.method === null ? '' : ` (${event.method})`}, ${event.agents} agents`,
        event.simulated ? element('span', { class: 'badge simulated-badge' }, 'simulated') : null,
        ' ',
        event.witnesses[0] === undefined
          ? null
          : element(
              'button',
              { type: 'button', class: 'link', onclick: () => onOpenMeasurement(event.witnesses[0] ?? '') },
              'evidence',
            ),
        ' ',
        bundleLink(event.id),
      ),
    ),
  );
}

/** Verdict shares and throughput of one (scope, target) over time, with its state changes marked. */
export function renderTimeline(
  container: HTMLElement,
  data: TimelineData,
  onOpenMeasurement: (id: string) => void,
): void {
  const width = Math.max(320, Math.min(container.clientWidth || 900, 1100) - 16);
  const charts =
    data.points.length === 0
      ? [element('p', { class: 'muted' }, 'No measurements of this scope and target in this period.')]
      : [sharesChart(data, width).root, throughputChart(data, width).root];
  container.replaceChildren(...charts, eventList(data.events, onOpenMeasurement));
}
