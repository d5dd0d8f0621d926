import type { AgentSchedule } from '@reachmap/schema';

/**
 * Milliseconds from now until the next round should start: `interval` after the previous start plus
 * up to `jitter`, so agents enrolled together drift apart; never negative, so a round that overran
 * its interval is followed at once (rounds run one after another, never overlapping).
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
