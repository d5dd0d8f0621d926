import { importPublicKey, verifyMeasurementSignature } from '@reachmap/agent-auth';
import type { RedisClient } from '@reachmap/queue';
import type { Measurement } from '@reachmap/schema';
import { COLLECTOR_KEYS } from '../redis-keys.ts';

/**
 * How long a measurement's signature is kept: the API's recent store keeps the measurement 48 h by
 * default (REACHMAP_RECENT_TTL); an hour more so a bundle never finds the measurement without it.
 */
export const SIGNATURE_TTL_S = 49 * 3600;

function idOf(item: unknown): string | null {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
}

/**
 * Keeps the agent's signature of each accepted measurement that verifies over the measurement as it
 * was accepted (what the recent store and the evidence bundle carry). A signature that does not verify
 * is not kept and is counted: the measurement itself stays accepted, as its batch was signed.
 */
export async function keepMeasurementSignatures(
  redis: RedisClient,
  agentPublicKey: string,
  submitted: { measurements: readonly unknown[]; signatures?: readonly string[] | undefined },
  accepted: readonly Measurement[],
): Promise<{ kept: number; invalid: string[] }> {
  const signatures = submitted.signatures;
  if (signatures === undefined || accepted.length === 0) return { kept: 0, invalid: [] };
  const byId = new Map<string, string>();
  submitted.measurements.forEach((item, index) => {
    const id = idOf(item);
    const signature = signatures[index];
    if (id !== null && signature !== undefined) byId.set(id, signature);
  });
  const publicKey = importPublicKey(agentPublicKey);
  const invalid: string[] = [];
  const pipeline = redis.pipeline();
  let kept = 0;
  for (const measurement of accepted) {
    const signature = byId.get(measurement.id);
    if (signature === undefined) continue;
    if (!verifyMeasurementSignature(measurement, signature, publicKey)) {
      invalid.push(measurement.id);
      continue;
    }
    pipeline.set(COLLECTOR_KEYS.measurementSignature(measurement.id), signature, 'EX', SIGNATURE_TTL_S);
    kept += 1;
  }
  if (kept > 0) await pipeline.exec();
  return { kept, invalid };
}
