export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** 1 s doubling to 5 min: a collector back after an outage sees agents return spread over minutes. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

/**
 * Exponential backoff with "equal jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter",
 * 2015): half the ceiling fixed, half random, so agents that failed together do not retry together
 * and none retries in a tight loop.
 */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}
