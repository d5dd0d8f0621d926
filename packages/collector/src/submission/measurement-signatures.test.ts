import { exportPublicKey, generateAgentKeyPair, signMeasurement } from '@reachmap/agent-auth';
import { type Measurement, SubmissionResult } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent, type Harness, startHarness, type TestAgent } from '../testing/collector-harness.ts';
import { submittedMeasurementSignatures } from './measurement-signatures.ts';

let harness: Harness;
let agent: TestAgent;
beforeAll(async () => {
  harness = await startHarness();
  agent = await enrolAgent(harness.build(), harness.redis);
});
afterAll(async () => await harness.close());

describe('per-measurement signatures on submission', () => {
  it('queues each well-formed signature, verifying the first, and no malformed one', async () => {
    const [signed, forged, unsigned, garbled] = [1, 2, 3, 4].map(() => agent.measurement()) as [
      Measurement,
      Measurement,
      Measurement,
      Measurement,
    ];
    const stranger = generateAgentKeyPair().privateKey;
    const response = await agent.send('POST', '/v1/measurements', {
      measurements: [signed, forged, garbled, unsigned],
      // The second is signed by a key that is not the agent's, the third is not a signature at all,
      // the fourth is unsigned.
      signatures: [
        signMeasurement(signed, agent.keys.privateKey),
        signMeasurement(forged, stranger),
        'not-a-signature',
      ],
    });
    expect(response.status).toBe(202);
    // The batch's own signature stands: every measurement is accepted, signed or not.
    const result = SubmissionResult.parse(await response.json());
    expect(result.accepted).toHaveLength(4);
    // The first verified, so the well-formed ones travel with the job; the forged one is only found
    // out where it would be shown (evidence bundles verify each signature). Nothing per measurement is
    // written to Redis beside the job.
    const job = await harness.queue.getJob(result.batch_id);
    expect(job?.data.signatures).toEqual({
      [signed.id]: signMeasurement(signed, agent.keys.privateKey),
      [forged.id]: signMeasurement(forged, stranger),
    });
    expect(await harness.redis.keys('rm:msm-sig:*')).toEqual([]);
  });

  it("keeps none of a batch whose first signature does not verify with the agent's key", async () => {
    const [forged, signed] = [agent.measurement(), agent.measurement()];
    const response = await agent.send('POST', '/v1/measurements', {
      measurements: [forged, signed],
      signatures: [
        signMeasurement(forged, generateAgentKeyPair().privateKey),
        signMeasurement(signed, agent.keys.privateKey),
      ],
    });
    expect(response.status).toBe(202);
    const result = SubmissionResult.parse(await response.json());
    expect(result.accepted).toEqual([forged.id, signed.id]);
    expect((await harness.queue.getJob(result.batch_id))?.data.signatures ?? {}).toEqual({});
  });

  it('still names every malformed signature after the canary failed', () => {
    const [forged, garbled, signed, alsoGarbled] = [1, 2, 3, 4].map(() => agent.measurement()) as [
      Measurement,
      Measurement,
      Measurement,
      Measurement,
    ];
    const measurements = [forged, garbled, signed, alsoGarbled];
    const result = submittedMeasurementSignatures(
      exportPublicKey(agent.keys.publicKey),
      {
        measurements,
        signatures: [
          signMeasurement(forged, generateAgentKeyPair().privateKey),
          'not-a-signature',
          signMeasurement(signed, agent.keys.privateKey),
          'x'.repeat(87),
        ],
      },
      measurements,
    );
    expect(result).toEqual({
      signatures: {},
      malformed: [garbled.id, alsoGarbled.id],
      failedCanary: forged.id,
    });
  });
});
