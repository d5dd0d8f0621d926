import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signMeasurement } from '@reachmap/agent-auth';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgentLogger } from '../runtime/agent-logger.ts';
import { Spool } from '../spool/spool.ts';
import { AgentStatusRecorder } from '../status/agent-status.ts';
import { type EnrolledAgent, enrolTestAgent } from '../testing/agent-under-test.ts';
import { type CollectorFixture, startCollectorFixture } from '../testing/collector-fixture.ts';
import { type LoopbackNetwork, startLoopbackNetwork } from '../testing/loopback-network.ts';
import { RejectedLog } from './rejected-log.ts';
import { Submitter } from './submitter.ts';

let network: LoopbackNetwork;
let collector: CollectorFixture;
let agent: EnrolledAgent;

beforeAll(async () => {
  network = await startLoopbackNetwork();
  collector = await startCollectorFixture(network.catalogue);
});

afterAll(async () => {
  await collector?.close();
  await network?.close();
});

beforeEach(async () => {
  agent = await enrolTestAgent(collector);
});

afterEach(async () => {
  await agent.remove();
});

function submitterFor(spool: Spool): Submitter {
  return new Submitter({
    collectorUrl: agent.identity.collector_url,
    caller: { agentId: agent.identity.agent_id, privateKey: agent.identity.privateKey },
    spool,
    rejectedLog: new RejectedLog(agent.stateDir),
    status: new AgentStatusRecorder(agent.stateDir),
    logger: createAgentLogger('silent'),
    backoff: { baseMs: 50, maxMs: 250 },
  });
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Submitter against a real collector', () => {
  it('delivers every measurement exactly once after the collector was down for a while', async () => {
    const { spool } = await Spool.open({ dir: join(agent.stateDir, 'spool') });
    const submitter = submitterFor(spool);
    const written = Array.from({ length: 1200 }, () => agent.measurement());
    await spool.append(written.slice(0, 600));

    await collector.stop();
    const outage = await submitter.submitOnce();
    expect(outage.kind).toBe('retry');

    const stop = new AbortController();
    const running = submitter.run(stop.signal);
    await spool.append(written.slice(600));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(spool.stats().pendingMeasurements).toBe(1200);
    await collector.restart();

    await until(() => spool.stats().pendingMeasurements === 0);
    stop.abort();
    await running;
    const ingested = (await collector.ingestedIds()).filter((id) => written.some((m) => m.id === id));
    expect(new Set(ingested).size).toBe(1200);
    expect(ingested).toHaveLength(1200);
    // Each measurement went with its own signature, which the collector verified and kept.
    for (const measurement of [written[0], written[1199]])
      expect(await collector.measurementSignature(measurement?.id ?? '')).toBe(
        signMeasurement(measurement, agent.identity.privateKey),
      );
    expect(
      (await readdir(join(agent.stateDir, 'spool'))).filter((name) => name.startsWith('segment-')),
    ).toEqual([]);
    await spool.close();
  });

  it('sends batches of at most 500 measurements', async () => {
    const { spool } = await Spool.open({ dir: join(agent.stateDir, 'spool') });
    const submitter = submitterFor(spool);
    await spool.append(Array.from({ length: 1100 }, () => agent.measurement()));
    const sizes: number[] = [];
    for (;;) {
      const outcome = await submitter.submitOnce();
      if (outcome.kind === 'idle') break;
      if (outcome.kind === 'delivered') sizes.push(outcome.measurements);
    }
    expect(sizes).toEqual([500, 500, 100]);
    await spool.close();
  });

  it('counts what a full spool dropped and reports it to the collector in spool_dropped', async () => {
    const { spool } = await Spool.open({
      dir: join(agent.stateDir, 'spool'),
      maxBytes: 60_000,
      segmentBytes: 8_000,
    });
    const written = Array.from({ length: 200 }, () => agent.measurement());
    for (const measurement of written) await spool.append([measurement]);
    const dropped = spool.droppedReport()?.count ?? 0;
    expect(dropped).toBeGreaterThan(0);

    const submitter = submitterFor(spool);
    while ((await submitter.submitOnce()).kind !== 'idle') {}
    expect(spool.droppedReport()).toBeNull();
    const record = (await collector.agents()).find((candidate) => candidate.id === agent.identity.agent_id);
    expect(record?.spool_dropped_total).toBe(dropped);
    const ingested = new Set(await collector.ingestedIds());
    const delivered = written.filter((measurement) => ingested.has(measurement.id));
    expect(delivered).toHaveLength(200 - dropped);
    // Oldest first: the survivors are the newest measurements.
    expect(delivered).toEqual(written.slice(dropped));
    await spool.close();
  });

  it('keeps measurements the collector rejected in rejected/ with its reasons, and moves on', async () => {
    const { spool } = await Spool.open({ dir: join(agent.stateDir, 'spool') });
    const good = agent.measurement();
    const foreign = {
      ...agent.measurement(),
      agent: { id: 'agt_0000000000000000someoneelse', software: good.agent.software },
    };
    await spool.append([good, foreign]);
    const outcome = await submitterFor(spool).submitOnce();
    expect(outcome).toEqual({ kind: 'delivered', measurements: 2 });
    expect(spool.stats().pendingMeasurements).toBe(0);
    const [file] = await readdir(join(agent.stateDir, 'rejected'));
    const entries = (await readFile(join(agent.stateDir, 'rejected', file ?? ''), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries).toHaveLength(1);
    expect(entries[0].measurement.id).toBe(foreign.id);
    expect(entries[0].errors[0].path).toMatch(/agent\/id/);
    await spool.close();
  });
});
