import type { ThroughputRun } from '@reachmap/schema';
import { describeRun } from '../evidence.ts';
import {
  STALL_CONTROL_MIN_BYTES,
  STALL_MAX_BYTES_BEFORE,
  STALL_MIN_BYTES_BEFORE,
  STALL_MIN_CONNECTIONS,
  STALL_MIN_SILENCE_S,
} from '../thresholds.ts';
import type { Finding, Rule } from './rule.ts';
import { type DirectionTransfers, judgeEachDirection } from './transfers.ts';

/** Went silent for a long time after a first handful of kilobytes: the "16 KB cap" shape. */
function stalledAfterFewKilobytes(run: ThroughputRun): boolean {
  const before = run.bytes_before_stall;
  return (
    run.longest_stall_s >= STALL_MIN_SILENCE_S &&
    before !== null &&
    before >= STALL_MIN_BYTES_BEFORE &&
    before <= STALL_MAX_BYTES_BEFORE
  );
}

function judgeStall({ direction, runs, reference }: DirectionTransfers): Finding | null {
  const stalled = runs.filter(stalledAfterFewKilobytes);
  if (stalled.length < STALL_MIN_CONNECTIONS) return null;
  const pattern = [
    `${stalled.length} of ${runs.length} ${direction} connections went silent for ≥ ${STALL_MIN_SILENCE_S} s after 8-64 KB`,
    ...stalled.slice(0, 5).map(describeRun),
  ];
  const delivering = (reference?.runs ?? []).filter((run) => run.bytes >= STALL_CONTROL_MIN_BYTES);
  const [proof] = delivering;
  if (reference === null || proof === undefined) {
    const why =
      reference === null
        ? `No control ${direction} to tell a stall from a broken path`
        : `No control ${direction} (${reference.source}) delivered ${STALL_CONTROL_MIN_BYTES / 1024} KB either: the path itself is broken`;
    return {
      status: 'insufficient',
      layer: 'throughput',
      method: null,
      evidence: [...pattern, why],
      support: null,
    };
  }
  return {
    status: 'stalled',
    layer: 'throughput',
    method: 'stall',
    evidence: [...pattern, `Control (${reference.source}): ${describeRun(proof)}`],
    support: { agreeing: stalled.length, considered: runs.length, corroborating: delivering.length },
  };
}

/**
 * Stalled: on enough fresh connections nothing arrived for ≥ 5 s after 8-64 KB, while a control
 * transfer got well past that (≥ 256 KB). Russia's cap towards foreign hosting since June 2025 drops
 * the flow after ~16 KB without an RST, and not on every connection (Cloudflare 2025-06-26).
 */
export const stallRule: Rule = (context) =>
  judgeEachDirection(context, judgeStall, (finding) => finding.status === 'stalled');
