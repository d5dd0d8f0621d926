import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '@reachmap/targets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CensorRule } from '../scenario/censor-rule.ts';
import type { Scenario } from '../scenario/scenario-schema.ts';
import { canUseNamespaces } from './testing/can-use-namespaces.ts';
import { buildTopology, type Topology } from './topology.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./testing/${name}`, import.meta.url));

const TELEGRAM_DC = '198.18.2.3';
const scenario: Scenario = {
  name: 'topology-test',
  description: 'one region, two agents',
  duration: 60_000,
  interval: 10_000,
  regions: [{ id: 'RU-MOW', asn: 64500, agents: 2, censor: [] }],
  phases: [],
  expect: [{ noEvent: 'block.started', scope: 'RU' }],
};

async function output(child: ReturnType<Topology['runInNamespace']>): Promise<string> {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  await once(child, 'exit');
  return text;
}

describe.skipIf(!canUseNamespaces)('kernel topology (root)', () => {
  let topology: Topology;
  let agent: string;

  async function probe(request: object): Promise<Record<string, unknown>> {
    const text = await output(
      topology.runInNamespace(agent, [
        process.execPath,
        fixture('probe-fixture.ts'),
        JSON.stringify(request),
      ]),
    );
    return JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  }
  const censor = (rules: unknown[]) =>
    topology.applyCensor(
      0,
      rules.map((rule) => CensorRule.parse(rule)),
    );
  const download = {
    kind: 'download',
    ip: TELEGRAM_DC,
    port: 443,
    bytes: 1_048_576,
    maxDurationMs: 4_000,
    stallTimeoutMs: 2_000,
  };

  beforeAll(async () => {
    const catalogue = await loadCatalogue({ kind: 'lab' });
    topology = await buildTopology(scenario, catalogue);
    agent = topology.regions[0]?.agents[0]?.namespace ?? '';
    const world = topology.runInNamespace(topology.world, [
      process.execPath,
      fixture('world-fixture.ts'),
      JSON.stringify({ resolverIp: '198.18.0.2', httpIp: TELEGRAM_DC, zone: catalogue.dns_zone }),
    ]);
    await new Promise<void>((resolve, reject) => {
      world.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      world.once('exit', (code) => reject(new Error(`world fixture exited with ${code}`)));
    });
  }, 30_000);

  afterAll(() => {
    topology?.teardown();
  });

  it('connects, resolves and downloads when the censor has no rules', async () => {
    await censor([]);
    expect(await probe({ kind: 'tcp', ip: TELEGRAM_DC, port: 443, timeoutMs: 3_000 })).toMatchObject({
      failure: null,
    });
    const dns = await probe({ kind: 'dns', hostname: 'web.telegram.org.lab', timeoutMs: 3_000 });
    expect(dns).toMatchObject({ failure: null, answers: [{ value: '198.18.2.1' }] });
    const transfer = await probe(download);
    expect(transfer.bytes).toBe(1_048_576);
  }, 30_000);

  it('reset answers the SYN with a RST', async () => {
    await censor([{ match: { target: 'telegram' }, action: 'reset' }]);
    const tcp = await probe({ kind: 'tcp', ip: TELEGRAM_DC, port: 443, timeoutMs: 3_000 });
    expect(tcp.failure).toMatch(/connection_refused|connection_reset/);
  }, 30_000);

  it('drop blackholes the SYN until the timeout', async () => {
    await censor([{ match: { target: 'telegram' }, action: 'drop' }]);
    const tcp = await probe({ kind: 'tcp', ip: TELEGRAM_DC, port: 443, timeoutMs: 1_500 });
    expect(tcp.failure).toBe('generic_timeout_error');
  }, 30_000);

  it('stallAfter lets about 16 KiB through, then nothing', async () => {
    await censor([{ match: { target: 'telegram' }, action: { stallAfter: 16_384 } }]);
    const transfer = await probe(download);
    expect(transfer.bytes).toBeGreaterThan(4_000);
    expect(transfer.bytes).toBeLessThan(64 * 1024);
    expect(transfer.longest_stall_s).toBeGreaterThanOrEqual(1.5);
  }, 30_000);

  it('police caps goodput near the rate', async () => {
    await censor([{ match: { target: 'telegram' }, action: { police: '128kbit' } }]);
    const transfer = await probe(download);
    // Generous bound: a 128 kbit/s policer with a 16 KiB burst cannot average 512 kbit/s over 4 s.
    expect(transfer.goodput_bps).toBeGreaterThan(0);
    expect(transfer.goodput_bps).toBeLessThan(512_000);
    expect(transfer.bytes).toBeLessThan(1_048_576);
  }, 30_000);

  it('a line condition on every flow does not swallow a later filter: loss above a drop', async () => {
    await censor([
      { match: {}, action: { loss: '1%' } },
      { match: { target: 'telegram' }, action: 'drop' },
    ]);
    const tcp = await probe({ kind: 'tcp', ip: TELEGRAM_DC, port: 443, timeoutMs: 1_500 });
    expect(tcp.failure).toBe('generic_timeout_error');
  }, 30_000);

  it('a policer and a later stall act on the same flow', async () => {
    await censor([
      { match: { target: 'telegram' }, action: { police: '2mbit' } },
      { match: { target: 'telegram' }, action: { stallAfter: 16_384 } },
    ]);
    const transfer = await probe(download);
    expect(transfer.bytes).toBeGreaterThan(4_000);
    expect(transfer.bytes).toBeLessThan(64 * 1024);
  }, 30_000);

  it('dns nxdomain makes the ISP resolver deny the target names, other names resolve', async () => {
    await censor([{ match: { target: 'telegram' }, action: { dns: 'nxdomain' } }]);
    const blocked = await probe({ kind: 'dns', hostname: 'web.telegram.org.lab', timeoutMs: 3_000 });
    expect(blocked.failure).toBe('dns_nxdomain_error');
    const other = await probe({ kind: 'dns', hostname: 'e1.whatsapp.net.lab', timeoutMs: 3_000 });
    expect(other).toMatchObject({ failure: null, answers: [{ value: '198.18.1.1' }] });
  }, 30_000);

  it('a later DNS phase changes the answers of the running daemon, not starting another', async () => {
    const router = topology.regions[0]?.router ?? '';
    const daemonPids = () =>
      execFileSync('ip', ['netns', 'pids', router], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    await censor([{ match: { target: 'telegram' }, action: { dns: 'nxdomain' } }]);
    const before = daemonPids();
    expect(before).toHaveLength(1);
    await censor([{ match: { target: 'whatsapp' }, action: { dns: 'nxdomain' } }]);
    expect(daemonPids()).toEqual(before);
    const nowBlocked = await probe({ kind: 'dns', hostname: 'e1.whatsapp.net.lab', timeoutMs: 3_000 });
    expect(nowBlocked.failure).toBe('dns_nxdomain_error');
    const lifted = await probe({ kind: 'dns', hostname: 'web.telegram.org.lab', timeoutMs: 3_000 });
    expect(lifted.failure).toBeNull();
  }, 30_000);

  it('teardown removes every namespace of the run', () => {
    const runId = topology.runId;
    topology.teardown();
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`rl${runId}`);
    expect(execFileSync('ip', ['link', 'show'], { encoding: 'utf8' })).not.toContain(`rl${runId}`);
  });
});

describe.skipIf(!canUseNamespaces)('topology cleanup on SIGINT (root)', () => {
  it('a process building a topology leaves no namespace behind when interrupted', async () => {
    const child = spawn(process.execPath, [fixture('build-and-wait.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    await expect.poll(() => text, { timeout: 20_000 }).toMatch(/built rl[0-9a-f]{6}/);
    const runId = /built (rl[0-9a-f]{6})/.exec(text)?.[1] ?? 'missing';
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(runId);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(130);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(runId);
  }, 30_000);
});
