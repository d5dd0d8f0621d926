import type { Failure } from '@reachmap/schema';

/**
 * One probe's time budget joined with the caller's cancellation. Probes never throw for a network
 * failure, so an abort becomes a failure string: the timeout is `generic_timeout_error`, a caller's
 * cancel is `interrupted` (OONI's df-007 meaning of both).
 */
export interface Deadline {
  readonly signal: AbortSignal;
  failure(): Failure;
}

export function createDeadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([timeout, callerSignal]) : timeout;
  return {
    signal,
    failure: () => (callerSignal?.aborted && !timeout.aborted ? 'interrupted' : 'generic_timeout_error'),
  };
}

/** Resolves with the deadline's failure once it fires; for racing operations that take no signal. */
export function whenExpired(deadline: Deadline): Promise<Failure> {
  return new Promise((resolve) => {
    if (deadline.signal.aborted) resolve(deadline.failure());
    else deadline.signal.addEventListener('abort', () => resolve(deadline.failure()), { once: true });
  });
}
