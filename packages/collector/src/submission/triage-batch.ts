import {
  type AgentNetwork,
  capIssues,
  type Measurement,
  measurementIdTime,
  type SubmissionResult,
  type ValidationIssue,
  validateMeasurement,
} from '@reachmap/schema';

/** Agents' clocks may run a little fast; more than this in the future is a broken clock or a forgery. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * reachmap-agent 0.1.0 was released on this day; an agent's measurement (or its UUIDv7 id) dated
 * earlier is a broken clock or a forgery. Imported OONI history has its own bounds (packages/ooni).
 */
export const AGENT_SOFTWARE_RELEASED_AT = Date.parse('2026-11-23T00:00:00Z');

/** Issues listed in one answer over all its items; the items past it are still listed, by index. */
export const MAX_ISSUES_PER_BATCH = 100;

export type RejectionReason =
  | 'schema'
  | 'agent_mismatch'
  | 'future_start_time'
  | 'implausible_time'
  | 'network_mismatch'
  | 'address_mismatch'
  | 'source_mismatch'
  | 'unknown_target';

export interface RejectedItem {
  entry: SubmissionResult['rejected'][number];
  reason: RejectionReason;
}

export interface TriagedBatch {
  /** Valid measurements of this agent, each id once, in submission order. */
  candidates: Measurement[];
  /** Ids that appeared earlier in the same batch. */
  repeatedInBatch: string[];
  rejected: RejectedItem[];
}

/** What the server knows about the signer: the measurement must agree with it, not the other way round. */
export interface Signer {
  id: string;
  /** The enrolled network, authoritative for where the agent measures. */
  network: AgentNetwork;
  simulated: boolean;
  /** Country of the connecting address per the GeoIP database; null without one or when unknown. */
  addressCountry: string | null;
  /** Target ids of the catalogue served to agents; null when it lists none (nothing to check against). */
  knownTargets: ReadonlySet<string> | null;
}

function idOf(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const id = (item as { id?: unknown }).id;
  return typeof id === 'string' ? id.slice(0, 100) : null;
}

type ItemVerdict =
  | { ok: true; measurement: Measurement }
  | { ok: false; reason: RejectionReason; errors: ValidationIssue[] };

function refuse(reason: RejectionReason, path: string, message: string): ItemVerdict {
  return { ok: false, reason, errors: [{ path, message }] };
}

function networkDifference(declared: AgentNetwork, enrolled: AgentNetwork): string | null {
  if (declared.country !== enrolled.country) return 'country';
  if (declared.region !== enrolled.region) return 'region';
  if (declared.asn !== enrolled.asn) return 'asn';
  return null;
}

function judgeItem(item: unknown, pointer: string, signer: Signer, now: number): ItemVerdict {
  const validated = validateMeasurement(item, pointer);
  if (!validated.ok) return { ok: false, reason: 'schema', errors: validated.issues };
  const measurement = validated.value;
  if (measurement.agent.id !== signer.id) {
    const message = `measurement belongs to ${measurement.agent.id}, but ${signer.id} signed the request`;
    return refuse('agent_mismatch', `${pointer}/agent/id`, message);
  }
  const expectedSource = signer.simulated ? 'simulated' : 'agent';
  if (measurement.source.kind !== expectedSource) {
    const message = `this agent was enrolled as ${signer.simulated ? 'simulated' : 'a real agent'}; source.kind must be "${expectedSource}"`;
    return refuse('source_mismatch', `${pointer}/source/kind`, message);
  }
  if (signer.knownTargets !== null && !signer.knownTargets.has(measurement.target.id)) {
    const message = `target "${measurement.target.id}" is not in the catalogue this collector serves`;
    return refuse('unknown_target', `${pointer}/target/id`, message);
  }
  const differs = networkDifference(measurement.network, signer.network);
  if (differs !== null) {
    const enrolled = `${signer.network.country}/${signer.network.region ?? '-'}/AS${signer.network.asn}`;
    const message = `network.${differs} differs from the network this agent enrolled in (${enrolled}); enrol the agent again where it measures`;
    return refuse('network_mismatch', `${pointer}/network/${differs}`, message);
  }
  if (signer.addressCountry !== null && signer.addressCountry !== measurement.network.country) {
    const message = `this request came from an address in ${signer.addressCountry}, not ${measurement.network.country}; submit from the network the agent measures (docs/security.md)`;
    return refuse('address_mismatch', `${pointer}/network/country`, message);
  }
  const startTime = Date.parse(measurement.start_time);
  if (startTime > now + MAX_FUTURE_SKEW_MS) {
    const message = 'start_time is more than 5 minutes in the future; check the agent clock';
    return refuse('future_start_time', `${pointer}/start_time`, message);
  }
  if (startTime < AGENT_SOFTWARE_RELEASED_AT) {
    const message = 'start_time is before the agent software was released; check the agent clock';
    return refuse('implausible_time', `${pointer}/start_time`, message);
  }
  const idTime = measurementIdTime(measurement.id);
  if (idTime < AGENT_SOFTWARE_RELEASED_AT || idTime > now + MAX_FUTURE_SKEW_MS) {
    const message = 'the UUIDv7 time of id is before the agent software was released or in the future';
    return refuse('implausible_time', `${pointer}/id`, message);
  }
  return { ok: true, measurement };
}

/**
 * Judges every item on its own, so one bad measurement never sinks its batch: schema, the signer
 * being the measurement's agent (no spoofing another agent's data), the enrolled network and kind,
 * and plausible times. The answer lists at most MAX_ISSUES_PER_BATCH issues, so it stays smaller
 * than the request.
 */
export function triageBatch(items: readonly unknown[], signer: Signer, now: number): TriagedBatch {
  const candidates: Measurement[] = [];
  const repeatedInBatch: string[] = [];
  const rejected: RejectedItem[] = [];
  const seenInBatch = new Set<string>();
  let issueBudget = MAX_ISSUES_PER_BATCH;
  for (const [index, item] of items.entries()) {
    const pointer = `/measurements/${index}`;
    const verdict = judgeItem(item, pointer, signer, now);
    if (!verdict.ok) {
      const errors = capIssues(verdict.errors, Math.max(issueBudget, 0), pointer);
      issueBudget -= verdict.errors.length;
      rejected.push({ reason: verdict.reason, entry: { index, id: idOf(item), errors } });
    } else if (seenInBatch.has(verdict.measurement.id)) {
      repeatedInBatch.push(verdict.measurement.id);
    } else {
      seenInBatch.add(verdict.measurement.id);
      candidates.push(verdict.measurement);
    }
  }
  return { candidates, repeatedInBatch, rejected };
}
