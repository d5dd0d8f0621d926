import { gzipSync } from 'node:zlib';
import { ErrorBody, type IngestJobData, SubmissionResult } from '@reachmap/schema';
import { sampleValue } from '@reachmap/telemetry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAgents } from '../admin/list-agents.ts';
import { revokeAgent } from '../admin/revoke-agent.ts';
import {
  enrolAgent,
  type Harness,
  startHarness,
  type TestAgent,
  type TestCollector,
} from '../testing/collector-harness.ts';

let harness: Harness;
let collector: TestCollector;
let agent: TestAgent;
beforeAll(async () => {
  harness = await startHarness();
  collector = harness.build();
  agent = await enrolAgent(collector, harness.redis);
});
afterAll(async () => await harness.close());
beforeEach(async () => await harness.queue.obliterate({ force: true }));

async function queuedJobs(): Promise<IngestJobData[]> {
  return (await harness.queue.getJobs(['waiting', 'delayed', 'active'])).map((job) => job.data);
}

async function errorCode(response: Response): Promise<string> {
  return ErrorBody.parse(await response.json()).error.code;
}

describe('POST /v1/measurements', () => {
  it('accepts a signed batch as one ingest job carrying the measurements', async () => {
    const measurements = [agent.measurement(), agent.measurement()];
    const response = await agent.send('POST', '/v1/measurements', { measurements });
    expect(response.status).toBe(202);
    const result = SubmissionResult.parse(await response.json());
    expect(result.accepted).toEqual(measurements.map((m) => m.id));
    expect(result.duplicates).toEqual([]);
    expect(result.rejected).toEqual([]);
    const jobs = await queuedJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ batch_id: result.batch_id, agent_id: agent.id, measurements });
    expect(jobs[0]?.trace).toBeTypeOf('object');
    const job = await harness.queue.getJob(result.batch_id);
    expect(job?.opts.attempts).toBeGreaterThan(1);
    expect(job?.opts.removeOnComplete).toBeTruthy();
    expect(job?.opts.removeOnFail).toBeTruthy();
  });

  it('answers a re-send with every id as a duplicate and enqueues nothing new', async () => {
    const batch = { measurements: [agent.measurement(), agent.measurement()] };
    expect((await agent.send('POST', '/v1/measurements', batch)).status).toBe(202);
    const again = SubmissionResult.parse(await (await agent.send('POST', '/v1/measurements', batch)).json());
    expect(again.accepted).toEqual([]);
    expect(again.duplicates.sort()).toEqual(batch.measurements.map((m) => m.id).sort());
    expect(await queuedJobs()).toHaveLength(1);
  });

  it('rejects, per item, measurements of another agent, from the future, or invalid, and keeps the rest', async () => {
    const good = agent.measurement();
    const spoofed = agent.measurement({
      agent: { id: 'agt_someoneelse000000000', software: good.agent.software },
    });
    const future = agent.measurement({ start_time: new Date(Date.now() + 3_600_000).toISOString() });
    future.end_time = future.start_time;
    const old = agent.measurement({ start_time: '2026-11-23T01:00:00.000Z' });
    old.end_time = old.start_time;
    const broken = { ...agent.measurement(), observations: { tcp: 'nope' } };
    const response = await agent.send('POST', '/v1/measurements', {
      measurements: [good, spoofed, future, broken, old],
    });
    expect(response.status).toBe(202);
    const result = SubmissionResult.parse(await response.json());
    expect(result.accepted).toEqual([good.id, old.id]);
    expect(result.rejected.map((item) => [item.index, item.id])).toEqual([
      [1, spoofed.id],
      [2, future.id],
      [3, broken.id],
    ]);
    expect(result.rejected[0]?.errors[0]?.path).toBe('/measurements/1/agent/id');
    expect(result.rejected[1]?.errors[0]?.path).toBe('/measurements/2/start_time');
    expect(result.rejected[2]?.errors.every((error) => error.path.startsWith('/measurements/3/'))).toBe(true);
    expect((await queuedJobs())[0]?.measurements.map((m) => m.id)).toEqual([good.id, old.id]);
  });

  it('enqueues nothing when every item is rejected', async () => {
    const response = await agent.send('POST', '/v1/measurements', { measurements: [{ schema_version: 9 }] });
    expect(response.status).toBe(202);
    expect(SubmissionResult.parse(await response.json()).rejected[0]?.errors[0]?.path).toBe(
      '/measurements/0/schema_version',
    );
    expect(await queuedJobs()).toHaveLength(0);
  });

  it('refuses a replayed request (same nonce) with 401', async () => {
    const body = Buffer.from(JSON.stringify({ measurements: [agent.measurement()] }));
    const headers = { 'content-type': 'application/json', ...agent.sign('POST', '/v1/measurements', body) };
    const first = await collector.request('/v1/measurements', { method: 'POST', headers, body });
    expect(first.status).toBe(202);
    const replay = await collector.request('/v1/measurements', { method: 'POST', headers, body });
    expect(replay.status).toBe(401);
    expect(await errorCode(replay)).toBe('nonce_replayed');
  });

  it('refuses a timestamp outside ±5 minutes, a tampered body and an unknown agent with 401', async () => {
    const stale = await agent.send(
      'POST',
      '/v1/measurements',
      { measurements: [agent.measurement()] },
      { signedAt: Date.now() - 600_000 },
    );
    expect([stale.status, await errorCode(stale)]).toEqual([401, 'signature_expired']);

    const body = Buffer.from(JSON.stringify({ measurements: [agent.measurement()] }));
    const headers = agent.sign('POST', '/v1/measurements', body);
    const tampered = await collector.request('/v1/measurements', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: Buffer.from(JSON.stringify({ measurements: [agent.measurement()] })),
    });
    expect([tampered.status, await errorCode(tampered)]).toEqual([401, 'signature_invalid']);

    const stranger = await agent.send(
      'POST',
      '/v1/measurements',
      { measurements: [] },
      { headers: { 'x-reachmap-agent': 'agt_nobody0000000000000' } },
    );
    expect([stranger.status, await errorCode(stranger)]).toEqual([401, 'unknown_agent']);

    const unsigned = await collector.request('/v1/measurements', { method: 'POST', body: '{}' });
    expect([unsigned.status, await errorCode(unsigned)]).toEqual([401, 'signature_missing']);
  });

  it('accepts a gzip body and refuses a gzip bomb with 413', async () => {
    const measurements = [agent.measurement()];
    const gzipped = await agent.send('POST', '/v1/measurements', { measurements }, { gzip: true });
    expect(gzipped.status).toBe(202);
    expect(SubmissionResult.parse(await gzipped.json()).accepted).toEqual([measurements[0]?.id]);

    // 30 MB of spaces compress to about 30 kB: small on the wire, far past the decompressed cap.
    const bomb = gzipSync(
      Buffer.concat([
        Buffer.from('{"measurements":['),
        Buffer.alloc(30 * 1024 ** 2, 0x20),
        Buffer.from(']}'),
      ]),
    );
    expect(bomb.byteLength).toBeLessThan(TEST_WIRE_LIMIT);
    const refused = await agent.send('POST', '/v1/measurements', bomb, {
      headers: { 'content-encoding': 'gzip' },
    });
    expect([refused.status, await errorCode(refused)]).toEqual([413, 'decoded_body_too_large']);
  });

  it('refuses bodies over the wire limit with 413', async () => {
    const small = harness.build({ limits: { maxWireBytes: 256 } });
    const body = Buffer.from(JSON.stringify({ measurements: [agent.measurement()] }));
    const response = await small.request('/v1/measurements', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...agent.sign('POST', '/v1/measurements', body) },
      body,
    });
    expect([response.status, await errorCode(response)]).toEqual([413, 'body_too_large']);
  });

  it('refuses every request of a revoked agent with 403', async () => {
    const doomed = await enrolAgent(collector, harness.redis);
    expect((await doomed.send('GET', '/v1/agents/me/config')).status).toBe(200);
    expect(await revokeAgent(harness.redis, doomed.id)).toEqual({ ok: true });
    const refused = await doomed.send('POST', '/v1/measurements', { measurements: [doomed.measurement()] });
    expect([refused.status, await errorCode(refused)]).toEqual([403, 'agent_revoked']);
    expect((await doomed.send('GET', '/v1/agents/me/config')).status).toBe(403);
  });

  it('answers 503 with Retry-After once the queue is deeper than the threshold', async () => {
    const pressed = harness.build({
      limits: { backpressure: { maxQueueDepth: 1, maxMemoryRatio: 0.95, retryAfterS: 42 } },
    });
    const first = await agent.send('POST', '/v1/measurements', { measurements: [agent.measurement()] });
    expect(first.status).toBe(202);
    const body = Buffer.from(JSON.stringify({ measurements: [agent.measurement()] }));
    const response = await pressed.request('/v1/measurements', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...agent.sign('POST', '/v1/measurements', body) },
      body,
    });
    expect([response.status, await errorCode(response)]).toEqual([503, 'backpressure']);
    expect(response.headers.get('retry-after')).toBe('42');
  });

  it('answers 429 with Retry-After past the per-agent rate', async () => {
    const limited = harness.build({ limits: { agentRequestsPerMinute: 2 } });
    const busy = await enrolAgent(limited, harness.redis);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const body = Buffer.from('');
      last = await limited.request('/v1/agents/me/config', {
        headers: busy.sign('GET', '/v1/agents/me/config', body),
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(last?.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('records spool drops on the agent and in the metrics', async () => {
    const dropper = await enrolAgent(collector, harness.redis);
    const spool_dropped = { count: 17, since: new Date(Date.now() - 3_600_000).toISOString() };
    expect(
      (
        await dropper.send('POST', '/v1/measurements', {
          measurements: [dropper.measurement()],
          spool_dropped,
        })
      ).status,
    ).toBe(202);
    const listed = (await listAgents(harness.redis)).find((a) => a.id === dropper.id);
    expect(listed?.spool_dropped_total).toBe(17);
    const metrics = await (await collector.request('/metrics')).text();
    expect(metrics).toContain(
      `reachmap_collector_spool_dropped_total{agent_id="${dropper.id}",role="collector"} 17`,
    );
    expect(metrics).toMatch(/reachmap_collector_measurements_accepted_total{role="collector"} [1-9]/);
    expect(metrics).toContain('reachmap_collector_request_duration_seconds_bucket');
    // Nothing consumes the harness's queue, so the accepted batch is still waiting.
    expect(metrics).toMatch(/reachmap_queue_jobs{queue="ingest",state="waiting",role="collector"} [1-9]/);
    expect(
      sampleValue(metrics, 'reachmap_queue_oldest_waiting_age_seconds', { queue: 'ingest' }),
    ).toBeGreaterThan(0);
    expect(metrics).toContain('reachmap_collector_admission_memory_ratio{role="collector"} 0.95');
    expect(metrics).toContain('process_resident_memory_bytes{role="collector"}');
    expect(metrics).toContain('nodejs_eventloop_lag_seconds{role="collector"}');
  });
});

const TEST_WIRE_LIMIT = 5 * 1024 ** 2;
