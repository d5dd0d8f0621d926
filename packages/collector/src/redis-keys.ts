/** The collector's Redis keys, all under `rm:` beside the queues (packages/queue/src/queue-names.ts). */
export const COLLECTOR_KEYS = {
  /** Set of every enrolled agent id. */
  agents: 'rm:agents',
  /** Hash: one agent's public key, declared and observed network, revocation, counters. */
  agent: (agentId: string) => `rm:agent:${agentId}`,
  /** String (JSON label and expiry) under the SHA-256 of an enrolment token; the token itself is never stored. */
  enrolmentToken: (tokenHash: string) => `rm:enrol-token:${tokenHash}`,
  nonce: (agentId: string, nonce: string) => `rm:nonce:${agentId}:${nonce}`,
  /**
   * Set of the ids of accepted measurements that started in one UTC hour (`seenHourOf`); an id is
   * added only after its job was enqueued.
   */
  seenMeasurements: (hourBucket: string) => `rm:seen:${hourBucket}`,
  agentRate: (agentId: string) => `rm:rate:agent:${agentId}`,
  enrolmentRate: (address: string) => `rm:rate:enrol:${address}`,
} as const;

/**
 * The UTC hour (`2026-12-02T10`) whose "seen" set holds a measurement: from its start time (validated
 * before dedup), so a re-send finds the same set.
 */
export function seenHourOf(startTime: string): string {
  return new Date(Date.parse(startTime)).toISOString().slice(0, 13);
}
