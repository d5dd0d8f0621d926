import type { KeyObject } from 'node:crypto';
import { importPublicKey, verifyMeasurementSignature } from '@reachmap/agent-auth';
import { COLLECTOR_KEYS } from '@reachmap/collector/redis-keys';
import type { EvidenceEntry, EvidenceStore } from '@reachmap/evidence';
import type { RedisClient } from '@reachmap/queue';
import { AgentNetwork, EVIDENCE_BUNDLE_FORMAT, type EvidenceBundle, type ScopeEvent } from '@reachmap/schema';
import { type Catalogue, catalogueVersionTag } from '@reachmap/targets';
import { eventOfEntry, eventStreamKeys } from './stream-entry.ts';

/** How far back an event is looked up per partition (the streams are capped near this anyway). */
const EVENT_LOOKUP_ENTRIES = 100_000;
const LOOKUP_PAGE = 1000;

// The collector's keys this module reads: the agent records. Each measurement's signature by its agent
// is kept beside it in the evidence store, checked only for form on the way in: it is verified here,
// where it is shown.

/** An event by id, scanning each partition's stream from the newest entry back. */
export async function findEvent(
  redis: RedisClient,
  partitions: number,
  id: string,
): Promise<ScopeEvent | null> {
  for (const key of eventStreamKeys(partitions)) {
    let end = '+';
    for (let scanned = 0; scanned < EVENT_LOOKUP_ENTRIES; scanned += LOOKUP_PAGE) {
      const entries = await redis.xrevrange(key, end, '-', 'COUNT', LOOKUP_PAGE);
      for (const [, fields] of entries) {
        // The entry's `id` field names the event without parsing its JSON.
        const idAt = fields.indexOf('id');
        if (idAt % 2 === 0 && fields[idAt + 1] === id) return eventOfEntry(fields);
      }
      const last = entries.at(-1)?.[0];
      if (entries.length < LOOKUP_PAGE || last === undefined) break;
      end = `(${last}`;
    }
  }
  return null;
}

/** The agents' keys by agent id; an agent whose stored key does not import has none. */
function publicKeysOf(agents: readonly { agent_id: string; public_key: string }[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const agent of agents) {
    try {
      keys.set(agent.agent_id, importPublicKey(agent.public_key));
    } catch {
      // Left out: its measurements go out unsigned, which `reachmap verify` reports.
    }
  }
  return keys;
}

/**
 * A measurement as the bundle shows it, with its signature only if that verifies with its agent's key
 * over exactly what is shown: the collector verifies one signature per batch, so one that does not
 * verify may be stored, and it goes out as `null` (unsigned) rather than as a signature that fails.
 */
function signedRecord({ record, signature }: EvidenceEntry, keys: ReadonlyMap<string, KeyObject>) {
  const key = keys.get(record.measurement.agent.id);
  const verified =
    signature !== null && key !== undefined && verifyMeasurementSignature(record.measurement, signature, key);
  return {
    measurement: record.measurement as unknown as Record<string, unknown>,
    signature: verified ? signature : null,
  };
}

async function agentFacts(redis: RedisClient, agentId: string) {
  const [publicKey = null, enrolledAt = null, revokedAt = null, network = null] = await redis.hmget(
    COLLECTOR_KEYS.agent(agentId),
    'public_key',
    'enrolled_at',
    'revoked_at',
    'network',
  );
  const parsed = network === null ? null : AgentNetwork.safeParse(JSON.parse(network));
  if (publicKey === null || parsed === null || !parsed.success) return null;
  return {
    agent_id: agentId as `agt_${string}`,
    public_key: publicKey,
    enrolled_at: enrolledAt,
    revoked_at: revokedAt,
    network: parsed.data,
  };
}

/**
 * The evidence bundle of one event (docs/methodology.md, "Verifiable evidence"): its witnesses still in
 * the evidence store with their signatures and recorded verdicts, their rounds' controls, the agents'
 * public keys and enrolment facts, and the catalogue's expectations the classifier judged with.
 */
export async function evidenceBundle(
  redis: RedisClient,
  evidence: EvidenceStore,
  catalogue: Catalogue,
  expectations: ReadonlyMap<string, unknown>,
  event: ScopeEvent,
  now: number,
): Promise<EvidenceBundle> {
  const witnesses = evidence.entries(event.witnesses).filter((entry) => entry !== null);
  const controlIds = [...new Set(witnesses.flatMap((entry) => entry.record.measurement.round.controls))];
  const controls = evidence.entries(controlIds).filter((entry) => entry !== null);
  const agentIds = [
    ...new Set([...witnesses, ...controls].map((entry) => entry.record.measurement.agent.id)),
  ];
  const agents = (await Promise.all(agentIds.map((id) => agentFacts(redis, id)))).filter(
    (agent) => agent !== null,
  );
  const keys = publicKeysOf(agents);
  const targets = new Set(witnesses.map((entry) => entry.record.measurement.target.id));
  return {
    format: EVIDENCE_BUNDLE_FORMAT,
    generated_at: new Date(now).toISOString(),
    event,
    classifier_version: witnesses[0]?.record.verdict.classifier_version ?? 'unknown',
    catalogue: {
      version: witnesses[0]?.record.measurement.target.catalogue_version ?? catalogueVersionTag(catalogue),
      expectations: Object.fromEntries(
        [...targets].map((target) => [target, expectations.get(target) ?? {}]),
      ),
    },
    witnesses: witnesses.map((entry) => ({ ...signedRecord(entry, keys), verdict: entry.record.verdict })),
    controls: controls.map((entry) => signedRecord(entry, keys)),
    agents,
  };
}
