import {
  importPublicKey,
  isMeasurementSignatureShaped,
  verifyMeasurementSignature,
} from '@reachmap/agent-auth';
import type { Measurement } from '@reachmap/schema';

function idOf(item: unknown): string | null {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
}

export interface SubmittedSignatures {
  /** Well-formed signatures of accepted measurements, by measurement id, to travel with the job. */
  signatures: Record<string, string>;
  /** Ids of accepted measurements whose signature is not even shaped like one (never kept). */
  malformed: string[];
  /** The measurement whose signature was verified here and failed; then the batch keeps none. */
  failedCanary: string | null;
}

/**
 * The agent's signature of each accepted measurement, by measurement id; they travel with the ingest
 * job to the aggregator, which keeps them in the evidence store. Here each is only checked for form,
 * and the first is verified as a canary: an agent whose signing is broken (a wrong key, another
 * canonical form) shows in the log at once, and that batch keeps no signature. The others are verified
 * where they are shown, in evidence bundles (the API's `evidenceBundle`), which is where a signature
 * that does not verify is left out. Verifying every one on arrival was half the collector's CPU
 * (docs/benchmarks.md, "Signatures verified where they are shown"), for the few dozen a bundle ever
 * shows. Nothing here decides what is accepted: the batch is authenticated by its request signature.
 */
export function submittedMeasurementSignatures(
  agentPublicKey: string,
  submitted: { measurements: readonly unknown[]; signatures?: readonly string[] | undefined },
  accepted: readonly Measurement[],
): SubmittedSignatures {
  const kept: Record<string, string> = {};
  const malformed: string[] = [];
  const signatures = submitted.signatures;
  if (signatures === undefined || accepted.length === 0)
    return { signatures: kept, malformed, failedCanary: null };
  const byId = new Map<string, string>();
  submitted.measurements.forEach((item, index) => {
    const id = idOf(item);
    const signature = signatures[index];
    if (id !== null && signature !== undefined) byId.set(id, signature);
  });
  let canaryChecked = false;
  let failedCanary: string | null = null;
  for (const measurement of accepted) {
    const signature = byId.get(measurement.id);
    if (signature === undefined) continue;
    if (!isMeasurementSignatureShaped(signature)) {
      malformed.push(measurement.id);
      continue;
    }
    if (!canaryChecked) {
      canaryChecked = true;
      // Over the measurement as accepted, as a bundle will present it.
      if (!verifyMeasurementSignature(measurement, signature, importPublicKey(agentPublicKey)))
        failedCanary = measurement.id;
    }
    // After a failed canary nothing is kept, and the rest is still checked for form, so the log names
    // every malformed one.
    if (failedCanary === null) kept[measurement.id] = signature;
  }
  return { signatures: kept, malformed, failedCanary };
}
