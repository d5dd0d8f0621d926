/**
 * When a supervised child that died is started again. Pure: the supervisor feeds it how long the last
 * run lasted and how many quick failures came before, and gets a delay or a verdict to give up.
 */
export interface RestartPolicy {
  /** Delay before the first restart; doubled for each further quick failure. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Quick failures in a row after which the child is left stopped (a crash loop). */
  maxQuickFailures: number;
  /** A run at least this long was healthy: the failure count starts again from zero. */
  healthyAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxQuickFailures: 5,
  healthyAfterMs: 60_000,
};

export type RestartDecision =
  | { kind: 'restart'; delayMs: number; quickFailures: number }
  | { kind: 'give-up'; quickFailures: number };

export function decideRestart(
  policy: RestartPolicy,
  previousQuickFailures: number,
  ranForMs: number,
): RestartDecision {
  const quickFailures = ranForMs >= policy.healthyAfterMs ? 1 : previousQuickFailures + 1;
  if (quickFailures > policy.maxQuickFailures) return { kind: 'give-up', quickFailures };
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (quickFailures - 1));
  return { kind: 'restart', delayMs, quickFailures };
}
