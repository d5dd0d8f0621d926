import type { ThroughputRun } from '@reachmap/schema';
import {
  probeThroughput,
  type ThroughputContext,
  type ThroughputLimits,
  type ThroughputTarget,
} from './probe-throughput.ts';

/** DOMAIN.md judges stalls and throttling on "≥ 3 of 5 fresh connections". */
export const DEFAULT_SUITE_CONNECTIONS = 5;

/**
 * Repeats one transfer over K fresh connections, one after another (parallel runs would share the
 * bottleneck and hide a per-flow policer). Stops early when the caller aborts.
 */
export async function probeThroughputSuite(
  target: ThroughputTarget,
  limits: ThroughputLimits,
  context: ThroughputContext & { connections?: number },
): Promise<ThroughputRun[]> {
  const runs: ThroughputRun[] = [];
  const connections = context.connections ?? DEFAULT_SUITE_CONNECTIONS;
  for (let connection = 0; connection < connections; connection += 1) {
    if (context.signal?.aborted) break;
    runs.push(await probeThroughput(target, limits, { ...context, connection }));
  }
  return runs;
}
