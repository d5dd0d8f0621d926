import type { MeasurementClock } from './clock.ts';

/** What every probe needs besides its target: the measurement's clock, a time budget, a cancel. */
export interface ProbeContext {
  clock: MeasurementClock;
  /** Budget for the whole probe, in milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
}
