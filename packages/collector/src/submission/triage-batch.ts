import {
  type Measurement,
  type SubmissionResult,
  type ValidationIssue,
  validateMeasurement,
} from '@reachmap/schema';

/** Agents' clocks may run a little fast; more than this in the future is a broken clock or a forgery. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

export type RejectionReason = 'schema' | 'agent_mismatch' | 'future_start_time';

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

function idOf(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const id = (item as { id?: unknown }).id;
  return typeof id === 'string' ? id.slice(0, 100) : null;
}

type ItemVerdict =
  | { ok: true; measurement: Measurement }
  | { ok: false; reason: RejectionReason; errors: ValidationIssue[] };

function judgeItem(item: unknown, pointer: string, signerId: string, now: number): ItemVerdict {
  const validated = validateMeasurement(item, pointer);
  if (!validated.ok) return { ok: false, reason: 'schema', errors: validated.issues };
  const measurement = validated.value;
  if (measurement.agent.id !== signerId) {
    const message = `measurement belongs to ${measurement.agent.id}, but ${signerId} signed the request`;
    return { ok: false, reason: 'agent_mismatch', errors: [{ path: `${pointer}/agent/id`, message }] };
  }
  if (Date.parse(measurement.start_time) > now + MAX_FUTURE_SKEW_MS) {
    const message = 'start_time is more than 5 minutes in the future; check the agent clock';
    return { ok: false, reason: 'future_start_time', errors: [{ path: `${pointer}/start_time`, message }] };
  }
  return { ok: true, measurement };
}

/**
 * Judges every item on its own, so one bad measurement never sinks its batch: schema, the signer
 * being the measurement's agent (no spoofing another agent's data), and a start time not in the future.
 */
export function triageBatch(items: readonly unknown[], signerId: string, now: number): TriagedBatch {
  const candidates: Measurement[] = [];
  const repeatedInBatch: string[] = [];
  const rejected: RejectedItem[] = [];
  const seenInBatch = new Set<string>();
  for (const [index, item] of items.entries()) {
    const verdict = judgeItem(item, `/measurements/${index}`, signerId, now);
    if (!verdict.ok) {
      rejected.push({ reason: verdict.reason, entry: { index, id: idOf(item), errors: verdict.errors } });
    } else if (seenInBatch.has(verdict.measurement.id)) {
      repeatedInBatch.push(verdict.measurement.id);
    } else {
      seenInBatch.add(verdict.measurement.id);
      candidates.push(verdict.measurement);
    }
  }
  return { candidates, repeatedInBatch, rejected };
}
