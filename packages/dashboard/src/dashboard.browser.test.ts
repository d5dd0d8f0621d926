import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './testing/browser.ts';
import { type SeededStack, startSeededStack } from './testing/seeded-stack.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../../.test-artifacts/dashboard/', import.meta.url));

describe('dashboard in chromium against the real API', () => {
  let stack: SeededStack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startSeededStack();
    browser = await launchBrowser();
    context = browser.context;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function openPage(hash = '', ready = 'path[data-country="RU"][data-state="blocked"]'): Promise<Page> {
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('requestfailed', (request) => failures.push(`${request.url()} ${request.failure()?.errorText}`));
    await page.goto(`${stack.url}/${hash}`);
    await page.locator(ready).waitFor();
    expect(failures).toEqual([]);
    return page;
  }

  it('colours each country by its seeded state and labels it for screen readers', async () => {
    const page = await openPage('#target=whatsapp');
    const russia = page.locator('path[data-country="RU"]');
    // Russia's second network is thin on evidence: the label says what the state rests on.
    await expect
      .poll(() => russia.getAttribute('aria-label'))
      .toBe('Russia: blocked: evidence from 2 of 4 regions and networks');
    expect(await russia.getAttribute('fill')).toBe('#b2182b');
    expect(await page.locator('path[data-country="IR"]').getAttribute('aria-label')).toBe('Iran: throttled');
    expect(await page.locator('path[data-country="KZ"]').getAttribute('aria-label')).toBe(
      'Kazakhstan: partial',
    );
    expect(await page.locator('path[data-country="DE"]').getAttribute('aria-label')).toBe(
      'Germany: accessible',
    );
    expect(await page.locator('path[data-country="FR"]').getAttribute('aria-label')).toBe('France: no data');
    expect(await page.locator('path[data-country="NL"]').getAttribute('aria-label')).toBe(
      'Netherlands: stalled (simulated)',
    );
    await expect.poll(() => page.locator('#simulated-banner').isVisible()).toBe(true);
    expect(await page.locator('#simulated-banner').textContent()).toContain('NL');
    expect(await page.locator('.legend li').allTextContents()).toEqual([
      'blocked',
      'throttled',
      'stalled',
      'partial',
      'accessible',
      'outage',
      'insufficient',
      'no data',
      'simulated (dashed outline)',
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, 'world-map.png'), fullPage: true });
    await page.close();
  });

  it('says a target down everywhere is the service’s outage, not censorship, on the map and in the tables', async () => {
    const page = await openPage('#target=signal', 'path[data-country="RU"][data-state="outage"]');
    const why =
      'the service itself is down, not censored: failing in 7 of 7 regions measured, across 5 countries';
    await expect
      .poll(() => page.locator('path[data-country="DE"]').getAttribute('aria-label'))
      .toBe(`Germany: outage: ${why}`);
    expect(await page.locator('path[data-country="DE"]').getAttribute('fill')).toBe('#252525');
    await page.goto(`${stack.url}/#target=signal&scope=RU`);
    const country = page.locator('#country-section');
    await country.locator('tr[data-scope="RU-MOW"]').waitFor();
    for (const scope of ['RU-MOW', 'RU-SPE', 'AS12389']) {
      expect(await country.locator(`tr[data-scope="${scope}"] .state-note`).textContent()).toBe(why);
    }
    expect(await page.locator('path[data-region="RU-MOW"]').getAttribute('aria-label')).toBe(
      `Moscow (RU-MOW): outage: ${why}`,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'target-outage.png'), fullPage: true });
    await page.close();
  });

  /** Clicks a point inside a country's fill: Russia's box centre is sea (it wraps the antimeridian). */
  async function clickCountry(page: Page, code: string): Promise<void> {
    const point = await page.evaluate((country) => {
      const path = document.querySelector<SVGPathElement>(`path[data-country="${country}"]`);
      const matrix = path?.getScreenCTM();
      if (!path || !matrix) return null;
      const box = path.getBBox();
      for (let y = box.y; y < box.y + box.height; y += 2) {
        for (let x = box.x; x < box.x + box.width; x += 2) {
          if (!path.isPointInFill(new DOMPoint(x, y))) continue;
          const screen = new DOMPoint(x, y).matrixTransform(matrix);
          if (document.elementFromPoint(screen.x, screen.y) === path) return { x: screen.x, y: screen.y };
        }
      }
      return null;
    }, code);
    if (point === null) throw new Error(`no clickable point inside ${code}`);
    await page.mouse.click(point.x, point.y);
  }

  it('drills into a country on click and shows its regions and networks', async () => {
    const page = await openPage('#target=whatsapp');
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/v1/')) apiCalls.push(`${url.pathname}${url.search}`);
    });
    await clickCountry(page, 'RU');
    const country = page.locator('#country-section');
    await country.locator('tr[data-scope="RU-MOW"]').waitFor();
    expect(await country.locator('tr[data-scope="RU-MOW"] .state-cell').textContent()).toBe('blocked');
    expect(await country.locator('tr[data-scope="RU-SPE"] .state-cell').textContent()).toBe('insufficient');
    expect(await country.locator('tr[data-scope="AS12389"] .state-cell').textContent()).toBe('blocked');
    expect(await country.locator('tr[data-scope="AS8359"] .state-cell').textContent()).toBe('insufficient');
    // The networks come from the map endpoint narrowed to Russia, with method, agents and coverage;
    // no raw measurements are read.
    expect(apiCalls).toContain('/v1/map?target=whatsapp&level=asn&country=RU');
    expect(apiCalls.filter((call) => call.startsWith('/v1/measurements'))).toEqual([]);
    const moscowNetwork = country.locator('tr[data-scope="AS12389"] td');
    expect(await moscowNetwork.allTextContents()).toEqual([
      'blocked',
      'sni-reset',
      '3',
      '75 % of agents',
      '90 %',
      expect.stringContaining('UTC'),
    ]);
    // The region map colours Moscow and St Petersburg from their states, labelled like the world map.
    const moscow = country.locator('path[data-region="RU-MOW"]');
    await expect.poll(() => moscow.getAttribute('fill')).toBe('#b2182b');
    expect(await moscow.getAttribute('aria-label')).toBe('Moscow (RU-MOW): blocked');
    const stPetersburg = country.locator('path[data-region="RU-SPE"]');
    expect(await stPetersburg.getAttribute('fill')).toBe('#969696');
    expect(await stPetersburg.getAttribute('data-state')).toBe('insufficient');
    expect(await country.locator('path[data-region="RU-NVS"]').getAttribute('data-state')).toBe('nodata');
    expect(await country.locator('.unmapped-regions').count()).toBe(0);
    // Other countries' regions and networks must not leak into Russia's tables.
    expect(await country.locator('tr[data-scope^="IR"], tr[data-scope="AS58224"]').count()).toBe(0);
    expect(page.url()).toContain('scope=RU');

    // Sorting by agents: ascending on the first press (St Petersburg has 1), descending on the second.
    const regions = country.locator('section.scope-table').first();
    const firstRow = () => regions.locator('tbody tr').first().getAttribute('data-scope');
    await regions.getByRole('button', { name: /^Agents/ }).click();
    expect(await firstRow()).toBe('RU-SPE');
    await regions.getByRole('button', { name: /^Agents/ }).click();
    expect(await firstRow()).toBe('RU-MOW');
    await page.screenshot({ path: join(SCREENSHOTS, 'country-view.png'), fullPage: true });
    await page.close();
  });

  it('lists regions without geometry under the region map, and opens a region with the keyboard', async () => {
    const page = await openPage('#target=whatsapp&scope=KZ');
    const country = page.locator('#country-section');
    const almaty = country.locator('path[data-region="KZ-ALA"]');
    // The geometry is fetched on demand: wait for the path before reading its state (expect.poll gives
    // each read only a second, which a loaded machine spent fetching and drawing KZ).
    await almaty.waitFor();
    await expect.poll(() => almaty.getAttribute('data-state'), { timeout: 10_000 }).toBe('blocked');
    // KZ-75 has a state but no polygon: it is named (with its state), not dropped.
    expect(await country.locator('.unmapped-regions button[data-unmapped="KZ-75"]').textContent()).toBe(
      'KZ-75 (accessible)',
    );
    await almaty.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain('scope=KZ-ALA');
    await page.locator('#country-section').screenshot({ path: join(SCREENSHOTS, 'region-map.png') });
    await page.close();
  });

  it('drills into a country with the keyboard (focus and Enter)', async () => {
    const page = await openPage('#target=whatsapp');
    await page.locator('path[data-country="IR"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('#country-section h2').waitFor();
    expect(await page.locator('#country-section h2').textContent()).toContain('IR');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
    await page.close();
  });

  it('draws the timeline of a deep-linked scope with its control', async () => {
    const page = await openPage('#target=whatsapp&scope=RU-MOW&range=7d');
    await page.locator('#timeline-section .uplot').first().waitFor();
    expect(await page.locator('#timeline-section .uplot').count()).toBe(2);
    expect(await page.locator('#timeline-section').textContent()).toContain(
      'control control-foreign-cloudflare p50',
    );
    // The seeded block of Moscow six hours ago is listed, with a link to its witness.
    const started = page.locator('.timeline-events li', { hasText: 'block.started (sni-reset)' });
    expect(await started.count()).toBe(1);
    expect(await started.getByRole('button', { name: 'evidence' }).count()).toBe(1);
    // The event's evidence bundle is a download, checkable offline with `reachmap verify`.
    const bundle = started.getByRole('link', { name: 'bundle' });
    const href = (await bundle.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/v1\/events\/evt_[A-Za-z0-9]+\/evidence$/);
    expect(await bundle.getAttribute('download')).toMatch(/^reachmap-evidence-evt_/);
    const served = await page.request.get(`${stack.url}${href}`);
    expect(served.status()).toBe(200);
    expect((await served.json()).format).toBe('reachmap-evidence-bundle/1');
    expect(await page.locator('#timeline-section button[aria-pressed="true"]').textContent()).toBe('7d');
    await page.locator('#timeline-section').screenshot({ path: join(SCREENSHOTS, 'timeline.png') });
    await page.close();
  });

  it('starts the events panel with what is open now and the latest events', async () => {
    const page = await openPage('#target=whatsapp');
    const open = page.locator('.open-states .open-item');
    await open.first().waitFor();
    expect(await open.evaluateAll((items) => items.map((item) => item.getAttribute('data-scope')))).toEqual(
      expect.arrayContaining(['RU-MOW', 'KZ-ALA', 'AS12389']),
    );
    expect(
      await page.locator('.open-item[data-scope="RU-MOW"][data-state="blocked"]').textContent(),
    ).toContain('RU-MOW blocked for whatsapp by sni-reset since');
    // Signal is down in every network: one line for it, each scope folded beneath.
    const signal = page.locator('.open-group[data-target="signal"][data-state="outage"]');
    expect(await signal.count()).toBe(1);
    expect(await signal.textContent()).toMatch(/^signal outage in \d+ scopes( \(\d+ countr(y|ies)\))? since/);
    expect(await signal.locator(':scope > .state-note').textContent()).toContain(
      'the service itself is down, not censored',
    );
    // Signal's outage is open too, and says it is the service's own.
    expect(
      await page.locator('.open-item[data-scope="RU-MOW"][data-state="outage"] .state-note').textContent(),
    ).toContain('the service itself is down, not censored');
    // The seeded block.started events are listed before any new event arrives on the stream.
    const moscow = page.locator('.feed-item', { hasText: 'block.started in RU-MOW' });
    await moscow.waitFor();
    expect(await page.locator('.feed-item', { hasText: 'block.started in KZ-ALA' }).count()).toBe(1);
    await page.locator('.feed-section').screenshot({ path: join(SCREENSHOTS, 'events-panel.png') });
    await page.close();
  });

  it('shows the transitions of a country’s regions on the country’s timeline', async () => {
    const page = await openPage('#target=whatsapp&scope=RU&range=7d');
    const started = page.locator('.timeline-events li', { hasText: 'block.started (sni-reset)' });
    await started.first().waitFor();
    expect(await started.locator('.event-scope').allTextContents()).toEqual(['RU-MOW']);
    expect(await page.locator('#timeline-section h2').textContent()).toBe('Timeline: RU, whatsapp');
    await page.close();
  });

  it('shows a new event live in the feed and in the open country view', async () => {
    const page = await openPage('#target=whatsapp&scope=RU');
    const stPetersburg = page.locator('#country-section tr[data-scope="RU-SPE"] .state-cell');
    await expect.poll(() => stPetersburg.textContent()).toBe('insufficient');
    await page.locator('.feed-status', { hasText: 'live' }).waitFor();
    await stack.streamListening();
    await stack.blockStPetersburg();
    const item = page.locator('.feed-item', { hasText: 'RU-SPE' });
    await item.waitFor();
    expect(await item.textContent()).toContain('block.started in RU-SPE for whatsapp by sni-reset');
    await expect.poll(() => stPetersburg.textContent()).toBe('blocked');
    await item.getByRole('button', { name: 'evidence' }).click();
    await page.locator('#evidence-section [data-layer="dns"]').waitFor();
    await page.close();
  });

  it('renders every layer of a measurement in the evidence view', async () => {
    const page = await openPage(`#target=whatsapp&measurement=${stack.evidence.measurement.id}`);
    const view = page.locator('#evidence-section');
    await view.locator('[data-layer="throughput"]').waitFor();
    const layer = (name: string) => view.locator(`[data-layer="${name}"]`);
    expect(await layer('dns').textContent()).toContain('A 198.18.0.10');
    expect(await layer('tcp').textContent()).toContain('198.18.0.10:443');
    expect(await layer('tls').locator('.sni-target').textContent()).toBe('target');
    expect(await layer('tls').locator('.sni-control').textContent()).toBe('control');
    expect(await layer('tls').textContent()).toContain('connection_reset');
    expect(await layer('http').locator('tbody tr').count()).toBe(2);
    expect(await layer('quic').textContent()).toContain('generic_timeout_error');
    expect(await layer('throughput').locator('polyline').count()).toBe(2);
    expect(await view.locator('.verdict').textContent()).toContain('blocked by sni-reset at tls');
    await view.screenshot({ path: join(SCREENSHOTS, 'evidence.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => view.isHidden()).toBe(true);
    await page.close();
  });
});
