import type { AgentSchedule } from '@reachmap/schema';

/**
 * Milliseconds from now until the next round should start: `interval` after the previous start plus
 * up to `jitter`, so agents enrolled together drift apart; never negative, so a round whose suites
 * took longer than the interval to start is followed at once. (A round starts once the previous one
 * has started or deferred every suite, so a slow suite may still run: `SuiteSlots`.)
 */
export function nextRoundDelay(
  schedule: Pick<AgentSchedule, 'interval_s' | 'jitter_s'>,
  previousStart: number,
  now: number,
  random: () => number = Math.random,
): number {
  const target = previousStart + schedule.interval_s * 1000 + random() * schedule.jitter_s * 1000;
  return Math.max(0, target - now);
}

/** The first round waits up to one jitter, so a fleet restarted together does not measure in lockstep. */
export function firstRoundDelay(
  schedule: Pick<AgentSchedule, 'jitter_s'>,
  random: () => number = Math.random,
): number {
  return random() * schedule.jitter_s * 1000;
}
