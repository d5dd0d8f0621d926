import { importPublicKey, verifyMeasurementSignature } from '@reachmap/agent-auth';
import type { Measurement } from '@reachmap/schema';

function idOf(item: unknown): string | null {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
}

/**
 * The agent's signature of each measurement that verifies over the measurement as it was accepted
 * (what the evidence store and the evidence bundle carry), by measurement id; they travel with the
 * ingest job to the aggregator, which keeps them in the evidence store. A signature that does not
 * verify is dropped and listed: the measurement itself stays accepted, as its batch was signed.
 */
export function verifiedMeasurementSignatures(
  agentPublicKey: string,
  submitted: { measurements: readonly unknown[]; signatures?: readonly string[] | undefined },
  accepted: readonly Measurement[],
): { signatures: Record<string, string>; invalid: string[] } {
  const verified: Record<string, string> = {};
  const signatures = submitted.signatures;
  if (signatures === undefined || accepted.length === 0) return { signatures: verified, invalid: [] };
  const byId = new Map<string, string>();
  submitted.measurements.forEach((item, index) => {
    const id = idOf(item);
    const signature = signatures[index];
    if (id !== null && signature !== undefined) byId.set(id, signature);
  });
  const publicKey = importPublicKey(agentPublicKey);
  const invalid: string[] = [];
  for (const measurement of accepted) {
    const signature = byId.get(measurement.id);
    if (signature === undefined) continue;
    if (verifyMeasurementSignature(measurement, signature, publicKey)) verified[measurement.id] = signature;
    else invalid.push(measurement.id);
  }
  return { signatures: verified, invalid };
}
