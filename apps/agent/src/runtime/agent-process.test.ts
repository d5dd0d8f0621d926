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

function startAgentProcess(): AgentProcess {
  const child = spawn(
    process.execPath,
    [MAIN, 'run', '--state-dir', agent.stateDir, '--shutdown-grace-s', '2'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
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
