import { type AgentKeyPair, exportPublicKey, generateAgentKeyPair } from '@reachmap/agent-auth';
import type { RedisClient } from '@reachmap/queue';
import { type AgentNetwork, EnrollResponse } from '@reachmap/schema';
import { createEnrolmentToken } from '../admin/create-token.ts';

/** How the caller reaches the collector: `fetch` on a URL, or a Hono app's in-process `request`. */
export type CollectorRequest = (path: string, init: RequestInit) => Promise<Response>;

export class EnrolmentRefusedError extends Error {
  override readonly name = 'EnrolmentRefusedError';
}

export interface EnrolledOverHttp {
  keys: AgentKeyPair;
  enrolment: EnrollResponse;
}

/**
 * Enrols one agent the way a real agent does: a fresh Ed25519 key pair, a one-time token (made here
 * unless given) and `POST /v1/agents/enroll`. One owner for the tests, the Prometheus tests and the
 * benchmarks, which all need real enrolled agents.
 */
export async function enrolOverHttp(
  request: CollectorRequest,
  redis: RedisClient,
  network: AgentNetwork,
  options: { label: string; token?: string; tokenLifetimeMs?: number },
): Promise<EnrolledOverHttp> {
  const keys = generateAgentKeyPair();
  const token =
    options.token ??
    (
      await createEnrolmentToken(redis, {
        label: options.label,
        expiresInMs: options.tokenLifetimeMs ?? 60_000,
      })
    ).token;
  const response = await request('/v1/agents/enroll', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      public_key: exportPublicKey(keys.publicKey),
      network,
      software: { name: 'reachmap-agent', version: '0.1.0' },
    }),
  });
  if (response.status !== 201) {
    throw new EnrolmentRefusedError(`enrolment answered ${response.status}: ${await response.text()}`);
  }
  return { keys, enrolment: EnrollResponse.parse(await response.json()) };
}

/** A `CollectorRequest` for a collector listening at `baseUrl`. */
export function overFetch(baseUrl: string): CollectorRequest {
  return (path, init) => fetch(`${baseUrl}${path}`, init);
}
