import type { KeyObject } from 'node:crypto';
import { signRequest } from '@reachmap/agent-auth';
import { enrolOverHttp, overFetch } from '@reachmap/collector/testing/enrol-over-http';
import type { RedisClient } from '@reachmap/queue';
import type { AgentId, AgentNetwork, Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';

export interface EnrolledAgent {
  id: AgentId;
  /** Its signing key, for sending through the agent's own submitter. */
  privateKey: KeyObject;
  /** Signs and posts a batch as the agent does; `headers` go along (a W3C `traceparent`, say). Returns the status. */
  submit(measurements: Measurement[], headers?: Record<string, string>): Promise<number>;
}

/** Enrols one agent through the collector's HTTP API with a fresh key and enrolment token. */
export async function enrolAgent(
  collectorUrl: string,
  redis: RedisClient,
  network: AgentNetwork = { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' },
): Promise<EnrolledAgent> {
  const { keys, enrolment } = await enrolOverHttp(overFetch(collectorUrl), redis, network, {
    label: 'observability test',
  });
  const id = enrolment.agent_id;
  return {
    id,
    privateKey: keys.privateKey,
    async submit(measurements, headers = {}) {
      const body = Buffer.from(JSON.stringify({ measurements }));
      const submitted = await fetch(`${collectorUrl}/v1/measurements`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...signRequest({ method: 'POST', path: '/v1/measurements', body }, id, keys.privateKey),
        },
        body,
      });
      await submitted.arrayBuffer();
      return submitted.status;
    },
  };
}

/** Enrols an agent and submits one sample measurement; returns the submission's status. */
export async function enrolAndSubmit(
  collectorUrl: string,
  redis: RedisClient,
  headers: Record<string, string> = {},
): Promise<number> {
  const agent = await enrolAgent(collectorUrl, redis);
  const measurement = sampleMeasurement({
    start_time: new Date(Date.now() - 60_000).toISOString(),
    agent: { id: agent.id, software: { name: 'reachmap-agent', version: '0.1.0' } },
  });
  return await agent.submit([measurement], headers);
}
