import type { Browser, Page, Request } from 'playwright-core';

/** What one page load and its drill-downs took, and every request the page made on the way. */
export interface PageRun {
  /** Navigation start → the first frame in which a country of the map has a state fill. */
  worldMapMs: number;
  /** Selecting a country (a hash change, as a click makes) → its region map and its tables. */
  countryMs: number;
  /** Inside that: decoding, projecting and drawing the region map (the page's User Timing measure). */
  regionMapRenderMs: number;
  /** Selecting a region → its timeline charts at the default range (30 d, daily buckets). */
  timelineDefaultMs: number;
  /** Switching the open timeline to 365 d → its charts. */
  timelineYearMs: number;
  requests: FinishedRequest[];
}

export interface FinishedRequest {
  url: string;
  resourceType: string;
  /** Request start → last byte of the response, as chromium timed it. */
  durationMs: number;
  /** Body bytes on the wire (after content-encoding, when there is one). */
  bodyBytes: number;
  contentEncoding: string | null;
}

export class ViewNotRenderedError extends Error {
  override name = 'ViewNotRenderedError';
}

/**
 * The part of a browser window the in-page functions below use. The bench is typed for Node (no DOM
 * lib, whose `fetch` types would clash with Node's); these functions are serialised and run in the page.
 */
interface PageWindow {
  document: {
    querySelector(selector: string): object | null;
    querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
  };
  location: { hash: string };
  requestAnimationFrame(callback: () => void): number;
  __benchMarks: { worldMap?: number };
}

/**
 * Installed before any page script runs: records (performance.now(), i.e. ms since navigation start)
 * the first animation frame in which a country path carries a state other than "no data".
 */
function recordFirstMapFill(): void {
  const page = globalThis as unknown as PageWindow;
  page.__benchMarks = {};
  const check = () => {
    if (page.document.querySelector('#map path[data-state]:not([data-state="nodata"])') !== null) {
      page.__benchMarks.worldMap = performance.now();
      return;
    }
    page.requestAnimationFrame(check);
  };
  page.requestAnimationFrame(check);
}

function firstMapFill(): number | undefined {
  return (globalThis as unknown as PageWindow).__benchMarks.worldMap;
}

/** Runs in the page: the duration of the latest region map the page drew, or -1 when none. */
function lastRegionMapRender(): number {
  const entries = performance.getEntriesByName('reachmap:region-map', 'measure');
  return entries.at(-1)?.duration ?? -1;
}

interface ReadyWhen {
  selector: string;
  /** Some element matching `selector` must contain this text. */
  text: string;
}

/**
 * Runs in the page: changes the location hash (what a click on a country, a table row or a range
 * button does) and answers the ms until the first animation frame in which every condition holds.
 */
function timeHashChange(input: { hash: string; ready: ReadyWhen[]; timeoutMs: number }): Promise<number> {
  const page = globalThis as unknown as PageWindow;
  const holds = ({ selector, text }: ReadyWhen) =>
    Array.from(page.document.querySelectorAll(selector)).some((found) => found.textContent?.includes(text));
  const started = performance.now();
  page.location.hash = input.hash;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (input.ready.every(holds)) return resolve(performance.now() - started);
      if (performance.now() - started > input.timeoutMs) return reject(new Error(`${input.hash} never drew`));
      page.requestAnimationFrame(check);
    };
    page.requestAnimationFrame(check);
  });
}

const VIEW_TIMEOUT_MS = 30_000;

async function timeView(page: Page, hash: string, ready: ReadyWhen[]): Promise<number> {
  return await page.evaluate(timeHashChange, { hash, ready, timeoutMs: VIEW_TIMEOUT_MS });
}

/** Both uPlot charts of the timeline are on the page (not the "no measurements" note). */
async function assertChartsDrawn(page: Page, what: string): Promise<void> {
  const charts = await page.locator('#timeline-section .uplot canvas').count();
  if (charts < 2) throw new ViewNotRenderedError(`${what}: the timeline drew ${charts} charts, expected 2`);
}

async function finishedRequest(request: Request): Promise<FinishedRequest> {
  const timing = request.timing();
  const sizes = await request.sizes();
  const response = await request.response();
  return {
    url: request.url(),
    resourceType: request.resourceType(),
    durationMs: timing.responseEnd,
    bodyBytes: sizes.responseBodySize,
    contentEncoding: (await response?.headerValue('content-encoding')) ?? null,
  };
}

/**
 * One first visit in a fresh browser context (empty cache): the world map of `target`, then
 * `country`, then `region`'s timeline at the default range, then at 365 days.
 */
export async function runPage(
  browser: Browser,
  baseUrl: string,
  view: { target: string; country: string; region: string },
): Promise<PageRun> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const pending: Promise<FinishedRequest>[] = [];
    page.on('requestfinished', (request) => pending.push(finishedRequest(request)));
    await page.addInitScript(recordFirstMapFill);

    await page.goto(`${baseUrl}/#target=${view.target}`, { waitUntil: 'commit' });
    const worldMapMs = Number(
      await (await page.waitForFunction(firstMapFill, undefined, { timeout: VIEW_TIMEOUT_MS })).jsonValue(),
    );

    const base = `#target=${view.target}`;
    const countryMs = await timeView(page, `${base}&scope=${view.country}`, [
      { selector: '#country-section h2', text: `${view.country}: regions and networks` },
      { selector: '#country-section tr[data-scope]', text: `${view.country}-` },
      { selector: '#country-section svg.region-map', text: '' },
    ]);
    const regionMapRenderMs = await page.evaluate(lastRegionMapRender);
    if (regionMapRenderMs < 0) throw new ViewNotRenderedError(`${view.country}: no region map was drawn`);
    const timelineDefaultMs = await timeView(page, `${base}&scope=${view.region}`, [
      { selector: '#timeline-section h2', text: `Timeline: ${view.region},` },
    ]);
    await assertChartsDrawn(page, `${view.region}, default range`);
    const timelineYearMs = await timeView(page, `${base}&scope=${view.region}&range=365d`, [
      { selector: '#timeline-section [aria-pressed="true"]', text: '365d' },
    ]);
    await assertChartsDrawn(page, `${view.region}, 365d`);
    if (errors.length > 0) throw new ViewNotRenderedError(`the page threw: ${errors.join('; ')}`);
    // The live feed's EventSource never finishes; everything else has by now.
    const requests = await Promise.all(pending);
    return { worldMapMs, countryMs, regionMapRenderMs, timelineDefaultMs, timelineYearMs, requests };
  } finally {
    await context.close();
  }
}
