import { exportPublicKey, generateAgentKeyPair, signRequest } from '@reachmap/agent-auth';
import { createEnrolmentToken } from '@reachmap/collector';
import type { RedisClient } from '@reachmap/queue';
import type { AgentId } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';

/**
 * Enrols one agent through the collector's HTTP API and submits a signed batch of one measurement, as
 * a real agent does; `headers` go with the submission (a W3C `traceparent`, say). Returns the status.
 */
export async function enrolAndSubmit(
  collectorUrl: string,
  redis: RedisClient,
  headers: Record<string, string> = {},
): Promise<number> {
  const keys = generateAgentKeyPair();
  const { token } = await createEnrolmentToken(redis, { label: 'observability test', expiresInMs: 60_000 });
  const enrolled = await fetch(`${collectorUrl}/v1/agents/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      public_key: exportPublicKey(keys.publicKey),
      network: { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' },
      software: { name: 'reachmap-agent', version: '0.1.0' },
    }),
  });
  if (enrolled.status !== 201)
    throw new Error(`enrolment answered ${enrolled.status}: ${await enrolled.text()}`);
  const agentId = ((await enrolled.json()) as { agent_id: AgentId }).agent_id;
  const measurement = sampleMeasurement({
    start_time: new Date(Date.now() - 60_000).toISOString(),
    agent: { id: agentId, software: { name: 'reachmap-agent', version: '0.1.0' } },
  });
  const body = Buffer.from(JSON.stringify({ measurements: [measurement] }));
  const submitted = await fetch(`${collectorUrl}/v1/measurements`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...headers,
      ...signRequest({ method: 'POST', path: '/v1/measurements', body }, agentId, keys.privateKey),
    },
    body,
  });
  await submitted.arrayBuffer();
  return submitted.status;
}
