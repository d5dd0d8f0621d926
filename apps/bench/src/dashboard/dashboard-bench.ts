import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardAssetsDir } from '@reachmap/dashboard';
import { CHROMIUM_PATH, launchHeadlessChromium } from '@reachmap/dashboard/browser';
import { StoreConfig } from '@reachmap/store';
import type { Browser } from 'playwright-core';
import { benchNetworks, scopeCount } from '../bench-networks.ts';
import type { BenchRedis } from '../bench-redis.ts';
import { percentile } from '../percentile.ts';
import { startApiProcess } from '../processes/api-process.ts';
import type { BenchProfile } from '../profile.ts';
import type { Progress } from '../progress.ts';
import { evaluateSeeded } from '../queries/evaluate-seeded.ts';
import { seedHistory } from '../queries/seed-history.ts';
import { type PageRun, runPage } from './page-timings.ts';
import { requestKind } from './request-kind.ts';

const VIEWS = [
  { key: 'worldMapMs', name: 'world map, first render' },
  { key: 'countryMs', name: 'country drill-down' },
  { key: 'regionMapRenderMs', name: 'region map render, in the page' },
  { key: 'timelineDefaultMs', name: 'timeline, default range (30 d)' },
  { key: 'timelineYearMs', name: 'timeline, 365 d' },
] as const;

export interface Spread {
  p50: number;
  p95: number;
}

export interface ViewFigures {
  name: string;
  year: Spread;
  baseline: Spread;
}

export interface RequestFigures {
  kind: string;
  year: Spread & { bytes: number };
  baseline: (Spread & { bytes: number }) | null;
  contentEncoding: string | null;
}

export type DashboardFigures =
  | {
      kind: 'measured';
      days: number;
      baselineDays: number;
      scopes: number;
      targets: number;
      measurements: number;
      seedSeconds: number;
      repetitions: number;
      views: ViewFigures[];
      requests: RequestFigures[];
    }
  | { kind: 'unavailable'; reason: string };

function spread(samples: readonly number[]): Spread {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

/** One request kind over every load: its durations, body sizes and content encoding. */
interface KindSamples {
  durations: number[];
  bytes: number[];
  encoding: string | null;
}

function byKind(runs: readonly PageRun[]): Map<string, KindSamples> {
  const kinds = new Map<string, KindSamples>();
  for (const request of runs.flatMap((run) => run.requests)) {
    const kind = requestKind(request.url, request.resourceType);
    if (kind === null) continue;
    const entry = kinds.get(kind) ?? { durations: [], bytes: [], encoding: request.contentEncoding };
    entry.durations.push(request.durationMs);
    entry.bytes.push(request.bodyBytes);
    kinds.set(kind, entry);
  }
  return kinds;
}

/** Seeds `days` of history into an empty Redis, evaluates it, and loads the dashboard `repetitions` times. */
async function measureStack(
  redis: BenchRedis,
  browser: Browser,
  apiUrl: string,
  seed: BenchProfile['history'],
  repetitions: number,
  progress: Progress,
): Promise<{ runs: PageRun[]; measurements: number; seedSeconds: number }> {
  await redis.client.flushall();
  const started = performance.now();
  const { measurements } = await seedHistory(redis.client, StoreConfig.parse({}), seed, Date.now());
  const seedSeconds = (performance.now() - started) / 1000;
  const evaluation = await evaluateSeeded(redis, `dashboard-archive-${seed.days}`);
  progress(
    `dashboard: ${seed.days} days (${measurements} measurements) seeded in ${seedSeconds.toFixed(1)} s, ${evaluation.events} events`,
  );
  const [network] = benchNetworks(seed.countries, seed.regionsPerCountry);
  const region = network?.region;
  if (network === undefined || region === undefined || region === null) {
    throw new RangeError('the dashboard bench needs a network with a region');
  }
  const view = { target: 'whatsapp', country: network.country, region };
  // One load first, not counted: chromium's first page in a new browser also pays its own start-up.
  await runPage(browser, apiUrl, view);
  const runs: PageRun[] = [];
  for (let index = 0; index < repetitions; index += 1) runs.push(await runPage(browser, apiUrl, view));
  const median = (key: (typeof VIEWS)[number]['key']) => spread(runs.map((run) => run[key])).p50.toFixed(0);
  progress(
    `dashboard: ${seed.days} days: map ${median('worldMapMs')} ms, country ${median('countryMs')} ms (region map ${median('regionMapRenderMs')} ms), timeline 30 d ${median('timelineDefaultMs')} ms, 365 d ${median('timelineYearMs')} ms (p50)`,
  );
  return { runs, measurements, seedSeconds };
}

/**
 * Starts the real API process serving the built dashboard, and drives Debian's chromium through
 * its views: first against a year of history, then, in the same run, against the same scopes with
 * `baselineDays` of history, so each figure has its own small-data baseline.
 */
export async function runDashboardBench(
  redis: BenchRedis,
  profile: BenchProfile['dashboard'],
  progress: Progress,
): Promise<DashboardFigures> {
  if (!existsSync(CHROMIUM_PATH)) {
    return { kind: 'unavailable', reason: `${CHROMIUM_PATH} is missing (Debian package chromium)` };
  }
  // Built by `pnpm build` (turbo runs it before `bench`); rebuilding here would pull dist/ from under
  // the dashboard's own browser tests when both run in one vitest run.
  if (!existsSync(join(dashboardAssetsDir(), 'index.html'))) {
    return {
      kind: 'unavailable',
      reason: 'no dashboard build: run `pnpm --filter @reachmap/dashboard build`',
    };
  }
  const api = await startApiProcess(redis);
  let browser: Browser | undefined;
  try {
    browser = await launchHeadlessChromium();
    const year = await measureStack(redis, browser, api.url, profile.seed, profile.repetitions, progress);
    const baseline = await measureStack(
      redis,
      browser,
      api.url,
      { ...profile.seed, days: profile.baselineDays },
      profile.repetitions,
      progress,
    );
    const views = VIEWS.map(({ key, name }) => ({
      name,
      year: spread(year.runs.map((run) => run[key])),
      baseline: spread(baseline.runs.map((run) => run[key])),
    }));
    const baselineKinds = byKind(baseline.runs);
    const requests = [...byKind(year.runs)].map(([kind, entry]): RequestFigures => {
      const small = baselineKinds.get(kind);
      return {
        kind,
        year: { ...spread(entry.durations), bytes: percentile(entry.bytes, 50) },
        baseline:
          small === undefined ? null : { ...spread(small.durations), bytes: percentile(small.bytes, 50) },
        contentEncoding: entry.encoding,
      };
    });
    return {
      kind: 'measured',
      days: profile.seed.days,
      baselineDays: profile.baselineDays,
      scopes: scopeCount(profile.seed.countries, profile.seed.regionsPerCountry),
      targets: profile.seed.targets,
      measurements: year.measurements,
      seedSeconds: year.seedSeconds,
      repetitions: profile.repetitions,
      views,
      requests,
    };
  } finally {
    await browser?.close();
    await api.process.stop();
  }
}
