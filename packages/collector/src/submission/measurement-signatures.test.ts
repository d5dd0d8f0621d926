import { generateAgentKeyPair, signMeasurement } from '@reachmap/agent-auth';
import { SubmissionResult } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent, type Harness, startHarness, type TestAgent } from '../testing/collector-harness.ts';

let harness: Harness;
let agent: TestAgent;
beforeAll(async () => {
  harness = await startHarness();
  agent = await enrolAgent(harness.build(), harness.redis);
});
afterAll(async () => await harness.close());

describe('per-measurement signatures on submission', () => {
  it('queues each signature that verifies over the accepted measurement, and only those', async () => {
    const [signed, forged, unsigned] = [agent.measurement(), agent.measurement(), agent.measurement()];
    const stranger = generateAgentKeyPair().privateKey;
    const response = await agent.send('POST', '/v1/measurements', {
      measurements: [signed, forged, unsigned],
      // Only the first two are signed; the second by a key that is not the agent's.
      signatures: [signMeasurement(signed, agent.keys.privateKey), signMeasurement(forged, stranger)],
    });
    expect(response.status).toBe(202);
    // The batch's own signature stands: every measurement is accepted, signed or not.
    const result = SubmissionResult.parse(await response.json());
    expect(result.accepted).toHaveLength(3);
    // Only the signature that verifies travels with the job, for the aggregator's evidence store;
    // nothing per measurement is written to Redis beside the job.
    const job = await harness.queue.getJob(result.batch_id);
    expect(job?.data.signatures).toEqual({ [signed.id]: signMeasurement(signed, agent.keys.privateKey) });
    expect(await harness.redis.keys('rm:msm-sig:*')).toEqual([]);
  });
});
