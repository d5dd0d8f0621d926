import type { ThroughputRun } from '@reachmap/schema';
import { svgElement } from './element.ts';

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { left: 64, right: 12, top: 12, bottom: 32 };
// Runs with the target's SNI in red, control-SNI runs in blue, as on the timeline's throughput chart.
const ROLE_COLOURS = { target: '#b2182b', control: '#2166ac' } as const;

function mebibytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(bytes < 1_048_576 ? 2 : 1)} MiB`;
}

/**
 * Cumulative bytes over time of each transfer run, one line per connection: a throttle shows as a
 * shallow slope, a stall as a flat tail (docs/techniques.md). Plain SVG: runs have their own sample times.
 */
export function throughputCurve(runs: readonly ThroughputRun[]): SVGSVGElement {
  const maxT = Math.max(0.001, ...runs.flatMap((run) => run.samples.map(([t]) => t)));
  const maxBytes = Math.max(1, ...runs.flatMap((run) => run.samples.map(([, bytes]) => bytes)));
  const x = (t: number) => MARGIN.left + (t / maxT) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (bytes: number) =>
    HEIGHT - MARGIN.bottom - (bytes / maxBytes) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'throughput-curve',
    role: 'img',
    'aria-label': `Cumulative bytes over time of ${runs.length} transfer runs`,
  });
  const axes = svgElement('path', {
    d: `M${MARGIN.left},${MARGIN.top} V${HEIGHT - MARGIN.bottom} H${WIDTH - MARGIN.right}`,
    class: 'axis',
  });
  const yLabel = svgElement('text', { x: MARGIN.left - 6, y: MARGIN.top + 10, 'text-anchor': 'end' });
  yLabel.textContent = mebibytes(maxBytes);
  const xLabel = svgElement('text', { x: WIDTH - MARGIN.right, y: HEIGHT - 8, 'text-anchor': 'end' });
  xLabel.textContent = `${maxT.toFixed(1)} s`;
  const origin = svgElement('text', { x: MARGIN.left - 6, y: HEIGHT - MARGIN.bottom, 'text-anchor': 'end' });
  origin.textContent = '0';
  svg.append(axes, yLabel, xLabel, origin);
  const key = svgElement('text', { x: MARGIN.left + 8, y: MARGIN.top + 10 });
  key.textContent = 'red: target SNI, blue: control SNI';
  svg.append(key);
  for (const run of runs) {
    const points = run.samples.map(([t, bytes]) => `${x(t).toFixed(1)},${y(bytes).toFixed(1)}`).join(' ');
    const line = svgElement('polyline', {
      points,
      fill: 'none',
      stroke: ROLE_COLOURS[run.sni_role],
      'stroke-width': 2,
      'data-connection': run.connection,
    });
    const title = svgElement('title');
    title.textContent = `${run.direction} connection ${run.connection} (${run.sni_role} SNI)`;
    line.append(title);
    svg.append(line);
  }
  return svg;
}
