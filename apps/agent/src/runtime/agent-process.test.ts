import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { inspectSpool, Spool } from '@reachmap/agent';
import {
  type CollectorFixture,
  type EnrolledAgent,
  enrolTestAgent,
  type LoopbackNetwork,
  SLOW_TARGET_ID,
  startCollectorFixture,
  startLoopbackNetwork,
} from '@reachmap/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '..', 'main.ts');

let network: LoopbackNetwork;
let collector: CollectorFixture;
let agent: EnrolledAgent;

beforeAll(async () => {
  network = await startLoopbackNetwork();
  collector = await startCollectorFixture(network.catalogue);
  agent = await enrolTestAgent(collector);
});

afterAll(async () => {
  await agent?.remove();
  await collector?.close();
  await network?.close();
});

interface AgentProcess {
  child: ChildProcess;
  /** Resolves with the first log line whose `msg` is `message`. */
  logged(message: string): Promise<Record<string, unknown>>;
}

function startAgentProcess(stateDir = agent.stateDir): AgentProcess {
  const child = spawn(process.execPath, [MAIN, 'run', '--state-dir', stateDir, '--shutdown-grace-s', '2'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const listeners: (() => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    lines.push(JSON.parse(line));
    for (const listener of listeners) listener();
  });
  return {
    child,
    logged: (message) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find((line) => line.msg === message);
          if (found !== undefined) resolve(found);
        };
        listeners.push(check);
        check();
        child.once('exit', () => reject(new Error(`agent exited before logging "${message}"`)));
      }),
  };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('reachmap-agent run', () => {
  it('loses nothing when killed with SIGKILL mid-submit, delivers each measurement once after a restart, and stops cleanly on SIGTERM', async () => {
    const { spool } = await Spool.open({ dir: join(agent.stateDir, 'spool') });
    const spooled = Array.from({ length: 3000 }, () => agent.measurement());
    for (let i = 0; i < spooled.length; i += 500) await spool.append(spooled.slice(i, i + 500));
    await spool.close();

    const first = startAgentProcess();
    await first.logged('batch delivered');
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    // Killed part-way: some of the spool was still waiting.
    expect((await inspectSpool(join(agent.stateDir, 'spool'))).pendingMeasurements).toBeGreaterThan(0);

    const second = startAgentProcess();
    await second.logged('round finished');
    const wanted = new Set(spooled.map((measurement) => measurement.id));
    await until(async () => {
      const ingested = new Set(await collector.ingestedIds());
      return [...wanted].every((id) => ingested.has(id));
    });
    await until(async () => (await inspectSpool(join(agent.stateDir, 'spool'))).pendingMeasurements === 0);

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);

    const ingested = await collector.ingestedIds();
    // Every id once across all ingest jobs, although a batch was in flight when the agent died.
    expect(ingested.length).toBe(new Set(ingested).size);
    // Each process measured a round right after starting (4 targets for an agent in RU); the first
    // round completed before the kill, so at least its measurements arrived too. (The second may be
    // cut short by the SIGTERM: a partial round is spooled and delivered, never padded.)
    const roundMeasurements = ingested.length - 3000;
    expect(roundMeasurements).toBeGreaterThanOrEqual(4);
  });

  // Found 2026-12-04: an operator's SSH session dropping killed `reachmap-agent run` mid-round.
  it('stops in order when its terminal goes away: SIGHUP with nobody reading its output', async () => {
    const agentProcess = startAgentProcess();
    await agentProcess.logged('agent started');
    agentProcess.child.stdout?.destroy();
    agentProcess.child.kill('SIGHUP');
    const [code, signal] = await once(agentProcess.child, 'exit');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});

describe('reachmap-agent run beside a slow target', () => {
  let slowNetwork: LoopbackNetwork;
  let slowCollector: CollectorFixture;
  let slowAgent: EnrolledAgent;

  beforeAll(async () => {
    slowNetwork = await startLoopbackNetwork({ slowTarget: true });
    slowCollector = await startCollectorFixture(slowNetwork.catalogue, {
      interval_s: 5,
      jitter_s: 0,
      round_deadline_s: 30,
      concurrency: 4,
    });
    slowAgent = await enrolTestAgent(slowCollector);
  });

  afterAll(async () => {
    await slowAgent?.remove();
    await slowCollector?.close();
    await slowNetwork?.close();
  });

  // Found 2026-12-05 in the lab (youtube-slow-everywhere): a target throttled everywhere made every
  // round as long as its suite, so the other targets were measured at that pace instead of the interval.
  it('keeps the interval for the other targets and measures the slow one back to back', async () => {
    const agentProcess = startAgentProcess(slowAgent.stateDir);
    await agentProcess.logged('agent started');
    const slowOnes = async () =>
      (await slowCollector.ingested()).filter((measurement) => measurement.target.id === SLOW_TARGET_ID);
    // Three slow suites of ~11 s each, so two gaps between them.
    await until(async () => (await slowOnes()).length >= 3, 60_000);
    agentProcess.child.kill('SIGTERM');
    const [code] = await once(agentProcess.child, 'exit');
    expect(code).toBe(0);

    const measurements = await slowCollector.ingested();
    const startsOf = (target: string) =>
      measurements
        .filter((measurement) => measurement.target.id === target)
        .map((measurement) => Date.parse(measurement.start_time))
        .sort((a, b) => a - b);
    const gaps = (starts: number[]) =>
      starts.slice(1).map((start, index) => start - (starts[index] as number));
    const slow = measurements.filter((measurement) => measurement.target.id === SLOW_TARGET_ID);
    const whatsappGaps = gaps(startsOf('whatsapp'));
    const slowGaps = gaps(startsOf(SLOW_TARGET_ID));
    const seen = { whatsappGaps, slowGaps };

    // Every 5 s while the slow suite takes 10 s: one round waiting for it would make this 10 s.
    expect(whatsappGaps.length, JSON.stringify(seen)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...whatsappGaps), JSON.stringify(seen)).toBeLessThan(7_500);
    // Its own pace: the next suite starts as the previous ends (~11 s), not at the next whole interval (15 s).
    expect(slowGaps.length, JSON.stringify(seen)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...slowGaps), JSON.stringify(seen)).toBeLessThan(14_000);
    // A suite that waited for the previous one is not cut by a deadline that ran while it waited.
    for (const measurement of slow) {
      expect(measurement.observations.tls[0]?.failure).not.toBe('interrupted');
    }
  }, 90_000);
});
