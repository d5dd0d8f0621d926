/** The collector's Redis keys, all under `rm:` beside the queues (packages/queue/src/queue-names.ts). */
export const COLLECTOR_KEYS = {
  /** Set of every enrolled agent id. */
  agents: 'rm:agents',
  /** Hash: one agent's public key, declared and observed network, revocation, counters. */
  agent: (agentId: string) => `rm:agent:${agentId}`,
  /** String (JSON label and expiry) under the SHA-256 of an enrolment token; the token itself is never stored. */
  enrolmentToken: (tokenHash: string) => `rm:enrol-token:${tokenHash}`,
  nonce: (agentId: string, nonce: string) => `rm:nonce:${agentId}:${nonce}`,
  /** Marks a measurement id as accepted; set only after its job was enqueued. */
  seenMeasurement: (measurementId: string) => `rm:seen:${measurementId}`,
  /** String: the agent's signature of one accepted measurement, for evidence bundles (the API reads it). */
  measurementSignature: (measurementId: string) => `rm:msm-sig:${measurementId}`,
  agentRate: (agentId: string) => `rm:rate:agent:${agentId}`,
  enrolmentRate: (address: string) => `rm:rate:enrol:${address}`,
} as const;
