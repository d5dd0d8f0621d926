import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Spool } from '@reachmap/agent';
import {
  type CollectorFixture,
  type EnrolledAgent,
  enrolTestAgent,
  type LoopbackNetwork,
  startCollectorFixture,
  startLoopbackNetwork,
} from '@reachmap/agent/testing';
import { classifyMeasurement } from '@reachmap/classifier';
import { type Measurement, MeasurementV1 } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLabAgentCli } from './lab-agent-cli.ts';

const LAB_AGENT_MAIN = join(import.meta.dirname, '..', 'runner', 'lab-agent-main.ts');

let network: LoopbackNetwork;
let collector: CollectorFixture;
let agent: EnrolledAgent;
let caFile: string;

beforeAll(async () => {
  network = await startLoopbackNetwork();
  collector = await startCollectorFixture(network.catalogue);
  agent = await enrolTestAgent(collector);
  caFile = join(agent.stateDir, 'lab-ca.pem');
  await writeFile(caFile, network.caPem);
});

afterAll(async () => {
  await agent?.remove();
  await collector?.close();
  await network?.close();
});

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLabAgentCli([...args, '--state-dir', agent.stateDir], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {},
  });
  return { code, out, err: err.join('\n') };
}

/** The service measurement of `target` judged with the controls its round lists, as the aggregator does. */
function verdictFor(measurements: readonly Measurement[], target: string) {
  const measurement = measurements.find((candidate) => candidate.target.id === target);
  if (measurement === undefined) throw new Error(`no ${target} measurement`);
  const controls = measurements.filter((candidate) => measurement.round.controls.includes(candidate.id));
  return { measurement, verdict: classifyMeasurement({ measurement, controls }) };
}

describe('the lab agent --lie (lies injected into the agent library from the lab)', () => {
  it.each(['once', 'run'])('%s refuses --lie without --simulated, naming why', async (command) => {
    const result = await cli(command, '--lie', 'signal=blocked');
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      '--lie is for the censorship lab and needs --simulated: a real agent never fabricates results',
    );
  });

  it('refuses a status the agent cannot fabricate', async () => {
    const result = await cli('once', '--simulated', '--lie', 'signal=ok');
    expect(result.code).toBe(2);
    expect(result.err).toContain('the agent can fabricate only blocked, throttled, stalled, not "ok"');
  });

  it('once reports the fabricated transfers instead of the measured ones', async () => {
    const honest = await cli('once', '--simulated', '--target', 'signal', '--json', '--ca-file', caFile);
    expect(honest.code).toBe(0);
    const honestSignal = verdictFor(
      honest.out.map((line) => MeasurementV1.parse(JSON.parse(line))),
      'signal',
    );
    expect(honestSignal.verdict.status).toBe('ok');
    // Honest: the suite's 2 connections, each delivering all 65,536 bytes. (Not a goodput bound: on a
    // loaded machine a loopback transfer of 64 KiB can take long enough to look slow.)
    const honestTransfers = honestSignal.measurement.observations.throughput;
    expect(honestTransfers.map((run) => [run.bytes, run.failure])).toEqual([
      [65_536, null],
      [65_536, null],
    ]);

    const lying = await cli(
      'once',
      '--simulated',
      '--lie',
      'signal=throttled',
      '--target',
      'signal',
      '--json',
      '--ca-file',
      caFile,
    );
    expect(lying.code).toBe(0);
    expect(lying.err).toContain('lab agent lying (--lie): signal is reported as throttled, fabricated');
    const measurements = lying.out.map((line) => MeasurementV1.parse(JSON.parse(line)));
    const { measurement } = verdictFor(measurements, 'signal');
    expect(measurement.source.kind).toBe('simulated');
    // Honestly 2 fast transfers; reported as 5 flat ones near 128 kbit/s. (The loopback catalogue has
    // no control transfer to compare them with, so here the classifier can only say `insufficient`;
    // fabricate-lie.test.ts shows the throttled verdict with the lab's control transfers.)
    const transfers = measurement.observations.throughput;
    expect(transfers).toHaveLength(5);
    for (const run of transfers) {
      expect(run.goodput_bps).toBeGreaterThan(120_000);
      expect(run.goodput_bps).toBeLessThan(136_000);
    }
    // The controls of the round are measured honestly.
    const controls = measurements.filter((candidate) => candidate.target.kind === 'control');
    expect(controls.length).toBeGreaterThan(0);
    expect(
      controls.every((control) => control.observations.tcp.every((connect) => connect.failure === null)),
    ).toBe(true);
  });

  it('run logs that it lies at startup and spools a fabricated measurement the classifier judges blocked', async () => {
    // With the collector down the round stays in the spool, where the test can read what would be submitted.
    await collector.stop();
    const child = spawn(
      process.execPath,
      [
        LAB_AGENT_MAIN,
        'run',
        '--state-dir',
        agent.stateDir,
        '--simulated',
        '--lie',
        'signal=blocked',
        '--ca-file',
        caFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const lines: Record<string, unknown>[] = [];
    const roundFinished = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(JSON.parse(line));
        if (lines.at(-1)?.msg === 'round finished') resolve();
      });
      child.once('exit', (code) => reject(new Error(`agent exited with ${code} before a round finished`)));
    });
    await roundFinished;
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stderr).toContain('warning: lab agent lying (--lie): signal is reported as blocked, fabricated');

    const { spool } = await Spool.open({ dir: join(agent.stateDir, 'spool') });
    const batch = await spool.nextBatch(1000, 10 * 1024 * 1024);
    await spool.close();
    const measurements = (batch?.lines ?? []).map((line) => MeasurementV1.parse(JSON.parse(line)));
    const { measurement, verdict } = verdictFor(measurements, 'signal');
    expect(measurement.observations.tcp.length).toBeGreaterThan(0);
    expect(measurement.observations.tcp.every((connect) => connect.failure === 'connection_reset')).toBe(
      true,
    );
    expect([verdict.status, verdict.layer, verdict.method]).toEqual(['blocked', 'tcp', 'reset']);
  }, 60_000);
});
