/** Summary statistics of one transfer, in the units `ThroughputRun` records. */
export interface TransferStats {
  bytes: number;
  duration_s: number;
  ttfb_s: number | null;
  goodput_bps: number;
  longest_stall_s: number;
  bytes_before_stall: number | null;
}

/**
 * Accumulates byte arrivals of one transfer (times in seconds since the transfer started) and
 * computes its statistics without keeping every arrival.
 *
 * - goodput counts bytes after the first arrival over the time from the first arrival to the end,
 *   so slow start's first burst and the connection's TTFB do not inflate or deflate the rate;
 * - a stall is a gap with no new bytes: before the first byte, between arrivals, and — when the
 *   transfer did not complete — from the last byte to the end (the docs/techniques.md "stall after ~16 KB"
 *   signature is a long tail stall with `bytes_before_stall` near 16384).
 */
export interface TransferMeter {
  record(t: number, newBytes: number): void;
  readonly bytes: number;
  /** Seconds of the latest arrival, or 0 when nothing arrived yet. */
  readonly lastProgressAt: number;
  finish(endT: number, completed: boolean): TransferStats;
}

export function createTransferMeter(): TransferMeter {
  let bytes = 0;
  let firstAt: number | null = null;
  let firstBytes = 0;
  let lastAt = 0;
  let longestStall = 0;
  let bytesBeforeStall: number | null = null;

  const considerGap = (from: number, to: number, bytesSoFar: number) => {
    if (to - from > longestStall) {
      longestStall = to - from;
      bytesBeforeStall = bytesSoFar;
    }
  };

  return {
    record(t, newBytes) {
      if (newBytes <= 0) return;
      considerGap(lastAt, t, bytes);
      if (firstAt === null) {
        firstAt = t;
        firstBytes = newBytes;
      }
      bytes += newBytes;
      lastAt = t;
    },
    get bytes() {
      return bytes;
    },
    get lastProgressAt() {
      return lastAt;
    },
    finish(endT, completed) {
      if (!completed) considerGap(lastAt, endT, bytes);
      const end = completed && firstAt !== null ? Math.max(lastAt, endT) : endT;
      const window = firstAt === null ? 0 : end - firstAt;
      return {
        bytes,
        duration_s: round(endT),
        ttfb_s: firstAt === null ? null : round(firstAt),
        goodput_bps: window > 0 ? Math.round(((bytes - firstBytes) * 8) / window) : 0,
        longest_stall_s: round(longestStall),
        bytes_before_stall: longestStall > 0 ? bytesBeforeStall : null,
      };
    },
  };
}

const round = (seconds: number) => Math.round(seconds * 1_000_000) / 1_000_000;
