import type { ThroughputRun } from '@reachmap/schema';

type Samples = ThroughputRun['samples'];

function bytesAt(samples: Samples, time: number): number {
  let bytes = 0;
  for (const [t, cumulative] of samples) {
    if (t > time) break;
    bytes = cumulative;
  }
  return bytes;
}

/**
 * Goodput of each whole second of a transfer in bit/s, from its cumulative-bytes samples (taken at
 * least every 100 ms), counted from the first sample. A trailing partial second is left out.
 */
export function perSecondGoodput(samples: Samples): number[] {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined) return [];
  const seconds = Math.floor(last[0] - first[0]);
  return Array.from(
    { length: seconds },
    (_, second) => (bytesAt(samples, first[0] + second + 1) - bytesAt(samples, first[0] + second)) * 8,
  );
}

/** Population standard deviation over the mean; Infinity for an empty or all-zero series. */
export function coefficientOfVariation(values: readonly number[]): number {
  if (values.length === 0) return Number.POSITIVE_INFINITY;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (mean === 0) return Number.POSITIVE_INFINITY;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

export function median(values: readonly number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return null;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? null)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
