import type { KeyObject } from 'node:crypto';
import { signRequest } from '@reachmap/agent-auth';
import { enrolOverHttp, overFetch } from '@reachmap/collector/testing/enrol-over-http';
import type { RedisClient } from '@reachmap/queue';
import { type AgentNetwork, SubmissionResult } from '@reachmap/schema';
import type { AgentIdentity } from './round-measurements.ts';

/** An agent of the load: a real Ed25519 key, enrolled through the collector's enrolment route. */
export interface SimulatedAgent extends AgentIdentity {
  privateKey: KeyObject;
}

export class SubmissionFailedError extends Error {
  override name = 'SubmissionFailedError';
}

export async function enrolSimulatedAgent(
  collectorUrl: string,
  redis: RedisClient,
  network: AgentNetwork,
): Promise<SimulatedAgent> {
  const { keys, enrolment } = await enrolOverHttp(overFetch(collectorUrl), redis, network, {
    label: 'bench',
    tokenLifetimeMs: 3_600_000,
  });
  return { id: enrolment.agent_id, network, privateKey: keys.privateKey };
}

const MEASUREMENTS_PATH = '/v1/measurements';
const BACKPRESSURE_PAUSE_MS = 200;

/**
 * Signs and posts one gzip batch as the agent does. On 503 backpressure the bench pauses briefly and
 * re-sends (a real agent waits `Retry-After`, 30 s, which would only stretch the run); the number of
 * such answers is returned so the report can say whether backpressure was hit.
 */
export async function submitGzipBatch(
  collectorUrl: string,
  agent: SimulatedAgent,
  gzipBody: Buffer,
  expectedAccepted: number,
): Promise<{ backpressured: number }> {
  let backpressured = 0;
  for (;;) {
    const headers = signRequest(
      { method: 'POST', path: MEASUREMENTS_PATH, body: gzipBody },
      agent.id,
      agent.privateKey,
    );
    const response = await fetch(`${collectorUrl}${MEASUREMENTS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...headers },
      body: gzipBody,
    });
    if (response.status === 503) {
      await response.arrayBuffer();
      backpressured += 1;
      await new Promise((resolve) => setTimeout(resolve, BACKPRESSURE_PAUSE_MS));
      continue;
    }
    if (response.status !== 202) {
      throw new SubmissionFailedError(`submission answered ${response.status}: ${await response.text()}`);
    }
    const result = SubmissionResult.parse(await response.json());
    if (result.accepted.length !== expectedAccepted) {
      throw new SubmissionFailedError(
        `collector accepted ${result.accepted.length} of ${expectedAccepted}: ${JSON.stringify(result.rejected.slice(0, 2))}`,
      );
    }
    return { backpressured };
  }
}
