import { measured, notMeasured, type ResultRow } from '../report/result-row.ts';
import type { DashboardFigures } from './dashboard-bench.ts';

const KIB = 1024;
const ASSET_KINDS = ['app JS', 'app CSS', 'country geometry JSON', 'region geometry JSON', 'page HTML'];

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

function kib(bytes: number): string {
  return `${(bytes / KIB).toFixed(1)} KiB`;
}

/** The Dashboard table: views (year vs the small baseline), bytes of the assets, the API calls behind them. */
export function dashboardRows(figures: DashboardFigures): ResultRow[] {
  if (figures.kind === 'unavailable') {
    return [notMeasured('dashboard', 'world map, first render p50', 'ms', figures.reason)];
  }
  const base = `baseline ${figures.baselineDays} days`;
  const setup =
    `${figures.days} days of history, ${figures.scopes} scopes × ${figures.targets} targets ` +
    `(${figures.measurements.toLocaleString('en-US')} measurements, seeded in ${figures.seedSeconds.toFixed(0)} s); ` +
    `${figures.repetitions} first visits in fresh chromium contexts to the API process serving the dashboard`;
  const rows: ResultRow[] = [];
  figures.views.forEach((view, index) => {
    rows.push(
      measured(
        'dashboard',
        `${view.name} p50`,
        view.year.p50,
        'ms',
        `${index === 0 ? `${setup}; ` : ''}${base}: ${ms(view.baseline.p50)}`,
      ),
      measured('dashboard', `${view.name} p95`, view.year.p95, 'ms', `${base}: ${ms(view.baseline.p95)}`),
      measured(
        'dashboard',
        `${view.name}, year ÷ baseline`,
        view.year.p50 / view.baseline.p50,
        '×',
        `p50 over ${figures.days} days ÷ p50 over ${figures.baselineDays} days`,
      ),
    );
  });
  for (const kind of ASSET_KINDS) {
    const asset = figures.requests.find((request) => request.kind === kind);
    if (asset === undefined) continue;
    rows.push(
      measured(
        'dashboard',
        `${kind} transferred`,
        asset.year.bytes / KIB,
        'KiB',
        `body bytes on the wire, content-encoding ${asset.contentEncoding ?? 'none'}`,
      ),
    );
  }
  for (const request of figures.requests) {
    if (ASSET_KINDS.includes(request.kind)) continue;
    const small =
      request.baseline === null
        ? `${base}: not requested`
        : `${base}: ${ms(request.baseline.p50)}, ${kib(request.baseline.bytes)}`;
    rows.push(
      measured(
        'dashboard',
        `\`${request.kind}\` p50`,
        request.year.p50,
        'ms',
        `request → last byte in chromium; p95 ${ms(request.year.p95)}; ${kib(request.year.bytes)} (content-encoding ${request.contentEncoding ?? 'none'}); ${small}`,
      ),
    );
  }
  return rows;
}
