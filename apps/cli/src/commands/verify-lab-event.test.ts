import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvidenceBundle, ScopeEvent } from '@reachmap/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type StackProcess, startStackProcess } from '../testing/stack-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-lab-evidence-'));
let stack: StackProcess | null = null;
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The API's URL, from the supervisor's "running" record. */
function apiUrl(running: StackProcess): string {
  const record = running.records.find((r) => r.msg === 'reachmap is running; press Ctrl-C to stop');
  const api = (record?.components as { name: string; url?: string }[] | undefined)?.find(
    (component) => component.name === 'api',
  );
  if (api?.url === undefined) throw new Error('the supervisor did not report the API URL');
  return api.url;
}

/** The first `block.started` of IR-07 whatsapp, which the demo's lying resolver causes. */
async function waitForBlock(api: string, timeoutMs: number): Promise<ScopeEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${api}/v1/events?scope=IR-07&target=whatsapp&type=block.started`);
    const { events } = (await response.json()) as { events: ScopeEvent[] };
    if (events[0] !== undefined) return events[0];
    if (Date.now() > deadline) {
      const map = await (await fetch(`${api}/v1/map?level=region&target=whatsapp`)).text();
      throw new Error(`no block.started for IR-07 within ${timeoutMs} ms; the region map says ${map}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

describe('the evidence bundle of a lab event', () => {
  it('verifies offline after the stack is gone, and a flipped byte of a witness names that witness', async () => {
    // The whole stack as a user runs it: embedded Redis, collector, aggregator, API and the demo
    // network (real agents behind the lab's user-space censors). Windows short enough that a block opens in
    // minutes (the demo's own 2 min windows: a quorum of two agents must both land rounds in one window);
    // the demo's loopback addresses moved off the defaults a developer's `reachmap up` uses (127.25,
    // slots 145-149: no other test's).
    stack = await startStackProcess(dataDir, [], {
      REACHMAP_WINDOW: '2m',
      REACHMAP_EVALUATION_GRACE: '20s',
      AGENT_INTERVAL: '20s',
      AGENT_JITTER: '2s',
      // Generous: on a loaded machine a round of the whole lab catalogue outlasts the interval, and
      // a round cut by its deadline records its unfinished targets as interrupted (no verdict).
      AGENT_ROUND_DEADLINE: '90s',
      REACHMAP_DEMO_WORLD_OCTET: '25',
      REACHMAP_DEMO_FIRST_SLOT: '145',
    });
    const api = apiUrl(stack);
    const event = await waitForBlock(api, 840_000);
    expect(event.simulated).toBe(true);

    const response = await fetch(`${api}/v1/events/${event.id}/evidence`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const bundle = JSON.parse(text) as EvidenceBundle;
    expect(bundle.event.id).toBe(event.id);
    expect(bundle.witnesses.length).toBeGreaterThan(0);
    const path = join(dataDir, 'bundle.json');
    writeFileSync(path, text);

    // No Redis and no network from here: the stack (and its embedded redis-server) is stopped.
    expect(await stack.stop()).toBe(0);
    stack = null;
    const offline = { REDIS_URL: '' };
    const good = await runCli(['verify', path], offline);
    expect(good.stdout).toContain('verified');
    expect(good.stdout).toMatch(/block\.started in IR-07: \d+ distinct agent\(s\) reproduce blocked/);
    expect(good.code).toBe(0);

    // One byte of the first witness: the last digit of its start time's year.
    const victim = bundle.witnesses[0]?.measurement.id as string;
    const start = text.indexOf(`"id":"${victim}"`);
    expect(start).toBeGreaterThanOrEqual(0);
    const field = text.indexOf('"start_time":"20', start);
    expect(field).toBeGreaterThan(start);
    const at = field + '"start_time":"202'.length;
    const flipped = text[at] === '9' ? '8' : '9';
    writeFileSync(path, `${text.slice(0, at)}${flipped}${text.slice(at + 1)}`);
    const bad = await runCli(['verify', path], offline);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`FAIL ${victim}: signature by agt_\\w+ does not match`));
    expect(bad.stdout).toContain('NOT verified');
  }, 1_000_000);
});
