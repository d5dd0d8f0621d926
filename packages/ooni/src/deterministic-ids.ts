import { createHash } from 'node:crypto';
import type { AgentId, MeasurementId, RoundId } from '@reachmap/schema';

function sha256(parts: readonly string[]): Buffer {
  // A separator that cannot occur in OONI's ids keeps ("ab","c") and ("a","bc") apart.
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

/**
 * A UUIDv7 whose timestamp is the measurement's start and whose "random" bits come from a hash of
 * its identity (RFC 9562 allows any source for them), so importing the same measurement twice gives
 * the same id and the collector's idempotency key deduplicates it.
 */
export function deterministicMeasurementId(startMillis: number, identity: readonly string[]): MeasurementId {
  const bytes = sha256(['measurement', ...identity]).subarray(0, 16);
  bytes.writeUIntBE(Math.max(0, Math.floor(startMillis)), 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hashBody(parts: readonly string[], length: number): string {
  return sha256(parts).toString('hex').slice(0, length);
}

/**
 * OONI probes are anonymous: the report (one run of one test by one probe) is the closest thing to an
 * agent it publishes. `agt_ooni…` says in a log line that the "agent" is an imported OONI report.
 */
export function ooniAgentId(probeCc: string, probeAsn: number, reportId: string): AgentId {
  return `agt_ooni${hashBody(['agent', probeCc, String(probeAsn), reportId], 24)}`;
}

export function ooniRoundId(reportId: string): RoundId {
  return `rnd_ooni${hashBody(['round', reportId], 24)}`;
}
