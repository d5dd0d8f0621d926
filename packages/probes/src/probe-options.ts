import type { MeasurementClock } from './clock.ts';
import type { ProbeNetwork } from './network/probe-network.ts';

/** What every probe needs besides its target: the measurement's clock, a time budget, a cancel. */
export interface ProbeContext {
  clock: MeasurementClock;
  /** Budget for the whole probe, in milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Lab interposition (see ProbeNetwork), injected by the caller; unset: direct. */
  network?: ProbeNetwork;
}
