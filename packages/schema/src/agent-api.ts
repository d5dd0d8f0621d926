import { z } from 'zod';
import { AgentId } from './ids.ts';
import { AgentNetwork } from './network.ts';

/** The agent ↔ collector contract (docs/api-agent.md). Requests after enrolment are signed. */

export const AgentSoftware = z.object({
  name: z.string().min(1).max(64),
  version: z.string().min(1).max(32),
});

export const EnrollRequest = z.object({
  /** One-time enrolment token from `reachmap admin token create`. */
  token: z.string().min(16).max(200),
  /** Base64url of the agent's raw 32-byte Ed25519 public key. */
  public_key: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'expected a base64url Ed25519 public key (43 characters)'),
  network: AgentNetwork,
  software: AgentSoftware,
  label: z.string().max(100).optional(),
  /**
   * Why the operator declared another network than the collector proposed (`NetworkProposal`);
   * absent when the declaration confirms the proposal or no proposal could be made.
   */
  network_override_reason: z.string().trim().min(3).max(300).optional(),
  /**
   * The agent's public address as a control endpoint echoed it (the agent's own view); recorded and
   * looked up beside the connecting address, never trusted over it (docs/security.md).
   */
  agent_address: z.ipv4().or(z.ipv6()).optional(),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const AgentSchedule = z.object({
  interval_s: z.number().int().min(5).max(86_400),
  jitter_s: z.number().int().min(0).max(3600),
  round_deadline_s: z.number().int().min(5).max(3600),
  concurrency: z.number().int().min(1).max(64),
});
export type AgentSchedule = z.infer<typeof AgentSchedule>;

export const AgentConfig = z.object({
  agent_id: AgentId,
  issued_at: z.iso.datetime(),
  schedule: AgentSchedule,
  /** The signed catalogue document (packages/targets validates and verifies it). */
  catalogue: z.record(z.string(), z.unknown()),
  /** How often the agent should fetch a fresh configuration. */
  refresh_s: z.number().int().min(30).max(86_400),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

/** The configuration with the collector's Ed25519 signature over its canonical JSON. */
export const SignedAgentConfig = z.object({
  config: AgentConfig,
  key_id: z.string().max(100),
  signature: z.string().max(200),
});
export type SignedAgentConfig = z.infer<typeof SignedAgentConfig>;

export const EnrollResponse = z.object({
  agent_id: AgentId,
  /** Base64url raw Ed25519 key the agent pins to verify every configuration it is sent. */
  collector_public_key: z.string(),
  config: SignedAgentConfig,
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** The collector's answer to a submission: what was taken, what it had already, what it refused. */
export const SubmissionResult = z.object({
  batch_id: z.string(),
  accepted: z.array(z.string()),
  duplicates: z.array(z.string()),
  rejected: z.array(
    z.object({
      index: z.number().int().min(0),
      id: z.string().nullable(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  ),
});
export type SubmissionResult = z.infer<typeof SubmissionResult>;

/** One error shape for every 4xx/5xx of the collector and the API. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** One address and what the collector's MaxMind-format database says about it (nulls: unknown). */
export const NetworkView = z.object({
  address: z.string().max(64),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable(),
  /** ISO 3166-2, from a City database's first subdivision (RU-MOW); null with Country/ASN databases. */
  region: z
    .string()
    .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/)
    .nullable()
    .default(null),
  asn: z.number().int().min(0).max(4_294_967_295).nullable(),
});
export type NetworkView = z.infer<typeof NetworkView>;

/**
 * `GET /v1/agents/network-proposal[?agent_address=A]`: the network the collector places the caller in,
 * from the address it connects from and the collector's MaxMind-format database; with `agent_address`
 * (the caller's public address as a control endpoint echoed it), that address looked up too.
 * `country`/`region`/`asn` are null when the collector has no database or it does not know the address.
 */
export const NetworkProposal = NetworkView.extend({
  source: z.enum(['geoip', 'none']),
  /** The agent's own view: `agent_address` looked up; null when not asked. */
  agent_view: NetworkView.nullable().default(null),
  /** Where an agent learns its public address (a reflector's `/address`); null: not configured. */
  address_echo_url: z.string().nullable().default(null),
});
export type NetworkProposal = z.infer<typeof NetworkProposal>;
