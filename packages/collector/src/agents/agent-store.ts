import type { RedisClient } from '@reachmap/queue';
import { AgentId, AgentNetwork, AgentSoftware } from '@reachmap/schema';
import { z } from 'zod';
import { COLLECTOR_KEYS } from '../redis-keys.ts';

/** What the GeoIP database says about an agent's source address, kept beside what it declared. */
export const ObservedNetwork = z.object({
  address: z.string(),
  country: z.string().nullable(),
  asn: z.number().int().nullable(),
  /** True when the observation contradicts the declared country or ASN. */
  mismatch: z.boolean(),
  observed_at: z.iso.datetime(),
});
export type ObservedNetwork = z.infer<typeof ObservedNetwork>;

/**
 * The agent's own view at enrolment: the public address a control endpoint echoed to it, looked up in
 * the collector's database. The agent says it, so it is recorded and compared, never trusted.
 */
export const AgentOwnView = z.object({
  address: z.string(),
  country: z.string().nullable(),
  region: z.string().nullable(),
  asn: z.number().int().nullable(),
  /** False when it places the agent in another country or ASN than the connecting address does. */
  agrees: z.boolean(),
});
export type AgentOwnView = z.infer<typeof AgentOwnView>;

/** What the agent said about its program with its last configuration fetch (self-update). */
export const AgentUpdateReport = z.object({
  state: z.enum(['current', 'installed', 'refused', 'pinned', 'off', 'unavailable', 'failed']),
  reason: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,40}$/)
    .nullable(),
  reported_at: z.iso.datetime(),
});
export type AgentUpdateReport = z.infer<typeof AgentUpdateReport>;

export const AgentRecord = z.object({
  id: AgentId,
  public_key: z.string(),
  label: z.string().nullable(),
  token_label: z.string(),
  network: AgentNetwork,
  software: AgentSoftware,
  enrolled_at: z.iso.datetime(),
  revoked_at: z.iso.datetime().nullable(),
  last_seen_at: z.iso.datetime().nullable(),
  observed: ObservedNetwork.nullable(),
  spool_dropped_total: z.number().int().min(0),
  /** Enrolled by the lab or demo with a simulated token: its measurements must say `simulated`. */
  simulated: z.boolean(),
  /** The version the agent runs now (it changes with self-updates; `software` is the enrolled one). */
  running_version: z.string().nullable(),
  update: AgentUpdateReport.nullable(),
  /** The operator's reason for declaring another network than the collector proposed at enrolment. */
  network_override_reason: z.string().nullable(),
  agent_view: AgentOwnView.nullable(),
  /**
   * The operator's reason for not comparing the connecting address's country with the measurements
   * (an agent that uploads through a VPN or Tor exit abroad); the address is still observed.
   */
  address_exemption: z.string().nullable(),
});
export type AgentRecord = z.infer<typeof AgentRecord>;

const JSON_FIELDS = new Set(['network', 'software', 'observed', 'simulated', 'update', 'agent_view']);

/**
 * The spool-loss counter saturates here instead of leaving JavaScript's exact integers: a counter
 * above 2^53 (HINCRBY happily goes to 2^63) once made every read of the agent throw.
 */
const MAX_SPOOL_DROPPED_TOTAL = Number.MAX_SAFE_INTEGER;

function spoolDroppedTotalOf(stored: string): number {
  const total = Number(stored);
  if (Number.isNaN(total) || total < 0) return 0;
  return Math.min(Math.trunc(total), MAX_SPOOL_DROPPED_TOTAL);
}

function toHash(record: Partial<AgentRecord>): Record<string, string> {
  const hash: Record<string, string> = {};
  for (const [field, value] of Object.entries(record)) {
    // Absent fields read back as null, so a null is simply not written.
    if (value === undefined || value === null) continue;
    hash[field] = JSON_FIELDS.has(field) ? JSON.stringify(value) : String(value);
  }
  return hash;
}

function fromHash(hash: Record<string, string>): AgentRecord {
  const decoded: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (JSON_FIELDS.has(field)) decoded[field] = JSON.parse(value);
    else if (field === 'spool_dropped_total') decoded[field] = spoolDroppedTotalOf(value);
    else decoded[field] = value;
  }
  const absent = {
    label: null,
    revoked_at: null,
    last_seen_at: null,
    observed: null,
    spool_dropped_total: 0,
    simulated: false,
    running_version: null,
    update: null,
    network_override_reason: null,
    agent_view: null,
    address_exemption: null,
  };
  return AgentRecord.parse({ ...absent, ...decoded });
}

/** A new agent; an address exemption is only ever granted later, by an operator. */
export async function saveNewAgent(
  redis: RedisClient,
  record: Omit<AgentRecord, 'address_exemption'>,
): Promise<void> {
  await redis.hset(COLLECTOR_KEYS.agent(record.id), toHash(record));
  await redis.sadd(COLLECTOR_KEYS.agents, record.id);
}

export async function findAgent(redis: RedisClient, agentId: string): Promise<AgentRecord | null> {
  const hash = await redis.hgetall(COLLECTOR_KEYS.agent(agentId));
  return Object.keys(hash).length === 0 ? null : fromHash(hash);
}

export async function listAgentRecords(redis: RedisClient): Promise<AgentRecord[]> {
  const ids = (await redis.smembers(COLLECTOR_KEYS.agents)).sort();
  const records = await Promise.all(ids.map((id) => findAgent(redis, id)));
  return records.filter((record): record is AgentRecord => record !== null);
}

/** Records a signed request: when the agent was last seen and, with GeoIP, where from. */
export async function recordAgentActivity(
  redis: RedisClient,
  agentId: string,
  activity: { seenAt: string; observed: ObservedNetwork | null; spoolDropped: number },
): Promise<void> {
  const key = COLLECTOR_KEYS.agent(agentId);
  await redis.hset(key, toHash({ last_seen_at: activity.seenAt, observed: activity.observed }));
  if (activity.spoolDropped <= 0) return;
  const total = await redis.hincrby(key, 'spool_dropped_total', activity.spoolDropped);
  if (total > MAX_SPOOL_DROPPED_TOTAL) await redis.hset(key, 'spool_dropped_total', MAX_SPOOL_DROPPED_TOTAL);
}

/** Records the running version and self-update state an agent reports with its configuration fetch. */
export async function recordAgentSoftware(
  redis: RedisClient,
  agentId: string,
  report: { runningVersion: string; update: AgentUpdateReport | null },
): Promise<void> {
  await redis.hset(
    COLLECTOR_KEYS.agent(agentId),
    toHash({ running_version: report.runningVersion, update: report.update }),
  );
}

/** Marks the agent revoked (keeping the first revocation time). False when no such agent exists. */
export async function markAgentRevoked(redis: RedisClient, agentId: string, at: string): Promise<boolean> {
  if ((await redis.exists(COLLECTOR_KEYS.agent(agentId))) === 0) return false;
  await redis.hsetnx(COLLECTOR_KEYS.agent(agentId), 'revoked_at', at);
  return true;
}

/** Sets (a reason) or clears (null) the agent's address exemption. False when no such agent exists. */
export async function setAddressExemption(
  redis: RedisClient,
  agentId: string,
  reason: string | null,
): Promise<boolean> {
  const key = COLLECTOR_KEYS.agent(agentId);
  if ((await redis.exists(key)) === 0) return false;
  if (reason === null) await redis.hdel(key, 'address_exemption');
  else await redis.hset(key, 'address_exemption', reason);
  return true;
}
