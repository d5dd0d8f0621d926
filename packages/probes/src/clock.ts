/**
 * The per-measurement monotonic clock. Observations carry `t0`/`t` as seconds since the origin
 * (OONI's convention), read from `performance.now()` so wall-clock jumps cannot bend timings.
 */
export interface MeasurementClock {
  /** `performance.now()` at the origin, in milliseconds. */
  readonly originMs: number;
  /** Seconds since the origin, never negative. */
  seconds(): number;
}

export function createMeasurementClock(originMs: number = performance.now()): MeasurementClock {
  return {
    originMs,
    // Microsecond resolution is plenty and keeps stored numbers short.
    seconds: () => Math.max(0, Math.round((performance.now() - originMs) * 1000) / 1_000_000),
  };
}
