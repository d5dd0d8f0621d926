import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

// The flags the brief fixes: no sandbox (root in a container), no GPU, and nothing that phones home.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const LAUNCH_OPTIONS = { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS };

/** Debian's chromium, headless, with a fresh profile that is deleted on close. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'reachmap-chromium-'));
  // launchPersistentContext passes `--user-data-dir` itself and adds `--headless`.
  const context = await chromium.launchPersistentContext(userDataDir, {
    ...LAUNCH_OPTIONS,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The same chromium with the same flags, for callers that open many incognito contexts (each starts
 * with an empty cache, as a first visit does): the benchmark of apps/bench.
 */
export async function launchHeadlessChromium(): Promise<Browser> {
  return await chromium.launch(LAUNCH_OPTIONS);
}
