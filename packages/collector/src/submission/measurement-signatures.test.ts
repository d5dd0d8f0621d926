import { generateAgentKeyPair, signMeasurement } from '@reachmap/agent-auth';
import { SubmissionResult } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_KEYS } from '../redis-keys.ts';
import { enrolAgent, type Harness, startHarness, type TestAgent } from '../testing/collector-harness.ts';

let harness: Harness;
let agent: TestAgent;
beforeAll(async () => {
  harness = await startHarness();
  agent = await enrolAgent(harness.build(), harness.redis);
});
afterAll(async () => await harness.close());

describe('per-measurement signatures on submission', () => {
  it('keeps each signature that verifies over the accepted measurement, and only those', async () => {
    const [signed, forged, unsigned] = [agent.measurement(), agent.measurement(), agent.measurement()];
    const stranger = generateAgentKeyPair().privateKey;
    const response = await agent.send('POST', '/v1/measurements', {
      measurements: [signed, forged, unsigned],
      // Only the first two are signed; the second by a key that is not the agent's.
      signatures: [signMeasurement(signed, agent.keys.privateKey), signMeasurement(forged, stranger)],
    });
    expect(response.status).toBe(202);
    // The batch's own signature stands: every measurement is accepted, signed or not.
    expect(SubmissionResult.parse(await response.json()).accepted).toHaveLength(3);
    const kept = async (id: string) => await harness.redis.get(COLLECTOR_KEYS.measurementSignature(id));
    expect(await kept(signed.id)).toBe(signMeasurement(signed, agent.keys.privateKey));
    expect(await harness.redis.ttl(COLLECTOR_KEYS.measurementSignature(signed.id))).toBeGreaterThan(
      48 * 3600,
    );
    expect(await kept(forged.id)).toBeNull();
    expect(await kept(unsigned.id)).toBeNull();
  });
});
