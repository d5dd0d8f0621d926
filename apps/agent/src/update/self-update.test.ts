import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { enrollAgent } from '@reachmap/agent';
import {
  type CollectorFixture,
  type LoopbackNetwork,
  startCollectorFixture,
  startLoopbackNetwork,
} from '@reachmap/agent/testing';
import { unitLaunch } from '@reachmap/agent/unit-launch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentBundle } from '../../scripts/agent-bundle.ts';

const run = promisify(execFile);
const SCHEDULE = { interval_s: 300, jitter_s: 0, round_deadline_s: 30, concurrency: 4 };
const OLD = '0.1.0';
const NEW = '0.1.1';

/**
 * A path between agent and collector that can flip one byte of the program on its way: what a
 * compromised mirror or an intercepting proxy would do. Everything else passes unchanged.
 */
interface TamperingProxy {
  url: string;
  tamper: boolean;
  close(): Promise<void>;
}

async function startTamperingProxy(target: () => string): Promise<TamperingProxy> {
  const proxy = { tamper: false } as TamperingProxy;
  const server: Server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', target());
    const forward = httpRequest(url, { method: incoming.method, headers: incoming.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        const last = body.length - 2;
        if (proxy.tamper && url.pathname === '/agent/reachmap-agent.mjs')
          body[last] = (body[last] ?? 0) ^ 0x01;
        const { 'transfer-encoding': _chunked, ...headers } = answer.headers;
        outgoing.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': body.length });
        outgoing.end(body);
      });
    });
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}

/** Starts the program as the unit does and, like `Restart=always`, again whenever it exits 75. */
function superviseAgent(program: string, stateDir: string) {
  const launch = unitLaunch();
  const exits: (number | null)[] = [];
  let log = '';
  let child: ChildProcess;
  let stopping = false;
  const start = () => {
    child = spawn(process.execPath, [...launch.nodeArgs, program, 'run'], {
      env: { ...process.env, ...launch.environment, REACHMAP_AGENT_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.on('exit', (code) => {
      exits.push(code);
      if (code === 75 && !stopping) start();
    });
  };
  start();
  return {
    exits,
    log: () => log,
    pid: () => child.pid,
    async stop() {
      stopping = true;
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

let network: LoopbackNetwork;
let oldDist: string;
let newDist: string;
let collector: CollectorFixture;
let proxy: TamperingProxy;
let stateDir: string;
let programDir: string;

beforeAll(async () => {
  network = await startLoopbackNetwork();
  oldDist = await mkdtemp(join(tmpdir(), 'reachmap-update-old-'));
  newDist = await mkdtemp(join(tmpdir(), 'reachmap-update-new-'));
  await buildAgentBundle({ outDir: oldDist, version: OLD });
  await buildAgentBundle({ outDir: newDist, version: NEW });
  // Refreshes (and so update checks) every 30 s, the shortest the configuration schema allows.
  collector = await startCollectorFixture(network.catalogue, SCHEDULE, { agentDistDir: oldDist });
  proxy = await startTamperingProxy(() => collector.url);
  stateDir = await mkdtemp(join(tmpdir(), 'reachmap-update-state-'));
  programDir = await mkdtemp(join(tmpdir(), 'reachmap-update-program-'));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await collector?.close();
  await network?.close();
  for (const dir of [oldDist, newDist, stateDir, programDir])
    if (dir) await rm(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | null | false>, log: () => string): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within 90 s; the agent's log:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function status(program: string): Promise<{ version: string; update: Record<string, unknown> | null }> {
  const { stdout } = await run(process.execPath, [program, 'status', '--json', '--state-dir', stateDir]);
  return JSON.parse(stdout);
}

describe('signed self-update', () => {
  it('refuses a tampered program, then installs the signed one and measures with it', async () => {
    const program = join(programDir, 'reachmap-agent.mjs');
    await copyFile(join(oldDist, 'reachmap-agent.mjs'), program);
    const enrolled = await enrollAgent({
      stateDir,
      collectorUrl: proxy.url,
      token: await collector.createToken(),
      network: { country: 'RU', region: null, asn: 64500, network_type: 'fixed' },
      software: { name: 'reachmap-agent', version: OLD },
    });
    expect(enrolled.ok && enrolled.configProblem, JSON.stringify(enrolled)).toBeNull();
    const agent = superviseAgent(program, stateDir);
    try {
      const versions = async () => (await collector.ingested()).map((m) => m.agent.software.version);
      await until('measures with the old version', async () => (await versions()).includes(OLD), agent.log);
      await until(
        'finds itself current',
        async () => (await status(program)).update?.state === 'current',
        agent.log,
      );

      // The collector now serves a newer program, but it arrives altered on the way.
      proxy.tamper = true;
      await collector.serveAgent(newDist);
      const refused = await until(
        'refuses the tampered program',
        async () => {
          const report = await status(program);
          return report.update?.state === 'refused' ? report : null;
        },
        agent.log,
      );
      expect(refused.update).toMatchObject({ reason: 'hash_mismatch', served_version: NEW });
      expect(refused.version).toBe(OLD);
      const human = await run(process.execPath, [program, 'status', '--state-dir', stateDir]);
      expect(human.stdout).toMatch(
        /^update +refused \(collector serves 0\.1\.1\): hash_mismatch: SHA-256 is/m,
      );
      expect(await readFile(program)).toEqual(await readFile(join(oldDist, 'reachmap-agent.mjs')));
      await until(
        "shows the refusal in the collector's agent list",
        async () => (await collector.agents())[0]?.update?.reason === 'hash_mismatch',
        agent.log,
      );
      expect(agent.exits).toEqual([]);

      // The same program, unaltered: verified, swapped in, restarted, measuring as the new version.
      proxy.tamper = false;
      await until('measures with the new version', async () => (await versions()).includes(NEW), agent.log);
      expect(agent.exits).toEqual([75]);
      expect(await readFile(program)).toEqual(await readFile(join(newDist, 'reachmap-agent.mjs')));
      expect((await status(program)).version).toBe(NEW);
      const [record] = await until(
        "shows the new version in the collector's agent list",
        async () => {
          const agents = await collector.agents();
          return agents[0]?.running_version === NEW && agents[0].update?.state === 'current' ? agents : null;
        },
        agent.log,
      );
      expect(record?.software.version).toBe(OLD);
    } finally {
      await agent.stop();
    }
  }, 300_000);
});
